using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using CustomerCare.Benchmarks.Scale;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CustomerCare.Benchmarks;

/// <summary>
/// Issue 6: throughput, latency and scale through the full HTTP stack, each figure next to a raw EF Core
/// baseline measured in the same run. Seeds a database at growing sizes, starts the benchmark host in a
/// child process, drives load at it from this process and prints one table.
/// </summary>
internal static class ScaleBenchmark
{
    private const string QueueTenant = "t000";
    private const string QueueAgent = "agent-00";
    private const int PageSize = 25;
    private const int DeepPage = 1000;
    private static readonly byte[] CreateBody = Encoding.UTF8.GetBytes("""{"subject":"Card payment declined","description":"My card was declined three times this morning although the balance is fine."}""");

    private sealed record Settings(int Tenants, long[] Scales, TimeSpan Block, int Rounds, int Workers, int QueueWorkers, bool InProcess, bool Smoke);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var args = options.Arguments.ToList();
        string? Value(string name) { var i = args.IndexOf(name); return i >= 0 && i + 1 < args.Count ? args[i + 1] : null; }
        var smoke = options.Smoke;
        var settings = new Settings(
            Tenants: options.Int("--tenants", smoke ? 3 : 100),
            Scales: (Value("--scales") ?? (smoke ? "300,600" : "10000,100000,1000000")).Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            Block: TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? (smoke ? "0.3" : "5"), CultureInfo.InvariantCulture)),
            Rounds: options.Int("--rounds", smoke ? 1 : 3),
            Workers: options.Int("--workers", smoke ? 2 : 8),
            QueueWorkers: options.Int("--queue-workers", smoke ? 1 : 2),
            InProcess: smoke || args.Contains("--in-process"),
            Smoke: smoke);
        var provider = options.Provider;
        using var cts = new CancellationTokenSource();
        var ct = cts.Token;
        var report = new Report(provider, settings.Tenants);
        var load = Environment.ProcessorCount > 0 ? GetLoad() : "";
        Console.WriteLine($"# scale — {provider}, {settings.Tenants} tenants, sizes {string.Join(", ", settings.Scales)}, blocks of {settings.Block.TotalSeconds:0.#} s × {settings.Rounds} rounds, {settings.Workers} workers; load average {load}");

        await using var database = await BenchDatabase.CreateAsync(provider);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddEntityFrameworkCoreTenantStore();
        await using var library = services.BuildServiceProvider();
        await library.MigrateCustomerCareDatabaseAsync(ct);
        var seeder = new Seeder(provider, database.ConnectionString, library, settings.Tenants);
        await seeder.SetupAsync(ct);
        var seconds = await seeder.GrowToAsync(settings.Scales[0], ct);
        await seeder.VerifyAsync(ct);
        Console.WriteLine($"seeded {seeder.Total:N0} tickets in {seconds:F1} s");

        var pickup = Path.Combine(Path.GetTempPath(), $"cc-bench-pickup-{Guid.NewGuid():N}");
        var port = FreePort();
        await using var host = await StartHostAsync(provider, database.ConnectionString, port, pickup, settings.InProcess, ct);
        using var client = LoadGenerator.CreateClient(new Uri($"http://127.0.0.1:{port}"), Math.Max(settings.Workers, 64));
        var generator = new LoadGenerator(client);
        var random = new Random(42);

        // Who raises tickets: customers spread over every tenant. What is read: seeded tickets, by their customer.
        var customers = Enumerable.Range(0, 1000).Select(_ => { var t = random.Next(settings.Tenants); return (Tenant: Seeder.TenantId(t), User: Seeder.CustomerId(random.Next(seeder.Customers(t)))); }).ToArray();
        var readable = await SampleTicketsAsync(provider, database.ConnectionString, 2000, ct);
        HttpRequestMessage Create(long n) { var (tenant, user) = customers[n % customers.Length]; return Post($"/t/{tenant}/api/tickets", tenant, user); }
        HttpRequestMessage RawCreate(long n) { var (tenant, user) = customers[n % customers.Length]; return Post($"/raw/{tenant}/tickets", tenant, user); }
        HttpRequestMessage Read(long n) { var r = readable[n % readable.Length]; return Get($"/t/{r.Tenant}/api/tickets/{r.Id}", r.Tenant, r.Customer); }
        HttpRequestMessage RawRead(long n) { var r = readable[n % readable.Length]; return Get($"/raw/{r.Tenant}/tickets/{r.Id}", r.Tenant, r.Customer); }

        // Warm-up: JIT, connection pools, EF Core query caches on both sides.
        foreach (var (make, status) in new (Func<long, HttpRequestMessage>, HttpStatusCode)[] { (Create, HttpStatusCode.Created), (RawCreate, HttpStatusCode.Created), (Read, HttpStatusCode.OK), (RawRead, HttpStatusCode.OK) })
            await generator.ClosedLoopAsync("warm-up", make, status, settings.Workers, settings.Block / 2, ct);

        // 1. Create through the full HTTP stack vs one raw EF Core insert, interleaved.
        var (cc, raw) = await InterleavedAsync(generator, settings, "create", Create, "raw insert", RawCreate, HttpStatusCode.Created, settings.Workers, ct);
        report.Pair("create ticket (peak, closed loop)", cc, raw, ">= 50 % of raw", cc.Throughput / raw.Throughput >= 0.5);
        var halfCc = await generator.OpenLoopAsync("create @ half peak", Create, HttpStatusCode.Created, cc.Throughput / 2, settings.Block * 2, ct);
        var halfRaw = await generator.OpenLoopAsync("raw insert @ half peak", RawCreate, HttpStatusCode.Created, raw.Throughput / 2, settings.Block * 2, ct);
        report.Pair($"create ticket @ half of peak ({cc.Throughput / 2:F0}/s vs {raw.Throughput / 2:F0}/s, open loop)", halfCc, halfRaw, "p99 <= 50 ms", halfCc.Percentile(0.99) <= 50);

        // 2. Read a ticket vs one raw EF Core query by id.
        (cc, raw) = await InterleavedAsync(generator, settings, "read", Read, "raw query", RawRead, HttpStatusCode.OK, settings.Workers, ct);
        report.Pair("read ticket (peak, closed loop)", cc, raw, ">= 75 % of raw", cc.Throughput / raw.Throughput >= 0.75);

        // 3. SQL round trips per request, seen by an EF Core interceptor (and Npgsql's tracing on PostgreSQL).
        //    First as a caller's first request after the tenant and caller caches expired (cold), then as in steady state.
        await ExpireCachesAsync(client);
        report.Commands("create ticket, cold caches", await TraceAsync(client, Create(0)));
        report.Commands("create ticket", await TraceAsync(client, Create(0)));
        report.Commands("read ticket, cold caches", await TraceAsync(client, Read(0)));
        report.Commands("read ticket", await TraceAsync(client, Read(0)));
        await WarmAsync(client, Queue(null));
        report.Commands("agent queue, page 1", await TraceAsync(client, Queue(null)));

        // 4. The agent queue at each size: page 1 and a deep page (keyset), next to the same query written raw.
        var queueP95 = new Dictionary<long, double>();
        var queueDb = new Dictionary<long, double>();
        foreach (var scale in settings.Scales)
        {
            if (seeder.Total < scale)
            {
                seconds = await seeder.GrowToAsync(scale, ct);
                await seeder.VerifyAsync(ct);
                Console.WriteLine($"seeded up to {seeder.Total:N0} tickets in {seconds:F1} s");
            }
            var (page, cursor) = await DeepCursorAsync(provider, database.ConnectionString, ct);
            await generator.ClosedLoopAsync("warm-up", _ => Queue(cursor), HttpStatusCode.OK, settings.QueueWorkers, settings.Block / 2, ct);
            // Page 1 and the deep page, each next to its raw twin, all four interleaved in the same rounds.
            var four = await InterleavedManyAsync(generator, settings, HttpStatusCode.OK, settings.QueueWorkers, ct,
                ("raw page 1", _ => RawQueue(null)), ("queue page 1", _ => Queue(null)), ($"raw page {page}", _ => RawQueue(cursor)), ($"queue page {page}", _ => Queue(cursor)));
            var (rawFirst, first, rawDeep, deep) = (four[0], four[1], four[2], four[3]);
            var (dbFirst, dbDeep) = await DatabaseOnlyAsync(provider, database.ConnectionString, cursor, settings.Smoke ? 5 : 300, ct);
            report.Note($"queue query alone in the database @ {seeder.Total:N0} (same SQL as CustomerCare's, median of repeated runs, no HTTP): page 1 {dbFirst:F2} ms, page {page} {dbDeep:F2} ms");
            var limit = provider == "postgres" ? 50 : 100;
            var label = $"{seeder.Total:N0} tickets ({seeder.TicketsOf(0):N0} in {QueueTenant})";
            report.Pair($"agent queue page 1 @ {label}", first, rawFirst, $"p95 <= {limit} ms", first.Percentile(0.95) <= limit);
            report.Pair($"agent queue page {page} @ {label}", deep, rawDeep, $"p95 <= 1.2 × page 1", deep.Percentile(0.95) <= 1.2 * first.Percentile(0.95));
            queueP95[scale] = first.Percentile(0.95);
            queueDb[scale] = dbFirst;
            report.Note($"queue page {page} vs page 1 @ {seeder.Total:N0}: p95 ×{deep.Percentile(0.95) / first.Percentile(0.95):F2}");
            if (scale == settings.Scales[^1])
            {
                try { report.Plan(await ExplainAsync(provider, database.ConnectionString, client, cursor, ct)); }
                catch (System.Data.Common.DbException ex) { report.Plan($"(EXPLAIN failed: {ex.Message})\n"); }
            }
        }
        if (queueP95.Count > 1)
        {
            var small = queueP95[settings.Scales[0]];
            var large = queueP95[settings.Scales[^1]];
            report.Note($"queue page 1 p95 at {settings.Scales[^1]:N0} vs {settings.Scales[0]:N0}: ×{large / small:F2} (goal <= 1.5: {(large <= 1.5 * small ? "met" : "NOT met")}); "
                + $"the query alone in the database: ×{queueDb[settings.Scales[^1]] / queueDb[settings.Scales[0]]:F2}");
        }

        report.Print();
        Console.WriteLine($"load average after: {GetLoad()}");
        Console.WriteLine("scenario scale: ran");
        return report.Errors == 0 ? 0 : 1;

        HttpRequestMessage Queue(long? before) => Get($"/t/{QueueTenant}/api/tickets?status=new,open,pending&limit={PageSize}" + (before is { } b ? $"&cursor={b}" : ""), QueueTenant, QueueAgent);
        HttpRequestMessage RawQueue(long? before) => Get($"/raw/{QueueTenant}/queue?agent={QueueAgent}" + (before is { } b ? $"&cursor={b}" : ""), QueueTenant, QueueAgent);
    }

    private static HttpRequestMessage Get(string path, string tenant, string user)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, path);
        message.Headers.TryAddWithoutValidation("Authorization", $"Bench {tenant}:{user}");
        return message;
    }

    private static HttpRequestMessage Post(string path, string tenant, string user)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(CreateBody) };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("Authorization", $"Bench {tenant}:{user}");
        return message;
    }

    /// <summary>Alternates subject and baseline blocks (order flipped every round) so drift of the shared machine hits both.</summary>
    /// <summary>Several subjects in alternating blocks; the order is rotated every round.</summary>
    private static async Task<LoadResult[]> InterleavedManyAsync(LoadGenerator generator, Settings settings, HttpStatusCode expected, int workers, CancellationToken ct,
        params (string Name, Func<long, HttpRequestMessage> Make)[] subjects)
    {
        var results = subjects.Select(_ => new List<LoadResult>()).ToArray();
        for (var round = 0; round < settings.Rounds; round++)
        {
            for (var k = 0; k < subjects.Length; k++)
            {
                var i = round % 2 == 0 ? k : subjects.Length - 1 - k;
                results[i].Add(await generator.ClosedLoopAsync(subjects[i].Name, subjects[i].Make, expected, workers, settings.Block, ct));
            }
        }
        return [.. results.Select((r, i) => LoadResult.Merge(subjects[i].Name, r))];
    }

    /// <summary>The queue query's own cost in the database (ADO.NET, no EF Core, no HTTP): median ms of page 1 and of the deep page.</summary>
    private static async Task<(double First, double Deep)> DatabaseOnlyAsync(string provider, string connection, long? cursor, int runs, CancellationToken ct)
    {
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        async Task<double> MedianAsync(long? before)
        {
            await using var command = db.CreateCommand();
            command.CommandText = $"""
                SELECT * FROM cc_tickets WHERE "TenantId" = '{QueueTenant}' AND ("AssigneeId" = '{QueueAgent}' OR "AssigneeId" IS NULL) AND "Status" IN (0, 1, 2)
                {(before is { } b ? $"AND \"Number\" < {b}" : "")} ORDER BY "Number" DESC LIMIT {PageSize + 1}
                """;
            var samples = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await using (var reader = await command.ExecuteReaderAsync(ct)) while (await reader.ReadAsync(ct)) { }
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            samples.Sort();
            return samples[samples.Count / 2];
        }
        var first = await MedianAsync(null);
        var deep = await MedianAsync(cursor);
        return (first, deep);
    }

    private static async Task<(LoadResult Subject, LoadResult Baseline)> InterleavedAsync(LoadGenerator generator, Settings settings,
        string subjectName, Func<long, HttpRequestMessage> subject, string baselineName, Func<long, HttpRequestMessage> baseline,
        HttpStatusCode expected, int workers, CancellationToken ct)
    {
        var s = new List<LoadResult>();
        var b = new List<LoadResult>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            if (round % 2 == 0)
            {
                b.Add(await generator.ClosedLoopAsync(baselineName, baseline, expected, workers, settings.Block, ct));
                s.Add(await generator.ClosedLoopAsync(subjectName, subject, expected, workers, settings.Block, ct));
            }
            else
            {
                s.Add(await generator.ClosedLoopAsync(subjectName, subject, expected, workers, settings.Block, ct));
                b.Add(await generator.ClosedLoopAsync(baselineName, baseline, expected, workers, settings.Block, ct));
            }
        }
        return (LoadResult.Merge(subjectName, s), LoadResult.Merge(baselineName, b));
    }

    private static async Task WarmAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request))
            response.EnsureSuccessStatusCode();
    }

    private static async Task ExpireCachesAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/bench/expire-caches", null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<IReadOnlyList<TracedCommand>> TraceAsync(HttpClient client, HttpRequestMessage request)
    {
        request.Headers.Add("X-Bench-Trace", "1");
        using (var response = await client.SendAsync(request))
        {
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"traced {request.Method} {request.RequestUri} answered {(int)response.StatusCode}");
        }
        request.Dispose();
        return await client.GetFromJsonAsync<List<TracedCommand>>("/bench/trace") ?? [];
    }

    private sealed record Readable(string Tenant, Guid Id, string Customer);

    private static async Task<Readable[]> SampleTicketsAsync(string provider, string connection, int count, CancellationToken ct)
    {
        var list = new List<Readable>();
        const string sql = """SELECT "TenantId", "Id", "CustomerId" FROM cc_tickets ORDER BY random() LIMIT {0}""";
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = string.Format(CultureInfo.InvariantCulture, sql, count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new Readable(reader.GetString(0), reader.GetFieldValue<Guid>(1), reader.GetString(2)));
        return [.. list];
    }

    /// <summary>The deepest page up to 1,000 that the agent's queue has, and the keyset cursor that starts it.</summary>
    private static async Task<(int Page, long? Cursor)> DeepCursorAsync(string provider, string connection, CancellationToken ct)
    {
        await using var db = Open(provider, connection);
        await db.OpenAsync(ct);
        const string where = """WHERE "TenantId" = 't000' AND ("AssigneeId" = 'agent-00' OR "AssigneeId" IS NULL) AND "Status" IN (0, 1, 2)""";
        await using var count = db.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM cc_tickets {where}";
        var rows = Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        var page = (int)Math.Clamp(rows / PageSize, 1, DeepPage);
        if (page == 1) return (1, null);
        await using var cursor = db.CreateCommand();
        cursor.CommandText = $"""SELECT "Number" FROM cc_tickets {where} ORDER BY "Number" DESC LIMIT 1 OFFSET {(page - 1) * PageSize - 1}""";
        return (page, Convert.ToInt64(await cursor.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture));
    }

    /// <summary>The plan of the queue query exactly as CustomerCare sent it (text and parameters from the trace).</summary>
    private static async Task<string> ExplainAsync(string provider, string connection, HttpClient client, long? cursor, CancellationToken ct)
    {
        var plans = new StringBuilder();
        foreach (var (name, before) in new[] { ("page 1", (long?)null), ("deep page", cursor) })
        {
            var commands = await TraceAsync(client, Get($"/t/{QueueTenant}/api/tickets?status=new,open,pending&limit={PageSize}" + (before is { } b ? $"&cursor={b}" : ""), QueueTenant, QueueAgent));
            var query = commands.LastOrDefault(c => c.Source == "ef" && c.Text.Contains("cc_tickets", StringComparison.Ordinal) && c.Text.Contains("ORDER BY", StringComparison.Ordinal));
            if (query is null) continue;
            var sql = query.Text;
            foreach (var (parameter, value) in (query.Parameters ?? []).OrderByDescending(p => p.Key.Length))
                sql = System.Text.RegularExpressions.Regex.Replace(sql, System.Text.RegularExpressions.Regex.Escape(parameter.StartsWith('@') ? parameter : "@" + parameter) + @"\b", (value ?? "NULL").Replace("$", "$$", StringComparison.Ordinal));
            await using var db = Open(provider, connection);
            await db.OpenAsync(ct);
            await using var command = db.CreateCommand();
            command.CommandText = (provider == "postgres" ? "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " : "EXPLAIN QUERY PLAN ") + sql;
            plans.AppendLine(CultureInfo.InvariantCulture, $"-- {provider}, queue {name}:").AppendLine(query.Text.Trim()).AppendLine("--");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                plans.AppendLine(provider == "postgres" ? reader.GetString(0) : $"{reader.GetValue(0)} {reader.GetValue(1)} {reader.GetValue(3)}");
            plans.AppendLine();
        }
        return plans.ToString();
    }

    private static System.Data.Common.DbConnection Open(string provider, string connection)
        => provider == "postgres" ? new NpgsqlConnection(connection) : new SqliteConnection(connection);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string GetLoad()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>The benchmark host, in a child process (real runs) or in this process (smoke).</summary>
    private sealed class HostHandle(Process? process, WebApplication? app, string pickup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            // The outbox's mails (pickup folder) go once the host that writes them has stopped.
            try { if (Directory.Exists(pickup)) Directory.Delete(pickup, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private async Task StopAsync()
        {
            if (app is not null) await app.DisposeAsync();
            if (process is not null)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    private static async Task<HostHandle> StartHostAsync(string provider, string connection, int port, string pickup, bool inProcess, CancellationToken ct)
    {
        HostHandle handle;
        if (inProcess)
        {
            var app = BenchHost.Build(provider, connection, port, pickup);
            await app.StartAsync(ct);
            handle = new HostHandle(null, app, pickup);
        }
        else
        {
            var self = typeof(ScaleBenchmark).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var a in new[] { self, "host", "--provider", provider, "--connection", connection, "--port", port.ToString(CultureInfo.InvariantCulture), "--pickup", pickup })
                start.ArgumentList.Add(a);
            start.Environment["DOTNET_gcServer"] = "0";
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the benchmark host");
            handle = new HostHandle(process, null, pickup);
        }
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync("/bench/ready", ct);
                if (response.IsSuccessStatusCode) return handle;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) { await handle.DisposeAsync(); throw new TimeoutException("the benchmark host did not start within 60 s"); }
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Collects rows and prints the table.</summary>
    private sealed class Report(string provider, int tenants)
    {
        private readonly List<string> _rows = [];
        private readonly List<string> _notes = [];
        private readonly List<string> _commands = [];
        private readonly List<string> _plans = [];

        public int Errors { get; private set; }

        public void Pair(string scenario, LoadResult subject, LoadResult baseline, string goal, bool met)
        {
            Errors += subject.Errors + baseline.Errors;
            Add($"| {provider} | {scenario} | {subject.Throughput:F0} | {baseline.Throughput:F0} | {100 * subject.Throughput / baseline.Throughput:F0} % | " +
                      $"{subject.Percentile(0.5):F1} / {subject.Percentile(0.95):F1} / {subject.Percentile(0.99):F1} | " +
                      $"{baseline.Percentile(0.5):F1} / {baseline.Percentile(0.95):F1} / {baseline.Percentile(0.99):F1} | " +
                      $"{subject.Percentile(0.95) / baseline.Percentile(0.95):F2} | {subject.Requests} + {baseline.Requests} | {goal} | {(met ? "met" : "NOT met")} |" +
                      (subject.Errors + baseline.Errors > 0 ? $" {subject.Errors + baseline.Errors} errors" : ""));
        }

        private void Add(string row)
        {
            _rows.Add(row);
            Console.WriteLine(row);   // as it comes, too: a long run that fails late still shows what it measured
        }

        public void Note(string note) { _notes.Add(note); Console.WriteLine(note); }

        public void Plan(string plan) => _plans.Add(plan);

        public void Commands(string request, IReadOnlyList<TracedCommand> commands)
        {
            var ef = commands.Where(c => c.Source == "ef").ToList();
            var npgsql = commands.Where(c => c.Source == "npgsql").ToList();
            var transactionEnds = ef.Count(c => c.Text is "COMMIT" or "ROLLBACK");
            var efCommands = ef.Count(c => c.Text is not ("BEGIN" or "COMMIT" or "ROLLBACK"));
            var count = provider == "postgres" ? npgsql.Count + transactionEnds : efCommands + transactionEnds;
            var goal = request == "create ticket" ? (count <= 4 ? " (goal <= 4: met)" : " (goal <= 4: NOT met)") : "";
            _commands.Add($"{request}: {count} round trips{goal}" + (provider == "postgres"
                ? $" — {npgsql.Count} commands seen by Npgsql ({efCommands} of them through EF Core) + {transactionEnds} COMMIT"
                : $" — {efCommands} EF Core commands + {transactionEnds} COMMIT (ADO.NET commands a store issues itself are not seen on SQLite; see the PostgreSQL count)"));
            var efTexts = ef.Select(c => c.Text.Trim()).ToHashSet();
            foreach (var c in commands.Where(c => c.Source == "ef" || !efTexts.Contains(c.Text.Trim())))
                _commands.Add($"    {(c.Source == "ef" ? "" : "[outside EF Core] ")}{c.Summary}");
        }

        public void Print()
        {
            Console.WriteLine();
            Console.WriteLine($"## {provider}: CustomerCare through HTTP vs raw EF Core baselines ({tenants} tenants)");
            Console.WriteLine();
            Console.WriteLine("| db | scenario | CustomerCare req/s | raw req/s | throughput ratio | CustomerCare p50 / p95 / p99 ms | raw p50 / p95 / p99 ms | p95 ratio | requests | goal | |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var row in _rows) Console.WriteLine(row);
            Console.WriteLine();
            foreach (var note in _notes) Console.WriteLine(note);
            Console.WriteLine();
            Console.WriteLine("SQL round trips per request:");
            foreach (var line in _commands) Console.WriteLine(line);
            Console.WriteLine();
            foreach (var plan in _plans) Console.Write(plan);
        }
    }
}
