using System.Diagnostics;
using CustomerCare.Actors;
using CustomerCare.Assignment;
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
        services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddInMemoryTenants(
            Tenant("manual", ManualAssignmentStrategy.StrategyName),
            Tenant("least-loaded", LeastLoadedAssignmentStrategy.StrategyName),
            Tenant("round-robin", RoundRobinAssignmentStrategy.StrategyName));
        await using var provider = services.BuildServiceProvider();
        await provider.MigrateCustomerCareDatabaseAsync();

        var tenants = (await provider.GetRequiredService<ITenantStore>().GetAllAsync(CancellationToken.None)).ToDictionary(t => t.Id);
        foreach (var tenant in tenants.Values)
        {
            await InTenant(provider, tenant, async sp =>
            {
                var staff = sp.GetRequiredService<IStaffStore>();
                for (var i = 0; i < options.Agents; i++)
                    await staff.AddAsync(new StaffMember { UserId = $"agent-{i:D3}", DisplayName = $"Agent {i}", Email = $"agent{i}@bench.example", Role = ActorRole.Agent }, CancellationToken.None);
            });
        }

        // Warm up each path (JIT, connection pools, query compilation) before measuring.
        foreach (var tenant in tenants.Values) await CreateAsync(provider, tenant, 20, new List<double>());

        var samples = tenants.Keys.ToDictionary(k => k, _ => new List<double>());
        var elapsed = tenants.Keys.ToDictionary(k => k, _ => TimeSpan.Zero);
        var perTenant = options.Tickets;
        for (var done = 0; done < perTenant; done += Block)
        {
            foreach (var (id, tenant) in tenants)
            {
                var watch = Stopwatch.StartNew();
                await CreateAsync(provider, tenant, Math.Min(Block, perTenant - done), samples[id]);
                elapsed[id] += watch.Elapsed;
            }
        }

        var baseline = elapsed["manual"].TotalSeconds;
        Console.WriteLine($"# Assignment overhead on raising a ticket — {options.Provider}, {options.Agents} agents, {perTenant} tickets per tenant, sequential");
        Console.WriteLine();
        Console.WriteLine("| strategy | tickets/s | mean ms | p50 ms | p95 ms | p99 ms | time vs manual |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var id in new[] { "manual", "least-loaded", "round-robin" })
        {
            var s = samples[id];
            s.Sort();
            var seconds = elapsed[id].TotalSeconds;
            Console.WriteLine($"| {id} | {s.Count / seconds:F0} | {s.Average():F2} | {Percentile(s, 0.50):F2} | {Percentile(s, 0.95):F2} | {Percentile(s, 0.99):F2} | {seconds / baseline:P0} |");
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

    private static TenantInfo Tenant(string id, string strategy)
        => new() { Id = id, Identifier = id, Name = id, Settings = new TenantSettings { TicketPrefix = id[..3].ToUpperInvariant(), AssignmentStrategy = strategy } };

    private static async Task CreateAsync(IServiceProvider provider, TenantInfo tenant, int count, List<double> samples)
    {
        for (var i = 0; i < count; i++)
        {
            var customer = new Actor(tenant.Id, $"customer-{i % 50}", ActorRole.Customer, "Bench Customer", null);
            var started = Stopwatch.GetTimestamp();
            await InTenant(provider, tenant, sp => sp.GetRequiredService<TicketManager>()
                .CreateAsync(customer, new CreateTicketRequest { Subject = "Benchmark ticket", Description = "Raised by the assignment benchmark." }, null, CancellationToken.None));
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task<T> InTenant<T>(IServiceProvider provider, TenantInfo tenant, Func<IServiceProvider, Task<T>> work)
    {
        using var _ = provider.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = provider.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private static Task InTenant(IServiceProvider provider, TenantInfo tenant, Func<IServiceProvider, Task> work)
        => InTenant(provider, tenant, async sp => { await work(sp); return 0; });

    private static double Percentile(List<double> sorted, double p)
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
        Configure = configure;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _admin = admin;
        _name = name;
    }

    public Action<DbContextOptionsBuilder> Configure { get; }

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
