using System.Text.RegularExpressions;
using CustomerCare.Benchmarks.WebQueue;

namespace CustomerCare.Benchmarks.Tests;

// The web queue scenario (issue 7, part 6) on tiny data: the real sample host in a child process, signed in
// through the sign-in form, a few hundred tickets, a few requests and browser loads. Asserts that it ran and
// printed numbers, never how fast anything was. Part of HarnessSmokeTests so that no two scenarios capture
// the console at the same time.
public sealed partial class HarnessSmokeTests
{
    private static readonly string[] ServerPages = ["queue page 1", "queue page \\d+", "filter: unassigned", "filter: mine, pending, high", "search: a ticket number"];

    [Fact]
    public async Task Webqueue_scenario_runs_the_sample_host_on_sqlite_and_reports_server_and_browser_times()
    {
        var chromium = Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
            Assert.Skip("Set CUSTOMERCARE_TEST_CHROMIUM to Chromium's path to run the web queue smoke run (test.sh does when /usr/bin/chromium exists).");
        Assert.True(SampleHostProcess.FindHostAssembly() is not null, "The sample host is built with the harness (project reference), so it must be found.");

        var (exit, text) = await CaptureAsync(() => WebQueueBenchmark.RunAsync(BenchmarkOptions.Parse(["webqueue", "--smoke", "--chromium", chromium])));

        Assert.True(exit == 0, text);
        AssertWebQueueServerTable("sqlite", text);
        foreach (var measure in new[] { "time to first byte", "DOMContentLoaded", "load", "live connection up", "interactive \\(queue shown, scripts run, live\\)" })
            Assert.Matches(new Regex($@"^\| sqlite \| queue page 1 \| {measure} \| \d+ / \d+ \| \d+ / \d+ \| [\d.]+ \| \d+ \|$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^goal: agent queue interactive p95 <= 1000 ms with 300 tickets: (met|NOT met) \(page 1 p50 \d+ / p95 \d+ ms", RegexOptions.Multiline), text);
        Assert.Contains("SEARCH cc_tickets USING INDEX", text);
    }

    [Fact]
    public async Task Webqueue_scenario_runs_the_sample_host_on_postgres_and_reports_server_times()
    {
        if (Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_POSTGRES") is not { Length: > 0 })
            Assert.Skip("Set CUSTOMERCARE_TEST_POSTGRES to run the PostgreSQL smoke run of the web queue scenario (test.sh does).");

        var (exit, text) = await CaptureAsync(() => WebQueueBenchmark.RunAsync(BenchmarkOptions.Parse(["webqueue", "--smoke", "--provider", "postgres", "--no-browser"])));

        Assert.True(exit == 0, text);
        AssertWebQueueServerTable("postgres", text);
        Assert.Contains("query plans at scale (postgres;", text);
    }

    private static void AssertWebQueueServerTable(string provider, string text)
    {
        Assert.Contains("scenario webqueue: ran", text);
        Assert.Matches(new Regex(@"^seeded 300 tickets \(with messages\) into acme-bank in [\d.]+ s; the agent's queue \(active, theirs or unassigned\) holds \d+ tickets", RegexOptions.Multiline), text);
        foreach (var page in ServerPages)
            Assert.Matches(new Regex($@"^\| {provider} \| {page} \| `/t/acme-bank/tickets[^`]*` \| \d+ \| [\d.]+ / [\d.]+ \| [\d.]+ / [\d.]+ \| [\d.]+( \(vs demo page 1\))? \| [\d.]+ \| \d+ \| \d+ \+ \d+ \|$", RegexOptions.Multiline), text);
        // Page 1 at scale is a full page of the agent's queue, not an empty or error page.
        Assert.Matches(new Regex($@"^\| {provider} \| queue page 1 \| `/t/acme-bank/tickets` \| 20 \|", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^goal: server time p95 <= 100 ms on the queue pages with 300 tickets: (met|NOT met)", RegexOptions.Multiline), text);
    }
}
