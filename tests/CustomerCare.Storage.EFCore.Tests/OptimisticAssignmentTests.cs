using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// Automatic assignment of a new ticket from the engine's per-tenant snapshot (no lock first): once warm, one command per
/// create; whenever something the choice depends on changed since the snapshot, on another host instance too (a load, the
/// staff directory, a queued ticket), that command writes nothing and the locked path assigns from the current state.
/// Two CustomerCare instances (own service providers and pools, as two processes) share one database.
/// </summary>
public abstract class OptimisticAssignmentTests(DatabaseFixture database) : IAsyncLifetime
{
    private sealed class CommandCounter : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public int Count;

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object>> ScalarExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return ValueTask.FromResult(result);
        }
    }

    private readonly CommandCounter _commandsOnA = new();
    private readonly List<ServiceProvider> _instances = [];
    private string? _skip;

    private Action<DbContextOptionsBuilder>? _configure;

    public async ValueTask InitializeAsync()
    {
        // A database of its own for each test (the fixture is created per test instance, not shared by the class).
        await database.InitializeAsync();
        _configure = database.Configure;
        _skip = database.SkipReason;
        if (_configure is null) return;
        await Instance(Tenant("warm-up", RoundRobinAssignmentStrategy.StrategyName)).MigrateCustomerCareDatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances) await instance.DisposeAsync();
        await database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static TenantInfo Tenant(string id, string strategy) => new()
    {
        Id = id, Identifier = id, Name = id,
        Settings = new TenantSettings { TicketPrefix = "OPT", AssignmentStrategy = strategy },
    };

    /// <summary>A CustomerCare instance of its own on the shared database; <paramref name="counted"/> counts its commands.</summary>
    private ServiceProvider Instance(TenantInfo tenant, bool counted = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef =>
        {
            _configure!(ef);
            if (counted) ef.AddInterceptors(_commandsOnA);
        }).AddInMemoryTenants(tenant);
        var provider = services.BuildServiceProvider();
        _instances.Add(provider);
        return provider;
    }

    private static async Task<T> OnAsync<T>(IServiceProvider instance, TenantInfo tenant, Func<IServiceProvider, Task<T>> work)
    {
        using var _ = instance.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = instance.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private static Task OnAsync(IServiceProvider instance, TenantInfo tenant, Func<IServiceProvider, Task> work)
        => OnAsync(instance, tenant, async sp => { await work(sp); return 0; });

    private static Task AddAgentsAsync(IServiceProvider instance, TenantInfo tenant, int? capacity, params string[] ids)
        => OnAsync(instance, tenant, async sp =>
        {
            foreach (var id in ids)
            {
                await sp.GetRequiredService<IStaffStore>().AddAsync(new StaffMember
                {
                    UserId = id, DisplayName = id, Email = $"{id}@example.test", Role = ActorRole.Agent, Capacity = capacity,
                }, TestContext.Current.CancellationToken);
            }
        });

    /// <summary>Raises a ticket through <paramref name="instance"/>; returns it and the commands instance A sent meanwhile.</summary>
    private async Task<(Ticket Ticket, int Commands)> CreateAsync(IServiceProvider instance, TenantInfo tenant, string subject, string? category = null)
    {
        var before = Volatile.Read(ref _commandsOnA.Count);
        var ticket = await OnAsync(instance, tenant, async sp => (await sp.GetRequiredService<TicketManager>().CreateAsync(
            new Actor(tenant.Id, "cust-1", ActorRole.Customer, "Customer", "cust@example.test"),
            new CreateTicketRequest { Subject = subject, Description = "Help.", Category = category }, null, TestContext.Current.CancellationToken)).Value);
        return (ticket, Volatile.Read(ref _commandsOnA.Count) - before);
    }

    private static Task<List<Ticket>> TicketsAsync(IServiceProvider instance, TenantInfo tenant)
        => OnAsync(instance, tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().Tickets.AsNoTracking().OrderBy(t => t.Number).ToListAsync(TestContext.Current.CancellationToken));

    private static Task<Assignment.AssignmentState> StateAsync(IServiceProvider instance, TenantInfo tenant)
        => OnAsync(instance, tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().AssignmentStates.AsNoTracking()
            .SingleAsync(s => s.TenantId == tenant.Id, TestContext.Current.CancellationToken));

    private static void AssertNumbersHaveNoGap(List<Ticket> tickets)
        => Assert.Equal(Enumerable.Range(0, tickets.Count).Select(i => tickets[0].Number + i), tickets.Select(t => t.Number));

    [Fact]
    public async Task Once_warm_an_automatic_create_is_one_command_and_takes_turns_as_the_locked_path_does()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"warm-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2", "agent-3");

        var created = new List<(Ticket Ticket, int Commands)>();
        created.Add(await CreateAsync(a, tenant, "Ticket 0"));
        var epochAfterFirst = (await StateAsync(a, tenant)).Epoch;
        for (var i = 1; i < 5; i++) created.Add(await CreateAsync(a, tenant, $"Ticket {i}"));

        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-1", "agent-2"], created.Select(c => c.Ticket.AssigneeId));
        // The first create takes the lock, reads the staff directory and inserts; after it, the snapshot it left serves.
        Assert.Equal(3, created[0].Commands);
        Assert.All(created.Skip(1), c => Assert.Equal(1, c.Commands));
        var tickets = await TicketsAsync(a, tenant);
        AssertNumbersHaveNoGap(tickets);
        Assert.Equal(created.Select(c => c.Ticket.Number), tickets.Select(t => t.Number));
        Assert.Equal(created.Select(c => c.Ticket.AssigneeId), tickets.Select(t => t.AssigneeId));
        // The one command keeps the tenant's assignment state as the locked path and the load triggers do: each agent's load
        // counter matches its open tickets, the cursor is the last assignee, and the epoch moved on once per create.
        var state = await StateAsync(a, tenant);
        Assert.Equal(("agent-2", epochAfterFirst + 4), (state.LastAssignedAgentId, state.Epoch));
        var counters = await OnAsync(a, tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().AgentLoads.AsNoTracking()
            .Where(l => l.TenantId == tenant.Id).ToDictionaryAsync(l => l.AgentId, l => l.OpenTickets, TestContext.Current.CancellationToken));
        Assert.Equal(new Dictionary<string, int> { ["agent-1"] = 2, ["agent-2"] = 2, ["agent-3"] = 1 }, counters);
        foreach (var (ticket, _) in created)
        {
            var trail = await OnAsync(a, tenant, sp => sp.GetRequiredService<ITicketStore>().GetEventsAsync(ticket.Id, TestContext.Current.CancellationToken));
            Assert.Equal([TicketEventKind.Created, TicketEventKind.Assigned], trail.Select(e => e.Kind));
            Assert.Equal(ticket.AssigneeId, trail[1].AssigneeId);
            Assert.Contains("round-robin", trail[1].Detail, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Concurrent_creates_in_one_tenant_on_one_instance_take_turns_and_each_is_one_command()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"turn-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2", "agent-3", "agent-4");
        await CreateAsync(a, tenant, "Warm-up");

        // Sixteen at once: from one shared snapshot all but one would miss it and take the lock (three commands each).
        var before = Volatile.Read(ref _commandsOnA.Count);
        var created = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => CreateAsync(a, tenant, $"Concurrent {i}"))));
        Assert.Equal(16, Volatile.Read(ref _commandsOnA.Count) - before);

        var tickets = await TicketsAsync(a, tenant);
        AssertNumbersHaveNoGap(tickets);
        var perAgent = tickets.GroupBy(t => t.AssigneeId!).Select(g => g.Count()).ToList();
        Assert.Equal(4, perAgent.Count);
        Assert.True(perAgent.Max() - perAgent.Min() <= 1, string.Join(", ", perAgent));
        Assert.All(created, c => Assert.NotNull(c.Ticket.AssigneeId));
    }

    [Fact]
    public async Task A_create_with_a_request_key_takes_the_lock_and_the_next_one_is_optimistic_again()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"key-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2", "agent-3");
        await CreateAsync(a, tenant, "First");

        var customer = new Actor(tenant.Id, "cust-1", ActorRole.Customer, "Customer", "cust@example.test");
        Task<IdempotentResult<Ticket>> Keyed() => OnAsync(a, tenant, sp => sp.GetRequiredService<TicketManager>().CreateAsync(
            customer, new CreateTicketRequest { Subject = "Keyed", Description = "Help." }, "key-1", TestContext.Current.CancellationToken));
        var keyed = await Keyed();
        var replay = await Keyed();
        var after = await CreateAsync(a, tenant, "After");

        Assert.Equal("agent-2", keyed.Value.AssigneeId);
        Assert.True(replay.Replayed);
        Assert.Equal(keyed.Value.Id, replay.Value.Id);
        Assert.Equal("agent-3", after.Ticket.AssigneeId);
        Assert.Equal(1, after.Commands);
        AssertNumbersHaveNoGap(await TicketsAsync(a, tenant));
    }

    [Fact]
    public async Task Creates_alternating_between_two_instances_back_off_to_the_lock_instead_of_wasting_a_command_each_time()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"alt-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        var b = Instance(tenant);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2", "agent-3");
        await CreateAsync(a, tenant, "A0");

        var commandsOnA = new List<int>();
        for (var i = 1; i <= 9; i++)
        {
            await CreateAsync(b, tenant, $"B{i}");
            commandsOnA.Add((await CreateAsync(a, tenant, $"A{i}")).Commands);
        }

        // Every create on B moves the state, so every attempt on A fails (1 wasted command, then lock and insert: 3). After two
        // failures in a row A skips the attempt for 2 creates (lock and insert: 2), after three for 4.
        Assert.Equal([3, 3, 2, 2, 3, 2, 2, 2, 2], commandsOnA);
        var tickets = await TicketsAsync(a, tenant);
        AssertNumbersHaveNoGap(tickets);
        Assert.Equal(Enumerable.Range(0, tickets.Count).Select(i => $"agent-{i % 3 + 1}"), tickets.Select(t => t.AssigneeId));
    }

    [Fact]
    public async Task From_the_snapshot_a_grouped_category_goes_only_to_its_group_and_a_filled_agent_leaves_the_candidates()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"grp-{Guid.NewGuid():N}"[..20], LeastLoadedAssignmentStrategy.StrategyName);
        tenant.Settings.CategoryGroups["Billing"] = "billing";
        var a = Instance(tenant, counted: true);
        await AddAgentsAsync(a, tenant, 3, "agent-1", "agent-3");
        await OnAsync(a, tenant, sp => sp.GetRequiredService<IStaffStore>().AddAsync(new StaffMember
        {
            UserId = "agent-2", DisplayName = "agent-2", Email = "agent-2@example.test", Role = ActorRole.Agent, Capacity = 2, Groups = ["billing"],
        }, TestContext.Current.CancellationToken));

        var warm = await CreateAsync(a, tenant, "Warm-up");
        Assert.Equal("agent-1", warm.Ticket.AssigneeId);
        // Least loaded among the billing group only (agent-2), though agent-3 has fewer tickets than agent-1.
        var billing = await CreateAsync(a, tenant, "Bill", "Billing");
        var other = await CreateAsync(a, tenant, "Other");
        var billingAgain = await CreateAsync(a, tenant, "Bill again", "Billing");
        Assert.Equal(["agent-2", "agent-3", "agent-2"], new[] { billing, other, billingAgain }.Select(c => c.Ticket.AssigneeId));
        Assert.All(new[] { billing, other, billingAgain }, c => Assert.Equal(1, c.Commands));

        // agent-2 is full (capacity 2): a billing ticket has nobody left and queues; the others still go to agents with room.
        var queued = await CreateAsync(a, tenant, "Bill, queued", "Billing");
        Assert.Null(queued.Ticket.AssigneeId);
        var last = await CreateAsync(a, tenant, "Other again");
        Assert.Contains(last.Ticket.AssigneeId, new[] { "agent-1", "agent-3" });

        var loads = (await TicketsAsync(a, tenant)).Where(t => t.AssigneeId is not null).GroupBy(t => t.AssigneeId!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, loads["agent-2"]);
        Assert.All(loads, l => Assert.True(l.Value <= 3));
    }

    [Fact]
    public async Task A_ticket_moved_to_a_full_agent_by_another_write_path_makes_the_snapshot_stale_and_nobody_goes_over_capacity()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"cap-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        var b = Instance(tenant);
        await AddAgentsAsync(a, tenant, 2, "agent-1", "agent-2");
        var first = await CreateAsync(a, tenant, "First");
        var second = await CreateAsync(a, tenant, "Second");
        Assert.Equal(("agent-1", "agent-2"), (first.Ticket.AssigneeId, second.Ticket.AssigneeId));

        // On the other instance, the second ticket goes to agent-1, who is now full: A's snapshot (1 and 1, agent-2 last) would
        // give the next ticket to agent-1 a third time.
        var id = second.Ticket.Id;
        Assert.Equal(1, await OnAsync(b, tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().Tickets.Where(t => t.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.AssigneeId, "agent-1"), TestContext.Current.CancellationToken)));

        var third = await CreateAsync(a, tenant, "Third");
        Assert.Equal("agent-2", third.Ticket.AssigneeId);
        // The optimistic command (which wrote nothing), then the lock and the insert.
        Assert.Equal(3, third.Commands);
        var fourth = await CreateAsync(a, tenant, "Fourth");
        Assert.Equal("agent-2", fourth.Ticket.AssigneeId);
        Assert.Equal(1, fourth.Commands);
        var fifth = await CreateAsync(a, tenant, "Fifth");
        Assert.Null(fifth.Ticket.AssigneeId);

        var tickets = await TicketsAsync(a, tenant);
        AssertNumbersHaveNoGap(tickets);
        Assert.All(tickets.Where(t => t.AssigneeId is not null).GroupBy(t => t.AssigneeId), g => Assert.Equal(2, g.Count()));
        Assert.Equal(TicketStatus.New, tickets.Single(t => t.AssigneeId is null).Status);
    }

    [Fact]
    public async Task A_ticket_resolved_on_another_instance_makes_the_snapshot_stale_and_least_loaded_sees_the_freed_agent()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"res-{Guid.NewGuid():N}"[..20], LeastLoadedAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        var b = Instance(tenant);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2");
        await CreateAsync(a, tenant, "First");
        var second = await CreateAsync(a, tenant, "Second");
        Assert.Equal("agent-2", second.Ticket.AssigneeId);

        // Resolved through the other instance: agent-2 has nothing now. A's snapshot (1 and 1, agent-2 last) would say agent-1.
        await OnAsync(b, tenant, async sp =>
        {
            var tickets = sp.GetRequiredService<TicketManager>();
            var agent = new Actor(tenant.Id, "agent-2", ActorRole.Agent, "agent-2", null);
            await tickets.ResolveAsync(agent, second.Ticket.Id, null, TestContext.Current.CancellationToken);
        });

        var third = await CreateAsync(a, tenant, "Third");
        Assert.Equal("agent-2", third.Ticket.AssigneeId);
        AssertNumbersHaveNoGap(await TicketsAsync(a, tenant));
    }

    [Fact]
    public async Task An_agent_going_away_on_another_instance_makes_the_snapshot_stale()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"away-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        var b = Instance(tenant);
        await AddAgentsAsync(a, tenant, null, "agent-1", "agent-2");
        await CreateAsync(a, tenant, "First");
        await CreateAsync(a, tenant, "Second");

        await OnAsync(b, tenant, async sp =>
        {
            var staff = sp.GetRequiredService<IStaffStore>();
            var agent = (await staff.FindAsync("agent-1", TestContext.Current.CancellationToken))!;
            agent.Availability = AgentAvailability.Away;
            await staff.UpdateAsync(agent, TestContext.Current.CancellationToken);
        });

        // A's snapshot would take turns back to agent-1.
        var third = await CreateAsync(a, tenant, "Third");
        Assert.Equal("agent-2", third.Ticket.AssigneeId);
        Assert.True(third.Commands > 1);
        AssertNumbersHaveNoGap(await TicketsAsync(a, tenant));
    }

    [Fact]
    public async Task A_ticket_queued_by_another_instance_is_drained_first_instead_of_being_overtaken()
    {
        if (_skip is { } reason) Assert.Skip(reason);
        var tenant = Tenant($"que-{Guid.NewGuid():N}"[..20], RoundRobinAssignmentStrategy.StrategyName);
        var a = Instance(tenant, counted: true);
        // The other instance still has the tenant on manual assignment (its settings not yet reloaded): it queues, and takes no lock.
        var b = Instance(Tenant(tenant.Id, ManualAssignmentStrategy.StrategyName));
        await AddAgentsAsync(a, tenant, 1, "agent-1", "agent-2");
        await CreateAsync(a, tenant, "First");
        var queued = await CreateAsync(b, Tenant(tenant.Id, ManualAssignmentStrategy.StrategyName), "Queued");
        Assert.Null(queued.Ticket.AssigneeId);

        // Only agent-2 has room: the queued ticket, older, takes it; the new one waits.
        var third = await CreateAsync(a, tenant, "Third");
        Assert.Null(third.Ticket.AssigneeId);
        var tickets = await TicketsAsync(a, tenant);
        AssertNumbersHaveNoGap(tickets);
        Assert.Equal("agent-2", tickets.Single(t => t.Id == queued.Ticket.Id).AssigneeId);
        Assert.Equal(TicketStatus.New, tickets.Single(t => t.Id == third.Ticket.Id).Status);
    }
}

public sealed class SqliteOptimisticAssignmentTests() : OptimisticAssignmentTests(new SqliteDatabaseFixture());

public sealed class PostgreSqlOptimisticAssignmentTests() : OptimisticAssignmentTests(new PostgreSqlDatabaseFixture());
