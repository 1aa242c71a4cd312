using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CustomerCare.Actors;
using CustomerCare.Benchmarks.Scale;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace CustomerCare.Benchmarks.WebQueue;

/// <summary>
/// Issue 7, part 6: the agent queue of the web app (<c>/t/{tenant}/tickets</c>, Razor Pages in the sample host)
/// with 100,000 tickets in the tenant. Starts the real sample host (child process, same build configuration) on a
/// fresh database with its demo tenants, grows one tenant with the scale seeder (PostgreSQL COPY, SQLite prepared
/// inserts) and keeps another at demo size, signs in as each tenant's demo agent through the sign-in form
/// (antiforgery token), then measures the same pages in both tenants in interleaved rounds: server time (time to
/// first byte, one request after another) of page 1, a deep page, filters and a search, and in Debian's Chromium
/// (Playwright) the time from navigation start until the queue is shown and its live connection is up. Prints one
/// table with the ratio to demo size.
/// </summary>
internal static partial class WebQueueBenchmark
{
    private const string Tenant = "acme-bank";
    private const string Prefix = "BANK";
    private const string DemoTenant = "globe-telecom";
    private const string Password = "Demo-pass-2026";
    private const int PageSize = 20;

    /// <summary>The demo agent of a demo tenant (DemoData).</summary>
    private static string AgentOf(string tenant) => $"agent1@{tenant}.example";   // the page's own (TicketsModel)
    private const int DeepPage = 500;
    private const double ServerGoalMs = 100;
    private const double InteractiveGoalMs = 1000;

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    /// <summary>Runs in every document before the page's scripts: notes when the queue's live connection reports it is up (<c>data-live</c> on <c>#live-notice</c>, set by tickets.js).</summary>
    private const string InitScript = """
        (() => {
          new MutationObserver(() => {
            const notice = document.getElementById("live-notice");
            if (notice && notice.dataset.live && window.__ccLive === undefined) { window.__ccLive = performance.now(); window.__ccLiveState = notice.dataset.live; }
          }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-live"] });
        })();
        """;

    private const string TimingScript = """
        () => {
          const n = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          return { ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: fcp ? fcp.startTime : -1,
                   live: window.__ccLive, state: window.__ccLiveState || "", rows: document.querySelectorAll("#ticket-list tbody tr").length };
        }
        """;

    private sealed record Settings(long Tickets, int Requests, int Rounds, int Warmup, int Loads, int ExtraAgents, int Customers, bool Browser, bool Smoke);

    /// <summary>One server-time subject: a queue URL as the agent opens it in the demo-size tenant and in the tenant at scale.</summary>
    private sealed record Subject(string Name, string DemoUrl, string ScaledUrl, string Note = "");

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var smoke = options.Smoke;
        var args = options.Arguments.ToList();
        string? Value(string name) { var i = args.IndexOf(name); return i >= 0 && i + 1 < args.Count ? args[i + 1] : null; }
        var settings = new Settings(
            Tickets: long.Parse(Value("--tickets") ?? (smoke ? "300" : "100000"), CultureInfo.InvariantCulture),
            Requests: options.Int("--requests", smoke ? 5 : 200),
            Rounds: options.Int("--rounds", smoke ? 1 : 4),
            Warmup: options.Int("--warmup", smoke ? 2 : 50),
            Loads: options.Int("--loads", smoke ? 3 : 20),
            ExtraAgents: options.Int("--extra-agents", smoke ? 3 : 18),
            Customers: options.Int("--customers", smoke ? 20 : 2000),
            Browser: !args.Contains("--no-browser"),
            Smoke: smoke);
        var provider = options.Provider;
        using var cts = new CancellationTokenSource();
        var ct = cts.Token;

        var hostAssembly = Value("--host-dll") ?? SampleHostProcess.FindHostAssembly()
            ?? throw new InvalidOperationException("The sample host is not built next to this harness: dotnet build -c Release samples/CustomerCare.SampleHost (or pass --host-dll).");
        var chromium = settings.Browser ? FindChromium(Value("--chromium"))
            ?? throw new InvalidOperationException("Chromium not found: apt-get install chromium, or pass --chromium PATH (or --no-browser for server times only).") : null;

        Console.WriteLine($"# webqueue — {provider}, the sample host's agent queue: {Tenant} grown to {settings.Tickets:N0} tickets vs {DemoTenant} at demo size, "
            + $"interleaved; {settings.Requests} requests per page and tenant in {settings.Rounds} rounds, {settings.Loads} browser loads; {Environment.ProcessorCount} CPUs; load average {LoadAverage()}");

        await using var database = await BenchDatabase.CreateAsync(provider);
        await using var host = await SampleHostProcess.StartAsync(hostAssembly, provider, database.ConnectionString, ct);
        var errors = 0;
        var report = new Report(provider);

        // The tenant at scale: more agents (as an admin adds them), customer profiles, then the tickets in bulk.
        // The other demo tenant keeps its three tickets: the same page at demo size, measured in the same rounds.
        var agentId = await AgentIdAsync(provider, database.ConnectionString, ct);
        var seconds = await SeedAsync(provider, database, agentId, settings, ct);
        var (queueRows, deepPage, cursor) = await DeepCursorAsync(provider, database.ConnectionString, agentId, ct);
        Console.WriteLine($"seeded {settings.Tickets:N0} tickets (with messages) into {Tenant} in {seconds:F1} s; the agent's queue (active, theirs or unassigned) holds {queueRows:N0} tickets, {Math.Ceiling(queueRows / (double)PageSize):N0} pages");

        using var demoClient = await SignInAsync(host.Address, DemoTenant, ct);
        using var scaledClient = await SignInAsync(host.Address, Tenant, ct);
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        try
        {
            var subjects = Subjects(cursor, deepPage);
            // Warm-up of every page in both tenants first (JIT tiers, EF Core's query cache, the database's cache).
            foreach (var subject in subjects)
                errors += await RequestAsync(demoClient, subject.DemoUrl, settings.Warmup, null, ct) + await RequestAsync(scaledClient, subject.ScaledUrl, settings.Warmup, null, ct);
            var scaled = new Dictionary<string, Stats>();
            foreach (var subject in subjects)
            {
                var (demoStats, scaledStats, e) = await ServerTimesAsync(demoClient, scaledClient, subject, settings, ct);
                errors += e;
                scaled[subject.Name] = scaledStats;
                report.Server(subject, demoStats, scaledStats);
            }

            BrowserStats? demoBrowser = null, scaledBrowser = null, deepBrowser = null;
            if (chromium is not null)
            {
                playwright = await Playwright.CreateAsync();
                browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
                var demoPage = await NewSignedInPageAsync(browser, host.Address, DemoTenant);
                var scaledPage = await NewSignedInPageAsync(browser, host.Address, Tenant);
                (demoBrowser, scaledBrowser, deepBrowser) = (new BrowserStats(), new BrowserStats(), cursor is null ? null : new BrowserStats());
                var warmup = Math.Max(1, settings.Warmup / 10);
                // One load of each in turn, so that the machine's drift hits all three alike.
                for (var i = 0; i < warmup + settings.Loads; i++)
                {
                    await LoadAsync(demoPage, subjects[0].DemoUrl, demoBrowser, i >= warmup);
                    await LoadAsync(scaledPage, subjects[0].ScaledUrl, scaledBrowser, i >= warmup);
                    if (deepBrowser is not null) await LoadAsync(scaledPage, subjects[1].ScaledUrl, deepBrowser, i >= warmup);
                }
                errors += demoBrowser.Errors + scaledBrowser.Errors + (deepBrowser?.Errors ?? 0);
                report.Browser("queue page 1", demoBrowser, scaledBrowser);
                if (deepBrowser is not null) report.Browser($"queue page {deepPage} (vs demo page 1)", demoBrowser, deepBrowser);
            }
            report.Print(settings, scaled, scaledBrowser, deepBrowser);
            try { Console.Write(await ExplainAsync(provider, database.ConnectionString, agentId, cursor, ct)); }
            catch (System.Data.Common.DbException ex) { Console.WriteLine($"(EXPLAIN failed: {ex.Message})"); }
        }
        finally
        {
            if (browser is not null) await browser.DisposeAsync();
            playwright?.Dispose();
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        if (errors > 0) Console.WriteLine($"{errors} errors (unexpected status, page content or live connection)");
        Console.WriteLine("scenario webqueue: ran");
        return errors == 0 ? 0 : 1;
    }

    /// <summary>The pages measured: the queue as the agent lands on it, a deep page (keyset cursor), filters and a search.</summary>
    private static Subject[] Subjects(long? cursor, int deepPage)
    {
        Subject Same(string name, string query) => new(name, $"/t/{DemoTenant}/tickets{query}", $"/t/{Tenant}/tickets{query}");
        var list = new List<Subject> { Same("queue page 1", "") };
        // The demo tenant has one page: the deep page is compared with its page 1.
        if (cursor is { } c) list.Add(new($"queue page {deepPage}", $"/t/{DemoTenant}/tickets", $"/t/{Tenant}/tickets?status=active&cursor={c}", " (vs demo page 1)"));
        list.Add(Same("filter: unassigned", "?assignee=none"));
        list.Add(Same("filter: mine, pending, high", "?status=pending&assignee=me&priority=high"));
        list.Add(Same("search: a ticket number", "?q=checkout+%2399999"));
        return [.. list];
    }

    // ------------------------------------------------------------------------------------------- server

    private static async Task<HttpClient> SignInAsync(Uri address, string tenant, CancellationToken ct)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var form = await client.GetStringAsync($"/t/{tenant}/login", ct);
        var token = AntiforgeryToken().Match(form);
        if (!token.Success) throw new InvalidOperationException("the sign-in page has no antiforgery token");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = AgentOf(tenant),
            ["password"] = Password,
            ["returnUrl"] = "",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        using var response = await client.PostAsync($"/t/{tenant}/login", content, ct);
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.ToString().Contains("/tickets", StringComparison.Ordinal) != true)
            throw new InvalidOperationException($"signing in as {AgentOf(tenant)} answered {(int)response.StatusCode} → {response.Headers.Location}");
        var queue = await client.GetStringAsync($"/t/{tenant}/tickets", ct);
        if (!queue.Contains("My queue", StringComparison.Ordinal)) throw new InvalidOperationException("signed in, but /tickets is not the agent's queue");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>
    /// Requests the page one after another in both tenants, in alternating blocks whose order flips every round,
    /// and keeps the time to first byte (headers) and to the last byte.
    /// </summary>
    private static async Task<(Stats Demo, Stats Scaled, int Errors)> ServerTimesAsync(HttpClient demoClient, HttpClient scaledClient, Subject subject, Settings settings, CancellationToken ct)
    {
        var demo = new Stats();
        var scaled = new Stats();
        var errors = 0;
        var block = Math.Max(1, (int)Math.Ceiling(settings.Requests / (double)settings.Rounds));
        for (var round = 0; round < settings.Rounds; round++)
        {
            if (round % 2 == 0)
            {
                errors += await RequestAsync(demoClient, subject.DemoUrl, block, demo, ct);
                errors += await RequestAsync(scaledClient, subject.ScaledUrl, block, scaled, ct);
            }
            else
            {
                errors += await RequestAsync(scaledClient, subject.ScaledUrl, block, scaled, ct);
                errors += await RequestAsync(demoClient, subject.DemoUrl, block, demo, ct);
            }
        }
        return (demo, scaled, errors);
    }

    private static async Task<int> RequestAsync(HttpClient client, string url, int count, Stats? into, CancellationToken ct)
    {
        var errors = 0;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            var first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var body = await response.Content.ReadAsStringAsync(ct);
            var last = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var ok = response.StatusCode == HttpStatusCode.OK && (body.Contains("id=\"ticket-list\"", StringComparison.Ordinal) || body.Contains("id=\"no-tickets\"", StringComparison.Ordinal));
            if (!ok)
            {
                errors++;
                if (errors == 1) Console.WriteLine($"{url} answered {(int)response.StatusCode} without the queue");
            }
            into?.Add(first, last, RowCount().Count(body), Encoding.UTF8.GetByteCount(body));
        }
        return errors;
    }

    [GeneratedRegex("<tr data-ticket-id=")]
    private static partial Regex RowCount();

    // ------------------------------------------------------------------------------------------ browser

    private static string? FindChromium(string? given)
    {
        foreach (var candidate in new[] { given, Environment.GetEnvironmentVariable("CUSTOMERCARE_BENCH_CHROMIUM"), Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_CHROMIUM"), "/usr/bin/chromium" })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "chromium"))) return Path.Combine(dir, "chromium");
        return null;
    }

    /// <summary>A browser context of its own (cookies) with the live-connection probe, signed in through the sign-in page as a person would.</summary>
    private static async Task<IPage> NewSignedInPageAsync(IBrowser browser, Uri address, string tenant)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(60_000);
        await context.AddInitScriptAsync(InitScript);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/t/{tenant}/login");
        await page.GetByLabel("Email").FillAsync(AgentOf(tenant));
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/t/{Regex.Escape(tenant)}/tickets"));
        return page;
    }

    /// <summary>Loads the page (the browser's cache warm, as in daily use), waits until the queue is shown and live, and reads the browser's own timings.</summary>
    private static async Task LoadAsync(IPage page, string url, BrowserStats stats, bool keep)
    {
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.Locator("#ticket-list").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        await page.WaitForFunctionAsync("() => window.__ccLive !== undefined");
        var t = await page.EvaluateAsync<JsonElement>(TimingScript);
        var state = t.GetProperty("state").GetString();
        if (state != "connected" || t.GetProperty("rows").GetInt32() == 0)
        {
            stats.Errors++;
            Console.WriteLine($"browser: {url}: live connection {state}, {t.GetProperty("rows").GetInt32()} rows");
        }
        if (!keep) return;
        double Ms(string name) => t.GetProperty(name).GetDouble();
        stats.Add("time to first byte", Ms("ttfb"));
        if (Ms("fcp") >= 0) stats.Add("first contentful paint", Ms("fcp"));
        stats.Add("DOMContentLoaded", Ms("dcl"));
        stats.Add("load", Ms("load"));
        stats.Add("live connection up", Ms("live"));
        stats.Add(Interactive, new[] { Ms("dcl"), Ms("fcp"), Ms("live") }.Max());
        stats.Rows = t.GetProperty("rows").GetInt32();
    }

    private const string Interactive = "interactive (queue shown, scripts run, live)";

    /// <summary>The browser measures in the order they happen (first contentful paint is missing when Chromium reports none).</summary>
    private static readonly string[] Measures = ["time to first byte", "first contentful paint", "DOMContentLoaded", "load", "live connection up", Interactive];

    // --------------------------------------------------------------------------------------------- data

    private static System.Data.Common.DbConnection Open(string provider, string connection)
        => provider == "postgres" ? new NpgsqlConnection(connection) : new SqliteConnection(connection);

    private static async Task<string> AgentIdAsync(string provider, string connection, CancellationToken ct)
    {
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = $"""SELECT "UserId" FROM cc_staff WHERE "TenantId" = '{Tenant}' AND "Email" = '{AgentOf(Tenant)}'""";
        return await command.ExecuteScalarAsync(ct) as string ?? throw new InvalidOperationException($"{AgentOf(Tenant)} is not in the staff directory of {Tenant}");
    }

    /// <summary>
    /// Grows the demo tenant: <see cref="Settings.ExtraAgents"/> more agents through the library's staff store,
    /// customer profiles, then the tickets in bulk, assigned over the demo's two agents and the new ones.
    /// </summary>
    private static async Task<double> SeedAsync(string provider, BenchDatabase database, string agentId, Settings settings, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddEntityFrameworkCoreTenantStore();
        await using var library = services.BuildServiceProvider();
        TenantInfo tenant;
        await using (var scope = library.CreateAsyncScope())
            tenant = await scope.ServiceProvider.GetRequiredService<ITenantStore>().FindByIdentifierAsync(Tenant, ct) ?? throw new InvalidOperationException($"no tenant {Tenant}");
        var agents = new List<Seeder.Person>();
        using (library.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant)))
        {
            await using var scope = library.CreateAsyncScope();
            var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
            foreach (var member in await staff.ListAsync(activeOnly: true, ct))
                if (member.Role == ActorRole.Agent) agents.Add(new Seeder.Person(member.UserId, member.DisplayName));
            for (var a = 1; a <= settings.ExtraAgents; a++)
            {
                var member = new StaffMember { UserId = $"bench-agent-{a:D2}", DisplayName = $"Bench Agent {a:D2}", Email = $"bench-agent-{a:D2}@{Tenant}.example", Role = ActorRole.Agent };
                await staff.AddAsync(member, ct);
                agents.Add(new Seeder.Person(member.UserId, member.DisplayName));
            }
        }
        if (!agents.Any(a => a.Id == agentId)) throw new InvalidOperationException("the demo agent is not among the tenant's agents");
        var customers = Enumerable.Range(1, settings.Customers).Select(c => new Seeder.Person($"bench-customer-{c:D5}", $"Customer {c:D5}")).ToList();
        await Seeder.InsertCustomersAsync(provider, database.ConnectionString, customers.Select(c => (tenant.Id, c)), ct);
        await Seeder.LoadTenantAsync(provider, database.ConnectionString, tenant.Id, Prefix, new Seeder.TenantShape(agents, customers), settings.Tickets, ct);
        return watch.Elapsed.TotalSeconds;
    }

    private const string QueueWhere = """WHERE "TenantId" = '{0}' AND ("AssigneeId" = '{1}' OR "AssigneeId" IS NULL) AND "Status" IN (0, 1, 2)""";

    /// <summary>How many tickets the agent's queue holds, and the keyset cursor of page <see cref="DeepPage"/> (or the last page when it has fewer).</summary>
    private static async Task<(long Rows, int Page, long? Cursor)> DeepCursorAsync(string provider, string connection, string agentId, CancellationToken ct)
    {
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        var where = string.Format(CultureInfo.InvariantCulture, QueueWhere, Tenant, agentId);
        await using var count = db.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM cc_tickets {where}";
        var rows = Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        var page = (int)Math.Clamp((rows - 1) / PageSize + 1, 1, DeepPage);
        if (page == 1) return (rows, 1, null);
        await using var cursor = db.CreateCommand();
        // The page's cursor is the number of the last ticket of the page before it.
        cursor.CommandText = $"""SELECT "Number" FROM cc_tickets {where} ORDER BY "Number" DESC LIMIT 1 OFFSET {(page - 1) * PageSize - 1}""";
        return (rows, page, Convert.ToInt64(await cursor.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture));
    }

    /// <summary>The plans of the queue's queries (hand-written twins of what EF Core sends for the page) at scale.</summary>
    private static async Task<string> ExplainAsync(string provider, string connection, string agentId, long? cursor, CancellationToken ct)
    {
        var visible = $"""("AssigneeId" = '{agentId}' OR "AssigneeId" IS NULL)""";
        var queries = new List<(string Name, string Sql)>
        {
            ("queue page 1", $"""SELECT * FROM cc_tickets WHERE "TenantId" = '{Tenant}' AND {visible} AND "Status" IN (0, 1, 2) ORDER BY "Number" DESC LIMIT {PageSize + 1}"""),
            // A filter on the agent's own or on unassigned tickets implies what they may see: no visibility OR (EfTicketStore).
            ("filter: unassigned", $"""SELECT * FROM cc_tickets WHERE "TenantId" = '{Tenant}' AND "AssigneeId" IS NULL ORDER BY "Number" DESC LIMIT {PageSize + 1}"""),
            ("filter: mine, pending, high", $"""SELECT * FROM cc_tickets WHERE "TenantId" = '{Tenant}' AND "Status" IN (2) AND "Priority" = 2 AND "AssigneeId" = '{agentId}' ORDER BY "Number" DESC LIMIT {PageSize + 1}"""),
        };
        if (cursor is { } c)
            queries.Insert(1, ("deep page", $"""SELECT * FROM cc_tickets WHERE "TenantId" = '{Tenant}' AND {visible} AND "Status" IN (0, 1, 2) AND "Number" < {c} ORDER BY "Number" DESC LIMIT {PageSize + 1}"""));
        var text = new StringBuilder();
        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"query plans at scale ({provider}; the page's queries, written by hand):");
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        foreach (var (name, sql) in queries)
        {
            await using var command = db.CreateCommand();
            command.CommandText = (provider == "postgres" ? "EXPLAIN (ANALYZE, COSTS OFF) " : "EXPLAIN QUERY PLAN ") + sql;
            text.AppendLine(CultureInfo.InvariantCulture, $"-- {name}:");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                text.AppendLine(provider == "postgres" ? "   " + reader.GetString(0) : $"   {reader.GetValue(3)}");
        }
        return text.ToString();
    }

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    // ------------------------------------------------------------------------------------------ numbers

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private sealed class Stats
    {
        public List<double> Ttfb { get; } = [];

        public List<double> Total { get; } = [];

        public int Rows { get; private set; }

        public int Bytes { get; private set; }

        public void Add(double ttfb, double total, int rows, int bytes)
        {
            Ttfb.Add(ttfb);
            Total.Add(total);
            Rows = rows;
            Bytes = bytes;
        }

        public double Median => Percentile(Ttfb, 0.5);

        public double P95 => Percentile(Ttfb, 0.95);

        public double TotalMedian => Percentile(Total, 0.5);
    }

    private sealed class BrowserStats
    {
        public Dictionary<string, List<double>> Measures { get; } = [];

        public int Errors { get; set; }

        public int Rows { get; set; }

        public int Loads => Measures.TryGetValue("load", out var l) ? l.Count : 0;

        public void Add(string name, double ms)
        {
            if (!Measures.TryGetValue(name, out var list)) Measures[name] = list = [];
            list.Add(ms);
        }

        public double P(string name, double p) => Measures.TryGetValue(name, out var list) ? Percentile(list, p) : double.NaN;
    }

    private sealed class Report(string provider)
    {
        private readonly List<string> _server = [];
        private readonly List<string> _browser = [];

        public void Server(Subject subject, Stats demo, Stats scaled)
            => Add(_server, $"| {provider} | {subject.Name} | `{subject.ScaledUrl}` | {scaled.Rows} | {demo.Median:F1} / {demo.P95:F1} | {scaled.Median:F1} / {scaled.P95:F1} | {scaled.P95 / demo.P95:F2}{subject.Note} | {scaled.TotalMedian:F1} | {scaled.Bytes / 1024.0:F0} | {scaled.Ttfb.Count} + {demo.Ttfb.Count} |");

        public void Browser(string page, BrowserStats demo, BrowserStats scaled)
        {
            foreach (var measure in Measures.Where(scaled.Measures.ContainsKey))
                Add(_browser, $"| {provider} | {page} | {measure} | {demo.P(measure, 0.5):F0} / {demo.P(measure, 0.95):F0} | {scaled.P(measure, 0.5):F0} / {scaled.P(measure, 0.95):F0} | {scaled.P(measure, 0.95) / demo.P(measure, 0.95):F2} | {scaled.Loads} |");
        }

        private static void Add(List<string> rows, string row)
        {
            rows.Add(row);
            Console.WriteLine(row);
        }

        public void Print(Settings settings, Dictionary<string, Stats> scaled, BrowserStats? page1, BrowserStats? deep)
        {
            Console.WriteLine();
            Console.WriteLine($"## {provider}: the agent queue's server time (time to first byte, ms) at demo size and with {settings.Tickets:N0} tickets in the tenant");
            Console.WriteLine();
            Console.WriteLine("| db | page (agent) | URL | rows | demo p50 / p95 | scaled p50 / p95 | p95 ratio | scaled last byte p50 | KiB | requests |");
            Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in _server) Console.WriteLine(row);
            if (_browser.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine($"## {provider}: the agent queue in Chromium (ms from navigation start) at demo size and with {settings.Tickets:N0} tickets");
                Console.WriteLine();
                Console.WriteLine("| db | page | measure | demo p50 / p95 | scaled p50 / p95 | p95 ratio | loads |");
                Console.WriteLine("|---|---|---|---:|---:|---:|---:|");
                foreach (var row in _browser) Console.WriteLine(row);
            }
            Console.WriteLine();
            var queue = scaled.Where(s => !s.Key.StartsWith("search", StringComparison.Ordinal)).ToList();
            var worst = queue.MaxBy(s => s.Value.P95);
            Console.WriteLine($"goal: server time p95 <= {ServerGoalMs:F0} ms on the queue pages with {settings.Tickets:N0} tickets: {(worst.Value.P95 <= ServerGoalMs ? "met" : "NOT met")} (slowest: {worst.Key}, p95 {worst.Value.P95:F1} ms)");
            var search = scaled.Where(s => s.Key.StartsWith("search", StringComparison.Ordinal)).ToList();
            foreach (var (name, stats) in search)
                Console.WriteLine($"search (not a queue page, reported apart): {name}: p95 {stats.P95:F1} ms ({(stats.P95 <= ServerGoalMs ? "within" : "over")} {ServerGoalMs:F0} ms)");
            if (page1 is not null)
            {
                const string interactive = Interactive;
                var p95 = Math.Max(page1.P(interactive, 0.95), deep?.P(interactive, 0.95) ?? 0);
                Console.WriteLine($"goal: agent queue interactive p95 <= {InteractiveGoalMs:F0} ms with {settings.Tickets:N0} tickets: {(p95 <= InteractiveGoalMs ? "met" : "NOT met")} (page 1 p50 {page1.P(interactive, 0.5):F0} / p95 {page1.P(interactive, 0.95):F0} ms"
                    + (deep is null ? ")" : $", deep page p50 {deep.P(interactive, 0.5):F0} / p95 {deep.P(interactive, 0.95):F0} ms)"));
            }
        }
    }
}
