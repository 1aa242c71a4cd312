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
        var (exit, text) = await CaptureAsync(() => AssignmentBenchmark.RunAsync(BenchmarkOptions.Parse(["assignment", "--smoke"])));
        Assert.Equal(0, exit);
        Assert.Contains("scenario assignment: ran", text);
        foreach (var strategy in new[] { "manual", "least-loaded", "round-robin" })
            Assert.Matches(Row(strategy), text);
    }

    [Fact]
    public async Task Assignment_contention_scenario_runs_checks_the_loads_and_reports_both_tenants()
    {
        var (exit, text) = await CaptureAsync(() => AssignmentContentionBenchmark.RunAsync(BenchmarkOptions.Parse(["assignment-contention", "--smoke"])));
        Assert.Equal(0, exit);
        Assert.Contains("scenario assignment-contention: ran", text);
        foreach (var strategy in new[] { "manual", "least-loaded" })
            Assert.Matches(new Regex($@"^\| {Regex.Escape(strategy)} \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ ?% \| [\d.]+ \|", RegexOptions.Multiline), text);
    }

    [Fact]
    public async Task Notifications_scenario_runs_and_reports_overhead_and_drain_rate()
    {
        if (!File.Exists(NotificationBenchmark.Sink.Python)) Assert.Skip("The notifications scenario needs Debian's python3-aiosmtpd (.ci/run installs it).");
        var (exit, text) = await CaptureAsync(() => NotificationBenchmark.RunAsync(BenchmarkOptions.Parse(["notifications", "--smoke"])));
        Assert.Equal(0, exit);
        Assert.Contains("scenario notifications: ran", text);
        Assert.Matches(new Regex(@"^outbox overhead: -?[\d.]+ %$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^drain: 100 notifications written in [\d.]+ s, delivered in [\d.]+ s: \d+ mails/s; 100 arrived at the sink$", RegexOptions.Multiline), text);
    }

    [Fact]
    public async Task Scale_scenario_runs_on_sqlite_and_reports_every_scenario_with_its_baseline()
    {
        var (exit, text) = await CaptureAsync(() => ScaleBenchmark.RunAsync(BenchmarkOptions.Parse(["scale", "--smoke"])));
        Assert.Equal(0, exit);
        AssertScaleReport("sqlite", text);
    }

    [Fact]
    public async Task Scale_scenario_runs_on_postgres_and_reports_every_scenario_with_its_baseline()
    {
        if (Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_POSTGRES") is not { Length: > 0 })
            Assert.Skip("Set CUSTOMERCARE_TEST_POSTGRES to run the PostgreSQL smoke run of the scale scenario (test.sh does).");
        var (exit, text) = await CaptureAsync(() => ScaleBenchmark.RunAsync(BenchmarkOptions.Parse(["scale", "--smoke", "--provider", "postgres"])));
        Assert.Equal(0, exit);
        AssertScaleReport("postgres", text);
        Assert.Contains("-- postgres, queue page 1:", text);
        // Issue 6's goal is a count, not a time: Npgsql sees every command, so the count is exact on PostgreSQL.
        var trips = int.Parse(new Regex(@"^create ticket: (\d+) round trips", RegexOptions.Multiline).Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(trips, 1, 4);
    }

    [Fact]
    public async Task Managers_scenario_runs_benchmarkdotnet_and_reports_allocations_and_top_allocators()
    {
        var (exit, text) = await CaptureAsync(() => Task.FromResult(ManagerBenchmarkScenario.Run(BenchmarkOptions.Parse(["managers", "--smoke"]))));
        Assert.Equal(0, exit);
        Assert.Contains("scenario managers: ran", text);
        foreach (var call in new[] { "CreateTicket", "GetTicket", "RawEfQueryById", "AgentQueuePage" })
        {
            Assert.Matches(new Regex($@"^\| {call} \| [\d.]+ \| [\d,]+ \|$", RegexOptions.Multiline), text);
            Assert.Matches(new Regex($@"^{call}: [\d,]+ bytes/call", RegexOptions.Multiline), text);
        }
    }

    private static void AssertScaleReport(string provider, string text)
    {
        Assert.Contains("scenario scale: ran", text);
        foreach (var scenario in new[] { "create ticket (peak, closed loop)", "create ticket @ half of peak", "read ticket (peak, closed loop)" })
            Assert.Matches(ReportRow(provider, Regex.Escape(scenario)), text);
        // One queue row per size. The second size is at least 600 tickets: the tickets the create phase added count too.
        // (The table is printed as it comes and again at the end.)
        var totals = ReportRow(provider, @"agent queue page 1 @ (?<total>[\d,]+) tickets").Matches(text).Select(m => m.Groups["total"].Value).Distinct().ToList();
        Assert.Equal(2, totals.Count);
        Assert.Equal("300", totals[0]);
        Assert.True(long.Parse(totals[1], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= 600);
        Assert.Matches(new Regex(@"^create ticket: \d+ round trips", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^create ticket, cold caches: \d+ round trips", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^read ticket: \d+ round trips", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^    .*INSERT cc_tickets", RegexOptions.Multiline), text);
        Assert.Contains($"-- {provider}, queue page 1:", text);
    }

    private static async Task<(int Exit, string Text)> CaptureAsync(Func<Task<int>> run)
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var exit = await run();
            return (exit, output.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    private static Regex ReportRow(string provider, string scenario)
        => new($@"^\| {provider} \| {scenario}[^|]* \| \d+ \| \d+ \| \d+ ?% \| [\d.]+ / [\d.]+ / [\d.]+ \| [\d.]+ / [\d.]+ / [\d.]+ \|", RegexOptions.Multiline);

    private static Regex Row(string strategy) => new($@"^\| {Regex.Escape(strategy)} \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ ?%", RegexOptions.Multiline);
}
