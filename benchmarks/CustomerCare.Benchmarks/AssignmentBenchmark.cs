using System.Diagnostics;
using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Notifications.MailKit;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CustomerCare.Benchmarks;

/// <summary>
/// The cost automatic assignment adds to raising a ticket (issue 5 goal: at most 20% with 100 agents).
/// Two tenants in one database, identical but for the strategy (manual vs least-loaded / round-robin),
/// get tickets raised in alternating blocks, so drift of the machine hits both sides alike.
/// </summary>
internal static class AssignmentBenchmark
{
    private const int Block = 50;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        // Tables are read by people and by the smoke test: same number format everywhere.
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        await using var database = await BenchDatabase.CreateAsync(options.Provider);
        var services = new ServiceCollection();
        services.AddLogging();
        var customerCare = services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddInMemoryTenants(
            Tenant("manual", ManualAssignmentStrategy.StrategyName),
            Tenant("least-loaded", LeastLoadedAssignmentStrategy.StrategyName),
            Tenant("round-robin", RoundRobinAssignmentStrategy.StrategyName));
        // --outbox: an SMTP channel is registered, so every ticket also writes its notifications to the outbox
        // (customer's acknowledgement; the admin's mail under manual, the agent's and customer's under automatic
        // assignment). No dispatcher runs, so nothing is sent.
        var outbox = options.Arguments.Contains("--outbox");
        if (outbox) customerCare.AddSmtpNotifications(o => { o.Host = "127.0.0.1"; o.Port = 25; o.Tls = CustomerCare.Notifications.MailKit.SmtpTlsMode.None; });
        await using var provider = services.BuildServiceProvider();
        await provider.MigrateCustomerCareDatabaseAsync();

        var tenants = (await provider.GetRequiredService<ITenantStore>().GetAllAsync(CancellationToken.None)).ToDictionary(t => t.Id);
        foreach (var tenant in tenants.Values)
        {
            await InTenant(provider, tenant, async sp =>
            {
                var staff = sp.GetRequiredService<IStaffStore>();
                if (outbox) await staff.AddAsync(new StaffMember { UserId = "admin-1", DisplayName = "Admin", Email = "admin@bench.example", Role = ActorRole.Admin }, CancellationToken.None);
                for (var i = 0; i < options.Agents; i++)
                    await staff.AddAsync(new StaffMember { UserId = $"agent-{i:D3}", DisplayName = $"Agent {i}", Email = $"agent{i}@bench.example", Role = ActorRole.Agent }, CancellationToken.None);
            });
        }

        // Warm up each path (JIT, connection pools, query compilation) before measuring: --warmup creates per tenant
        // (default 2000; with 20, tiered compilation was still recompiling hot methods during the measured blocks and
        // took about two thirds of the process's CPU time; with 600, its thread still took a quarter of the machine, see
        // BENCHMARKS.md issue 5).
        var warmup = options.Int("--warmup", options.Smoke ? 20 : 2000);
        for (var done = 0; done < warmup; done += Block)
        {
            foreach (var tenant in tenants.Values) await CreateAsync(provider, tenant, Math.Min(Block, warmup - done), new List<double>(), database.Commands, new List<(int, int)>(), outbox);
        }
        if (options.Provider == "postgres")
        {
            // Statistics, as autovacuum would have gathered them on a live database: the run takes less than its one-minute nap.
            // Without them the server keeps the plans it made for the empty tables, among them the foreign-key checks of the
            // events' inserts, which then walked every ticket of the tenant on another index (0.13 ms each at the end of a run).
            await using var scope = provider.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CustomerCare.Storage.EFCore.CustomerCareDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
        }

        var samples = tenants.Keys.ToDictionary(k => k, _ => new List<double>());
        var elapsed = tenants.Keys.ToDictionary(k => k, _ => TimeSpan.Zero);
        var trips = tenants.Keys.ToDictionary(k => k, _ => new List<(int Commands, int Commits)>());
        var perTenant = options.Tickets;
        // CPU time (Linux schedstat, ns) of this process and of the database's server processes, per tenant: on a
        // loaded machine wall time inflates with waiting for a core, CPU time much less.
        var cpu = tenants.Keys.ToDictionary(k => k, _ => (Client: 0L, Server: 0L));
        var serverPids = await database.ServerProcessIdsAsync();
        // --phases: also sum the time spent inside each kind of SQL command, and in beginning and committing.
        var phases = options.Arguments.Contains("--phases") ? tenants.Keys.ToDictionary(k => k, _ => new PhaseTimes()) : null;
        var order = tenants.ToList();
        for (var done = 0; done < perTenant; done += Block)
        {
            // Each block starts with the next strategy, so each takes every place in the order equally often (the block after
            // another tenant's ran measurably slower or faster, depending on what that one left behind).
            foreach (var (id, tenant) in order.Skip(done / Block % order.Count).Concat(order.Take(done / Block % order.Count)))
            {
                database.Commands.Phases = phases?[id];
                var (client, server) = (CpuClock.Process(), CpuClock.Of(serverPids));
                var watch = Stopwatch.StartNew();
                await CreateAsync(provider, tenant, Math.Min(Block, perTenant - done), samples[id], database.Commands, trips[id], outbox);
                elapsed[id] += watch.Elapsed;
                cpu[id] = (cpu[id].Client + CpuClock.Process() - client, cpu[id].Server + CpuClock.Of(serverPids) - server);
            }
        }
        database.Commands.Phases = null;

        var baseline = elapsed["manual"].TotalSeconds;
        Console.WriteLine($"# Assignment overhead on raising a ticket — {options.Provider}, {options.Agents} agents, {perTenant} tickets per tenant, sequential{(outbox ? ", with outbox" : "")}");
        Console.WriteLine();
        Console.WriteLine("| strategy | tickets/s | mean ms | p50 ms | p95 ms | p99 ms | time vs manual | SQL commands per create (min–max) | commits | CPU ms per create: process + server | CPU vs manual |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double CpuPerCreate(string id) => (cpu[id].Client + cpu[id].Server) / 1e6 / samples[id].Count;
        foreach (var id in new[] { "manual", "least-loaded", "round-robin" })
        {
            var s = samples[id];
            s.Sort();
            var seconds = elapsed[id].TotalSeconds;
            Console.WriteLine($"| {id} | {s.Count / seconds:F0} | {s.Average():F2} | {Percentile(s, 0.50):F2} | {Percentile(s, 0.95):F2} | {Percentile(s, 0.99):F2} | {seconds / baseline:P0} | {trips[id].Average(t => t.Commands):F2} ({trips[id].Min(t => t.Commands)}–{trips[id].Max(t => t.Commands)}) | {trips[id].Average(t => t.Commits):F2} | {cpu[id].Client / 1e6 / s.Count:F3} + {cpu[id].Server / 1e6 / s.Count:F3} | {CpuPerCreate(id) / CpuPerCreate("manual"):P0} |");
        }

        if (phases is not null)
        {
            Console.WriteLine();
            Console.WriteLine("Time inside the database per create (mean ms; a reader's time is executing it plus reading it until it is disposed):");
            Console.WriteLine();
            Console.WriteLine("| strategy | command | per create | mean ms per create |");
            Console.WriteLine("|---|---|---:|---:|");
            foreach (var id in new[] { "manual", "least-loaded", "round-robin" })
            {
                var n = samples[id].Count;
                var inside = TimeSpan.Zero;
                foreach (var (kind, (count, time)) in phases[id].Times.OrderByDescending(t => t.Value.Time))
                {
                    Console.WriteLine($"| {id} | {kind} | {(double)count / n:F2} | {time.TotalMilliseconds / n:F3} |");
                    inside += time;
                }
                Console.WriteLine($"| {id} | **outside the database** (whole create − the above) | | {samples[id].Average() - inside.TotalMilliseconds / n:F3} |");
            }
            Console.WriteLine();
            await ExplainAsync(database, options.Provider, phases["least-loaded"]);
        }

        // Every automatic ticket must really have been assigned, or the comparison means nothing.
        foreach (var id in new[] { "least-loaded", "round-robin" })
        {
            var unassigned = await InTenant(provider, tenants[id], sp => sp.GetRequiredService<IAssignmentStore>().CountQueuedAsync(CancellationToken.None));
            if (unassigned != 0)
            {
                Console.Error.WriteLine($"{id}: {unassigned} tickets were left unassigned");
                return 1;
            }
        }
        Console.WriteLine();
        Console.WriteLine("scenario assignment: ran");
        return 0;
    }

    /// <summary>
    /// The plans of the statements sent under the assignment lock (the last least-loaded create's command, re-run
    /// with its parameters): <c>EXPLAIN (ANALYZE, BUFFERS)</c> in a rolled-back transaction on PostgreSQL,
    /// <c>EXPLAIN QUERY PLAN</c> on SQLite.
    /// </summary>
    private static async Task ExplainAsync(BenchDatabase database, string provider, PhaseTimes phases)
    {
        var locked = phases.Last.FirstOrDefault(c => c.Value.Contains("cc_agent_loads", StringComparison.Ordinal)).Value;
        if (locked is null) return;
        System.Data.Common.DbConnection connection = provider == "sqlite" ? new SqliteConnection(database.ConnectionString) : new NpgsqlConnection(database.ConnectionString);
        await using var _ = connection;
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Console.WriteLine("Plans of the statements under the lock (least-loaded):");
        Console.WriteLine();
        Console.WriteLine("```");
        foreach (var statement in locked.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = (provider == "sqlite" ? "EXPLAIN QUERY PLAN " : "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ") + statement;
            Console.WriteLine("-- " + statement.ReplaceLineEndings(" "));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) Console.WriteLine("   " + reader.GetValue(reader.FieldCount - 1));
        }
        Console.WriteLine("```");
        await transaction.RollbackAsync();
    }

    internal static TenantInfo Tenant(string id, string strategy)
        => new() { Id = id, Identifier = id, Name = id, Settings = new TenantSettings { TicketPrefix = id[..3].ToUpperInvariant(), AssignmentStrategy = strategy } };

    private static async Task CreateAsync(IServiceProvider provider, TenantInfo tenant, int count, List<double> samples, CommandCounter commands, List<(int, int)> trips, bool withEmail)
    {
        for (var i = 0; i < count; i++)
        {
            var customer = new Actor(tenant.Id, $"customer-{i % 50}", ActorRole.Customer, "Bench Customer", withEmail ? $"customer{i % 50}@bench.example" : null);
            commands.Reset();
            var started = Stopwatch.GetTimestamp();
            await InTenant(provider, tenant, sp => sp.GetRequiredService<TicketManager>()
                .CreateAsync(customer, new CreateTicketRequest { Subject = "Benchmark ticket", Description = "Raised by the assignment benchmark." }, null, CancellationToken.None));
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            trips.Add((commands.Count, commands.Commits));
        }
    }

    internal static async Task<T> InTenant<T>(IServiceProvider provider, TenantInfo tenant, Func<IServiceProvider, Task<T>> work)
    {
        using var _ = provider.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = provider.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private static Task InTenant(IServiceProvider provider, TenantInfo tenant, Func<IServiceProvider, Task> work)
        => InTenant(provider, tenant, async sp => { await work(sp); return 0; });

    internal static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <summary>A throwaway benchmark database: a temp SQLite file, or a new PostgreSQL database dropped afterwards.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _sqlitePath;
    private readonly string? _admin;
    private readonly string? _name;

    private BenchDatabase(Action<DbContextOptionsBuilder> configure, string connectionString, string? sqlitePath, string? admin, string? name)
    {
        Configure = ef =>
        {
            configure(ef);
            ef.AddInterceptors(Commands);
        };
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _admin = admin;
        _name = name;
    }

    public Action<DbContextOptionsBuilder> Configure { get; }

    /// <summary>Counts the SQL commands every context of this database sends (issue 6: round trips per create).</summary>
    public CommandCounter Commands { get; } = new();

    /// <summary>The database's connection string (for bulk loading and for a host in another process).</summary>
    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string provider)
    {
        if (provider == "sqlite")
        {
            var path = Path.Combine(Path.GetTempPath(), $"cc-bench-{Guid.NewGuid():N}.db");
            var sqlite = $"Data Source={path}";
            return new BenchDatabase(ef => ef.UseSqlite(sqlite), sqlite, path, null, null);
        }
        var admin = Environment.GetEnvironmentVariable("CUSTOMERCARE_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set CUSTOMERCARE_BENCH_POSTGRES to an Npgsql connection string of a server where the benchmark may create a database.");
        var name = $"cc_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new BenchDatabase(ef => ef.UseNpgsql(cs), cs, null, admin, name);
    }

    /// <summary>
    /// The server processes serving this database's connections when the server runs on this machine (PostgreSQL
    /// backends, found in <c>pg_stat_activity</c>); empty for SQLite, which runs inside this process.
    /// </summary>
    public async Task<IReadOnlyList<int>> ServerProcessIdsAsync()
        => _name is null ? [] : await PostgresBackends.ProcessIdsAsync(_admin!, _name);

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_sqlitePath + suffix);
        }
        if (_name is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// Counts the SQL commands EF Core sends (queries, SaveChanges batches and the stores' raw commands, which
/// go through EF's command pipeline too). Each command is one round trip to the database; beginning and
/// committing a transaction are not commands and are reported apart.
/// </summary>
internal sealed class CommandCounter : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor, Microsoft.EntityFrameworkCore.Diagnostics.IDbTransactionInterceptor
{
    private int _commands;
    private int _commits;

    /// <summary>Commands sent since the last <see cref="Reset"/>.</summary>
    public int Count => Volatile.Read(ref _commands);

    /// <summary>Transactions committed since the last <see cref="Reset"/>.</summary>
    public int Commits => Volatile.Read(ref _commits);

    public void Reset()
    {
        Interlocked.Exchange(ref _commands, 0);
        Interlocked.Exchange(ref _commits, 0);
    }

    /// <summary>When set, every command's and transaction's duration is added to it, by kind (<c>--phases</c>).</summary>
    public PhaseTimes? Phases { get; set; }

    private void Record(System.Data.Common.DbCommand command, TimeSpan duration, bool count = true)
    {
        if (Phases is null) return;
        Phases.Add(PhaseTimes.Kind(command.CommandText), duration, count);
        if (count) Phases.Keep(command);
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult DataReaderDisposing(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.DataReaderDisposingEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result)
    {
        Record(command, eventData.Duration, count: false);
        return result;
    }

    public override ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, System.Data.Common.DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> NonQueryExecutedAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<object?> ScalarExecutedAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public ValueTask<System.Data.Common.DbTransaction> TransactionStartedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, System.Data.Common.DbTransaction result, CancellationToken cancellationToken = default)
    {
        Phases?.Add("(begin transaction)", eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object>> ScalarExecutingAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> ReaderExecuting(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result)
    {
        Interlocked.Increment(ref _commands);
        return result;
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object> ScalarExecuting(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object> result)
    {
        Interlocked.Increment(ref _commands);
        return result;
    }

    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> NonQueryExecuting(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result)
    {
        Interlocked.Increment(ref _commands);
        return result;
    }

    private long _committing;

    public ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result, CancellationToken cancellationToken = default)
    {
        _committing = Stopwatch.GetTimestamp();
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // The event's own duration runs from the transaction's start; the commit alone is from "committing".
        Phases?.Add("(commit)", Stopwatch.GetElapsedTime(_committing));
        Interlocked.Increment(ref _commits);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData)
        => Interlocked.Increment(ref _commits);
}

/// <summary>Time spent in the database per kind of command (and in beginning and committing transactions), summed over creates.</summary>
internal sealed class PhaseTimes
{
    private readonly Dictionary<string, (int Count, TimeSpan Time)> _times = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, (int Count, TimeSpan Time)> Times => _times;

    /// <summary>The last command of each kind, with its parameters inlined as literals (to explain its plan afterwards).</summary>
    public Dictionary<string, string> Last { get; } = new(StringComparer.Ordinal);

    public void Keep(System.Data.Common.DbCommand command)
    {
        var sql = command.CommandText;
        foreach (var p in command.Parameters.Cast<System.Data.Common.DbParameter>().OrderByDescending(p => p.ParameterName.Length))
        {
            var name = p.ParameterName.StartsWith('@') ? p.ParameterName : "@" + p.ParameterName;
            var literal = p.Value switch
            {
                null or DBNull => "NULL",
                string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
                bool b => b ? "TRUE" : "FALSE",
                DateTimeOffset or DateTime or Guid => $"'{p.Value}'",
                IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var other => "'" + other + "'",
            };
            sql = sql.Replace(name, literal, StringComparison.Ordinal);
        }
        lock (_times) Last[Kind(command.CommandText)] = sql;
    }

    public void Add(string kind, TimeSpan duration, bool count = true)
    {
        lock (_times)
        {
            var (n, time) = _times.GetValueOrDefault(kind);
            _times[kind] = (count ? n + 1 : n, time + duration);
        }
    }

    /// <summary>A command's kind: its statements' verbs and tables, e.g. <c>INSERT cc_tickets; INSERT cc_ticket_events</c>.</summary>
    public static string Kind(string sql)
    {
        var statements = System.Text.RegularExpressions.Regex.Matches(sql, @"(?im)^\s*(INSERT INTO|UPDATE|SELECT\b.*?\bFROM|DELETE FROM)\s+""?(\w+)""?");
        var parts = statements.Select(m => $"{m.Groups[1].Value.Split(' ')[0].ToUpperInvariant()} {m.Groups[2].Value}").ToList();
        return parts.Count == 0 ? sql.Split('\n')[0] : string.Join("; ", parts.Distinct().Select(p => parts.Count(x => x == p) is var n and > 1 ? $"{n}× {p}" : p));
    }
}
