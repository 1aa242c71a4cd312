using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// Automatic assignment under real contention: two independent CustomerCare instances (each its own
/// service provider and connection pool, as two host processes would have) share one PostgreSQL
/// database. Only the database's lock row can keep them from overfilling agents.
/// </summary>
public sealed class ConcurrentAssignmentTests : IAsyncLifetime
{
    private const int Agents = 10;
    private const int Capacity = 20;
    private const int Tickets = 500;

    private readonly TenantInfo _tenant = new()
    {
        Id = "busy-telco",
        Identifier = "busy-telco",
        Name = "Busy Telco",
        Settings = new TenantSettings { TicketPrefix = "BUSY", AssignmentStrategy = RoundRobinAssignmentStrategy.StrategyName },
    };

    private string? _admin;
    private string? _database;
    private ServiceProvider? _instanceA;
    private ServiceProvider? _instanceB;

    public async ValueTask InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable(PostgreSqlDatabaseFixture.Variable);
        if (string.IsNullOrWhiteSpace(_admin)) return;
        _database = $"cc_assign_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _database, MaxPoolSize = 40, Timeout = 60 }.ConnectionString;
        ServiceProvider Instance()
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(connectionString)).AddInMemoryTenants(_tenant);
            return services.BuildServiceProvider();
        }
        _instanceA = Instance();
        _instanceB = Instance();
        await _instanceA.MigrateCustomerCareDatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_instanceA is not null) await _instanceA.DisposeAsync();
        if (_instanceB is not null) await _instanceB.DisposeAsync();
        if (_database is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> OnAsync<T>(IServiceProvider instance, Func<IServiceProvider, Task<T>> work)
    {
        using var _ = instance.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(_tenant));
        await using var scope = instance.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    [Fact]
    public async Task Two_instances_never_exceed_a_cap_or_assign_twice_and_the_queue_drains_in_order()
    {
        if (_instanceA is null) Assert.Skip($"PostgreSQL is not available: set {PostgreSqlDatabaseFixture.Variable} (test.sh and .ci/run start one).");
        var ct = TestContext.Current.CancellationToken;
        var instances = new[] { _instanceA, _instanceB! };

        await OnAsync(_instanceA, async sp =>
        {
            var staff = sp.GetRequiredService<IStaffStore>();
            for (var i = 0; i < Agents; i++)
                await staff.AddAsync(new StaffMember { UserId = $"agent-{i:D2}", DisplayName = $"Agent {i}", Email = $"agent{i}@busy.example", Role = ActorRole.Agent, Capacity = Capacity }, ct);
            return 0;
        });

        // 500 customers raise a ticket each, concurrently, half through each instance. At most 32 are in
        // flight at once (16 per instance): every creation in the tenant waits on the same lock row while
        // holding a pooled connection, and more waiters than pooled connections only measure the pool.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var inFlight = new SemaphoreSlim(32);
        var creations = Enumerable.Range(0, Tickets).Select(async i =>
        {
            await gate.Task;
            await inFlight.WaitAsync(ct);
            try
            {
                var customer = new Actor(_tenant.Id, $"customer-{i:D3}", ActorRole.Customer, $"Customer {i}", null);
                return await OnAsync(instances[i % 2], sp => sp.GetRequiredService<TicketManager>()
                    .CreateAsync(customer, new CreateTicketRequest { Subject = $"Problem {i}", Description = "Help" }, null, ct));
            }
            finally
            {
                inFlight.Release();
            }
        }).ToList();
        gate.SetResult();
        await Task.WhenAll(creations);

        var afterCreate = await SnapshotAsync(ct);
        Assert.Equal(Tickets, afterCreate.Tickets.Count);
        Assert.Equal(Agents * Capacity, afterCreate.Tickets.Count(t => t.AssigneeId is not null));
        Assert.Equal(Tickets - Agents * Capacity, afterCreate.Queue.Count);
        Assert.All(afterCreate.Loads, load => Assert.Equal(Capacity, load.Value));
        Assert.All(afterCreate.AssignmentsPerTicket, count => Assert.True(count <= 1, "a ticket was assigned twice"));

        // Each agent resolves 10 tickets, concurrently through both instances: exactly the 100 oldest queued tickets move up.
        var toResolve = afterCreate.Tickets.Where(t => t.AssigneeId is not null)
            .GroupBy(t => t.AssigneeId!).SelectMany(g => g.OrderBy(t => t.Number).Take(10)).ToList();
        var resolutions = toResolve.Select(async (ticket, i) =>
        {
            await inFlight.WaitAsync(ct);
            try
            {
                var agent = new Actor(_tenant.Id, ticket.AssigneeId!, ActorRole.Agent, ticket.AssigneeName!, null);
                return await OnAsync(instances[i % 2], sp => sp.GetRequiredService<TicketManager>().ResolveAsync(agent, ticket.Id, null, ct));
            }
            finally
            {
                inFlight.Release();
            }
        });
        await Task.WhenAll(resolutions);

        var afterResolve = await SnapshotAsync(ct);
        var expectedMovedUp = afterCreate.Queue.OrderBy(t => t.Number).Take(100).Select(t => t.Id).ToHashSet();
        var movedUp = afterCreate.Queue.Where(q => afterResolve.Tickets.Single(t => t.Id == q.Id).AssigneeId is not null).Select(t => t.Id).ToHashSet();
        Assert.Equal(expectedMovedUp, movedUp);
        Assert.Equal(Tickets - Agents * Capacity - 100, afterResolve.Queue.Count);
        Assert.All(afterResolve.Loads, load => Assert.Equal(Capacity, load.Value));
        Assert.All(afterResolve.AssignmentsPerTicket, count => Assert.True(count <= 1, "a ticket was assigned twice"));
        var spread = afterResolve.Loads.Values.Max() - afterResolve.Loads.Values.Min();
        Assert.True(spread <= 1, $"round-robin spread {spread}");
    }

    [Fact]
    public async Task A_staff_change_on_one_instance_is_seen_by_the_other_instances_cached_directory()
    {
        if (_instanceA is null) Assert.Skip($"PostgreSQL is not available: set {PostgreSqlDatabaseFixture.Variable} (test.sh and .ci/run start one).");
        var ct = TestContext.Current.CancellationToken;
        Task<Ticket> CreateOnB(int i) => OnAsync(_instanceB!, async sp => (await sp.GetRequiredService<TicketManager>()
            .CreateAsync(new Actor(_tenant.Id, $"customer-{i}", ActorRole.Customer, $"Customer {i}", null), new CreateTicketRequest { Subject = $"Problem {i}", Description = "Help" }, null, ct)).Value);
        Task OnA(Func<IStaffStore, Task> change) => OnAsync(_instanceA!, async sp => { await change(sp.GetRequiredService<IStaffStore>()); return 0; });

        await OnA(staff => staff.AddAsync(new StaffMember { UserId = "agent-00", DisplayName = "Agent 0", Email = "agent0@busy.example", Role = ActorRole.Agent, Capacity = 1 }, ct));
        Assert.Equal("agent-00", (await CreateOnB(1)).AssigneeId);   // instance B now has the directory cached

        // Added on instance A: instance B's next assignment must see the new agent, not its cached directory.
        var added = new StaffMember { UserId = "agent-01", DisplayName = "Agent 1", Email = "agent1@busy.example", Role = ActorRole.Agent, Capacity = 2 };
        await OnA(staff => staff.AddAsync(added, ct));
        Assert.Equal("agent-01", (await CreateOnB(2)).AssigneeId);

        // Gone offline on instance A: instance B must stop assigning to them (agent-00 is full, so the ticket waits).
        added.Availability = AgentAvailability.Offline;
        await OnA(staff => staff.UpdateAsync(added, ct));
        var third = await CreateOnB(3);
        Assert.Null(third.AssigneeId);
        Assert.Equal(TicketStatus.New, third.Status);
    }

    private sealed record Snapshot(IReadOnlyList<Ticket> Tickets, IReadOnlyList<Ticket> Queue, IReadOnlyDictionary<string, int> Loads, IReadOnlyList<int> AssignmentsPerTicket);

    private Task<Snapshot> SnapshotAsync(CancellationToken ct) => OnAsync(_instanceB!, async sp =>
    {
        var db = sp.GetRequiredService<CustomerCareDbContext>();
        var tickets = await db.Tickets.AsNoTracking().ToListAsync(ct);
        var loads = await sp.GetRequiredService<IAssignmentStore>().GetLoadsAsync(ct);
        // The counter rows the engine reads under its lock (kept by triggers) agree with counting the tickets.
        var counters = await db.AgentLoads.AsNoTracking().Where(l => l.OpenTickets != 0).ToDictionaryAsync(l => l.AgentId, l => l.OpenTickets, ct);
        Assert.Equal(loads.OrderBy(l => l.Key), counters.OrderBy(l => l.Key));
        var assignments = await db.TicketEvents.AsNoTracking().Where(e => e.Kind == TicketEventKind.Assigned)
            .GroupBy(e => e.TicketId).Select(g => g.Count()).ToListAsync(ct);
        return new Snapshot(tickets, [.. tickets.Where(t => t.AssigneeId is null && t.Status == TicketStatus.New)], loads, assignments);
    });
}
