using System.Text.RegularExpressions;

namespace CustomerCare.Benchmarks.Tests;

/// <summary>
/// Keeps the benchmark harness from rotting: each scenario runs on tiny data and must print its
/// table with numbers. Nothing here looks at how fast anything was.
/// </summary>
public sealed partial class HarnessSmokeTests
{
    [Fact]
    public async Task Assignment_scenario_runs_and_reports_every_strategy()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await AssignmentBenchmark.RunAsync(BenchmarkOptions.Parse(["assignment", "--smoke"]));
        }
        finally
        {
            Console.SetOut(original);
        }

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("scenario assignment: ran", text);
        foreach (var strategy in new[] { "manual", "least-loaded", "round-robin" })
            Assert.Matches(Row(strategy), text);
    }

    [Fact]
    public async Task Notifications_scenario_runs_and_reports_overhead_and_drain_rate()
    {
        if (!File.Exists(NotificationBenchmark.Sink.Python)) Assert.Skip("The notifications scenario needs Debian's python3-aiosmtpd (.ci/run installs it).");
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await NotificationBenchmark.RunAsync(BenchmarkOptions.Parse(["notifications", "--smoke"]));
        }
        finally
        {
            Console.SetOut(original);
        }

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("scenario notifications: ran", text);
        Assert.Matches(new Regex(@"^outbox overhead: -?[\d.]+ %$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^drain: 100 notifications written in [\d.]+ s, delivered in [\d.]+ s: \d+ mails/s; 100 arrived at the sink$", RegexOptions.Multiline), text);
    }

    private static Regex Row(string strategy) => new($@"^\| {Regex.Escape(strategy)} \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ ?%", RegexOptions.Multiline);
}
