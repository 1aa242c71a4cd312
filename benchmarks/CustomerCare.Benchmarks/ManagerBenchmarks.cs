using System.Diagnostics.Tracing;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Benchmarks;

/// <summary>
/// Memory and allocations per call of the Core managers (BenchmarkDotNet, <c>[MemoryDiagnoser]</c>), each
/// next to the same work done with EF Core alone, then the top allocating types of each call from the
/// runtime's allocation sampling (<c>GCAllocationTick</c>, one event about every 100 KB allocated).
/// Every call runs as a request would: a new DI scope with the tenant set. SQLite file database.
/// </summary>
internal static class ManagerBenchmarkScenario
{
    public static int Run(BenchmarkOptions options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var artifacts = Path.Combine(Path.GetTempPath(), $"cc-bdn-{Guid.NewGuid():N}");
        var job = options.Smoke
            ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithInvocationCount(16).WithUnrollFactor(1)
            : Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithInvocationCount(256).WithUnrollFactor(1);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(options.Smoke ? NullLogger.Instance : ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<ManagerBenchmarks>(config);

        Console.WriteLine();
        Console.WriteLine("# Core managers: time and allocations per call (BenchmarkDotNet, in-process, SQLite)");
        Console.WriteLine();
        Console.WriteLine("| call | mean µs | allocated B/op |");
        Console.WriteLine("|---|---:|---:|");
        var failed = false;
        foreach (var report in summary.Reports)
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var mean = report.ResultStatistics?.Mean / 1000.0;
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            if (mean is null || bytes is null) { failed = true; continue; }
            Console.WriteLine($"| {name} | {mean:F1} | {bytes:N0} |");
        }
        try { Directory.Delete(artifacts, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }

        Console.WriteLine();
        Console.WriteLine("# Top allocating types per call (GCAllocationTick sampling)");
        var bench = new ManagerBenchmarks();
        bench.Setup();
        try
        {
            var calls = new (string Name, Func<Task> Call)[]
            {
                ("CreateTicket", bench.CreateTicket),
                ("GetTicket", bench.GetTicket),
                ("RawEfQueryById", bench.RawEfQueryById),
                ("AgentQueuePage", bench.AgentQueuePage),
            };
            foreach (var (name, call) in calls)
            {
                var (allocated, top) = AllocationProfile.Measure(call, options.Smoke ? 50 : 2000);
                Console.WriteLine();
                Console.WriteLine($"{name}: {allocated:N0} bytes/call (whole process); top types by sampled bytes:");
                foreach (var (type, share) in top.Take(8)) Console.WriteLine($"  {share,6:P1}  {type}");
            }
        }
        finally
        {
            bench.Cleanup();
        }
        Console.WriteLine();
        Console.WriteLine("scenario managers: ran");
        return failed ? 1 : 0;
    }
}

/// <summary>The calls measured by <see cref="ManagerBenchmarkScenario"/> (public: BenchmarkDotNet needs it).</summary>
[MemoryDiagnoser]
public class ManagerBenchmarks
{
    private const string TenantId = "bench";
    private ServiceProvider? _provider;
    private TenantContext? _tenant;
    private string? _path;
    private Guid[] _ids = [];
    private int _next;
    private readonly Actor _customer = new(TenantId, "cust-00001", ActorRole.Customer, "Customer 1", null);
    private readonly Actor _agent = new(TenantId, "agent-00", ActorRole.Agent, "Agent 0", null);
    private readonly Actor _admin = new(TenantId, "admin", ActorRole.Admin, "Admin", null);
    private static readonly TicketStatus[] QueueStatuses = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending];

    /// <summary>A SQLite file with one tenant, an admin, five agents and 50 tickets.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _path = Path.Combine(Path.GetTempPath(), $"cc-managers-{Guid.NewGuid():N}.db");
        var connection = $"Data Source={_path}";
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite(connection)).AddInMemoryTenants(
            new TenantInfo { Id = TenantId, Identifier = TenantId, Name = "Bench", Settings = new TenantSettings { TicketPrefix = "B" } });
        services.AddDbContext<Scale.RawDbContext>(ef => ef.UseSqlite(connection));
        _provider = services.BuildServiceProvider();
        await _provider.MigrateCustomerCareDatabaseAsync();
        _tenant = new TenantContext((await _provider.GetRequiredService<ITenantStore>().FindByIdAsync(TenantId, CancellationToken.None))!);
        using var _ = _provider.GetRequiredService<ITenantContextSetter>().BeginScope(_tenant);
        await using (var scope = _provider.CreateAsyncScope())
        {
            var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
            await staff.AddAsync(new StaffMember { UserId = "admin", DisplayName = "Admin", Email = "admin@bench.example", Role = ActorRole.Admin }, CancellationToken.None);
            for (var i = 0; i < 5; i++)
                await staff.AddAsync(new StaffMember { UserId = $"agent-{i:D2}", DisplayName = $"Agent {i}", Email = $"agent{i}@bench.example", Role = ActorRole.Agent }, CancellationToken.None);
        }
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            await using var scope = _provider.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<TicketManager>().CreateAsync(_customer, Request, null, CancellationToken.None);
            ids.Add(created.Value.Id);
        }
        _ids = [.. ids];
    }

    private static readonly CreateTicketRequest Request = new() { Subject = "Card payment declined", Description = "My card was declined three times this morning although the balance is fine." };

    /// <summary>Deletes the database file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_path is not null)
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        var provider = _provider!;
        using var _ = provider.GetRequiredService<ITenantContextSetter>().BeginScope(_tenant!);
        await using var scope = provider.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary><see cref="TicketManager.CreateAsync"/> by a customer (validation, numbering, audit event, outbox rows).</summary>
    [Benchmark]
    public Task CreateTicket() => InScopeAsync(sp => sp.GetRequiredService<TicketManager>().CreateAsync(_customer, Request, null, CancellationToken.None));

    /// <summary><see cref="TicketManager.GetAsync"/> by an admin.</summary>
    [Benchmark]
    public Task GetTicket() => InScopeAsync(sp => sp.GetRequiredService<TicketManager>().GetAsync(_admin, _ids[_next++ % _ids.Length], CancellationToken.None));

    /// <summary>Baseline: the same row read with EF Core alone (host's own context, no CustomerCare code).</summary>
    [Benchmark(Baseline = true)]
    public Task RawEfQueryById() => InScopeAsync(sp =>
    {
        var id = _ids[_next++ % _ids.Length];
        return sp.GetRequiredService<Scale.RawDbContext>().Tickets.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == TenantId && r.Id == id);
    });

    /// <summary><see cref="TicketManager.ListAsync"/>: an agent's queue, first page of 25.</summary>
    [Benchmark]
    public Task AgentQueuePage() => InScopeAsync(sp => sp.GetRequiredService<TicketManager>().ListAsync(_agent, new TicketListRequest { Statuses = QueueStatuses, Limit = 25 }, CancellationToken.None));
}

/// <summary>Which types a call allocates most, from the runtime's own allocation sampling events.</summary>
internal sealed class AllocationProfile : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private readonly Lock _gate = new();
    private bool _recording;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);   // GC keyword: GCAllocationTick
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null) return;
        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        var amountIndex = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
        if (index < 0) return;
        var type = eventData.Payload[index]?.ToString() ?? "?";
        var amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture) : 100_000;
        lock (_gate) _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
    }

    public static (long BytesPerCall, List<(string Type, double Share)> Top) Measure(Func<Task> call, int count)
    {
        for (var i = 0; i < 20; i++) call().GetAwaiter().GetResult();
        using var listener = new AllocationProfile();
        Thread.Sleep(200);
        listener._recording = true;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++) call().GetAwaiter().GetResult();
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / count;
        listener._recording = false;
        Dictionary<string, long> copy;
        lock (listener._gate) copy = new(listener._bytes);
        var total = Math.Max(1, copy.Values.Sum());
        return (allocated, copy.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value / (double)total)).ToList());
    }
}
