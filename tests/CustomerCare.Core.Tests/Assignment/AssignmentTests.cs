using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Assignment;

public sealed class AssignmentTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<Desk> DeskAsync(string strategy, Action<TenantSettings>? configure = null)
        => fixture.CreateDeskAsync(s =>
        {
            s.AssignmentStrategy = strategy;
            configure?.Invoke(s);
        });

    private static Task<AgentLoad> UpdateAgentAsync(Desk desk, Actor by, string agentId, UpdateAgentRequest request)
        => desk.RunAsync(sp => sp.GetRequiredService<AssignmentManager>().UpdateAgentAsync(by, agentId, request, Ct));

    private static Task<AssignmentOverview> OverviewAsync(Desk desk)
        => desk.RunAsync(sp => sp.GetRequiredService<AssignmentManager>().GetOverviewAsync(desk.Admin, Ct));

    private static CreateTicketRequest Request(string subject, TicketPriority priority = TicketPriority.Normal, string? category = null)
        => new() { Subject = subject, Description = "Please help.", Priority = priority, Category = category };

    [Fact]
    public async Task Manual_strategy_leaves_new_tickets_unassigned()
    {
        var desk = await DeskAsync(ManualAssignmentStrategy.StrategyName);
        var ticket = await desk.CreateAsync();
        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Null(ticket.AssigneeId);
        Assert.Equal(1, (await OverviewAsync(desk)).QueueLength);
    }

    [Fact]
    public async Task Round_robin_takes_turns_and_keeps_the_spread_within_one()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        var assignees = new List<string?>();
        for (var i = 0; i < 9; i++) assignees.Add((await desk.CreateAsync(request: Request($"T{i}"))).AssigneeId);

        Assert.All(assignees, Assert.NotNull);
        for (var i = 1; i < assignees.Count; i++) Assert.NotEqual(assignees[i - 1], assignees[i]);
        var counts = assignees.GroupBy(a => a).Select(g => g.Count()).ToList();
        Assert.Equal(2, counts.Count);
        Assert.True(counts.Max() - counts.Min() <= 1, $"spread {counts.Max() - counts.Min()}");
    }

    [Fact]
    public async Task Automatic_assignment_is_an_audit_event_with_its_reason()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        var ticket = await desk.CreateAsync();
        var events = await desk.Tickets(m => m.GetEventsAsync(desk.Admin, ticket.Id, Ct));
        var assigned = Assert.Single(events, e => e.Kind == TicketEventKind.Assigned);
        Assert.Equal("system", assigned.ActorId);
        Assert.Equal(ticket.AssigneeId, assigned.AssigneeId);
        Assert.StartsWith("round-robin; load 0", assigned.Detail);
        Assert.Equal(TicketStatus.Open, ticket.Status);
    }

    [Fact]
    public async Task Capacity_is_never_exceeded_and_the_rest_wait_in_the_queue()
    {
        var desk = await DeskAsync(LeastLoadedAssignmentStrategy.StrategyName);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Capacity = 2 });
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent2.UserId, new UpdateAgentRequest { Capacity = 1 });

        var tickets = new List<Ticket>();
        for (var i = 0; i < 6; i++) tickets.Add(await desk.CreateAsync(request: Request($"T{i}")));

        var overview = await OverviewAsync(desk);
        Assert.Equal(3, overview.QueueLength);
        Assert.Equal(2, overview.Agents.Single(a => a.UserId == desk.Agent.UserId).Load);
        Assert.Equal(1, overview.Agents.Single(a => a.UserId == desk.Agent2.UserId).Load);
        Assert.Equal(3, tickets.Count(t => t.Status == TicketStatus.New && t.AssigneeId is null));
    }

    [Fact]
    public async Task Queue_drains_highest_priority_first_then_oldest_when_capacity_frees()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Capacity = 1 });
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent2.UserId, new UpdateAgentRequest { Capacity = 0 });

        var first = await desk.CreateAsync(request: Request("first"));
        var low = await desk.CreateAsync(request: Request("low", TicketPriority.Low));
        var normalOld = await desk.CreateAsync(request: Request("normal old"));
        var urgent = await desk.CreateAsync(request: Request("urgent", TicketPriority.Urgent));
        var normalNew = await desk.CreateAsync(request: Request("normal new"));
        Assert.Equal(desk.Agent.UserId, first.AssigneeId);

        var order = new List<Guid>();
        var current = first.Id;
        for (var i = 0; i < 4; i++)
        {
            await desk.ResolveAsync(desk.Agent, current);
            var mine = await desk.Tickets(m => m.ListAsync(desk.Agent, new TicketListRequest { Assignee = "me", Statuses = [TicketStatus.Open] }, Ct));
            current = Assert.Single(mine.Items).Id;
            order.Add(current);
        }
        Assert.Equal([urgent.Id, normalOld.Id, normalNew.Id, low.Id], order);
        Assert.Equal(0, (await OverviewAsync(desk)).QueueLength);
    }

    [Fact]
    public async Task Offline_agents_get_nothing_until_they_come_online()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Availability = AgentAvailability.Offline });
        await UpdateAgentAsync(desk, desk.Agent2, desk.Agent2.UserId, new UpdateAgentRequest { Availability = AgentAvailability.Away });

        var ticket = await desk.CreateAsync();
        Assert.Null(ticket.AssigneeId);

        await UpdateAgentAsync(desk, desk.Agent2, desk.Agent2.UserId, new UpdateAgentRequest { Availability = AgentAvailability.Online });
        Assert.Equal(desk.Agent2.UserId, (await desk.ReloadAsync(ticket.Id)).AssigneeId);
    }

    [Fact]
    public async Task A_category_routed_to_a_group_goes_only_to_its_members()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName, s => s.Categories = ["Billing", "Network"]);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent2.UserId, new UpdateAgentRequest { Groups = ["billing-team"] });
        await desk.RunAsync(sp => sp.GetRequiredService<AssignmentManager>().UpdateSettingsAsync(desk.Admin,
            new UpdateAssignmentRequest { CategoryGroups = new() { ["Billing"] = "billing-team" } }, Ct));

        for (var i = 0; i < 4; i++)
            Assert.Equal(desk.Agent2.UserId, (await desk.CreateAsync(request: Request($"bill {i}", category: "Billing"))).AssigneeId);
        var network = new[] { await desk.CreateAsync(request: Request("net 1", category: "Network")), await desk.CreateAsync(request: Request("net 2", category: "Network")) };
        Assert.Equal(2, network.Select(t => t.AssigneeId).Distinct().Count());
    }

    [Fact]
    public async Task Adding_an_agent_drains_the_queue()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Capacity = 0 });
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent2.UserId, new UpdateAgentRequest { Capacity = 0 });
        var ticket = await desk.CreateAsync();
        Assert.Null(ticket.AssigneeId);

        var added = await desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = "new.agent@example.test", DisplayName = "New Agent" }, Ct));
        Assert.Equal(added.UserId, (await desk.ReloadAsync(ticket.Id)).AssigneeId);
    }

    [Fact]
    public async Task Raising_a_capacity_drains_the_queue_and_switching_to_manual_stops_assigning()
    {
        var desk = await DeskAsync(RoundRobinAssignmentStrategy.StrategyName);
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Capacity = 0 });
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent2.UserId, new UpdateAgentRequest { Capacity = 0 });
        var queued = await desk.CreateAsync();
        await UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { UnlimitedCapacity = true });
        Assert.Equal(desk.Agent.UserId, (await desk.ReloadAsync(queued.Id)).AssigneeId);

        await desk.RunAsync(sp => sp.GetRequiredService<AssignmentManager>().UpdateSettingsAsync(desk.Admin, new UpdateAssignmentRequest { Strategy = "manual" }, Ct));
        Assert.Null((await desk.CreateAsync()).AssigneeId);
    }

    [Fact]
    public async Task Bad_assignment_input_is_refused_and_changes_nothing()
    {
        var desk = await DeskAsync(ManualAssignmentStrategy.StrategyName, s => s.Categories = ["Billing"]);
        var manager = (Func<Func<AssignmentManager, Task>, Task>)(work => desk.RunAsync(sp => work(sp.GetRequiredService<AssignmentManager>())));

        var capacity = await Assert.ThrowsAsync<ValidationException>(() => UpdateAgentAsync(desk, desk.Admin, desk.Agent.UserId, new UpdateAgentRequest { Capacity = -1 }));
        Assert.Contains("capacity", capacity.Errors.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => UpdateAgentAsync(desk, desk.Admin, "no-such-agent", new UpdateAgentRequest { Capacity = 3 }));
        var strategy = await Assert.ThrowsAsync<ValidationException>(() => manager(m => m.UpdateSettingsAsync(desk.Admin, new UpdateAssignmentRequest { Strategy = "telepathy" }, Ct)));
        Assert.Contains("strategy", strategy.Errors.Keys);
        var group = await Assert.ThrowsAsync<ValidationException>(() => manager(m => m.UpdateSettingsAsync(desk.Admin,
            new UpdateAssignmentRequest { CategoryGroups = new() { ["Billing"] = "nobody-is-here" } }, Ct)));
        Assert.Contains("categoryGroups.Billing", group.Errors.Keys);

        await Assert.ThrowsAsync<ForbiddenException>(() => UpdateAgentAsync(desk, desk.Agent, desk.Agent.UserId, new UpdateAgentRequest { Capacity = 50 }));
        await Assert.ThrowsAsync<ForbiddenException>(() => UpdateAgentAsync(desk, desk.Agent, desk.Agent2.UserId, new UpdateAgentRequest { Availability = AgentAvailability.Offline }));
        await Assert.ThrowsAsync<ForbiddenException>(() => UpdateAgentAsync(desk, desk.Customer, desk.Agent.UserId, new UpdateAgentRequest { Availability = AgentAvailability.Offline }));
        await Assert.ThrowsAsync<ForbiddenException>(() => manager(m => m.GetOverviewAsync(desk.Agent, Ct)));

        var overview = await OverviewAsync(desk);
        Assert.Equal("manual", overview.Strategy);
        Assert.Empty(overview.CategoryGroups);
        Assert.All(overview.Agents, a => Assert.Null(a.Capacity));
        Assert.All(overview.Agents, a => Assert.Equal(AgentAvailability.Online, a.Availability));
    }
}

/// <summary>A host's own strategy, registered with <c>AddAssignmentStrategy</c> and chosen by name.</summary>
public sealed class CustomStrategyTests
{
    private sealed class LastCandidateStrategy : IAssignmentStrategy
    {
        public string Name => "always-last";

        public ValueTask<AssignmentDecision?> ChooseAsync(AssignmentRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult<AssignmentDecision?>(new(request.Candidates[^1].UserId, "always the last candidate"));
    }

    [Fact]
    public async Task A_host_strategy_is_used_by_name_and_cannot_overfill_an_agent()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-custom-strategy-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={path}")).AddAssignmentStrategy<LastCandidateStrategy>();
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.MigrateCustomerCareDatabaseAsync(TestContext.Current.CancellationToken);
            var tenant = new TenantInfo { Id = "custom", Identifier = "custom", Name = "Custom", Settings = new TenantSettings { AssignmentStrategy = "always-last" } };
            using var _ = provider.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
            await using var scope = provider.CreateAsyncScope();
            var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
            foreach (var id in new[] { "a-agent", "b-agent" })
                await staff.AddAsync(new StaffMember { UserId = id, DisplayName = id, Email = $"{id}@example.test", Role = ActorRole.Agent, Capacity = 2 }, TestContext.Current.CancellationToken);

            var customer = new Actor("custom", "c-1", ActorRole.Customer, "Cust", null);
            var tickets = scope.ServiceProvider.GetRequiredService<TicketManager>();
            var assignees = new List<string?>();
            for (var i = 0; i < 5; i++)
                assignees.Add((await tickets.CreateAsync(customer, new CreateTicketRequest { Subject = $"s{i}", Description = "d" }, null, TestContext.Current.CancellationToken)).Value.AssigneeId);

            Assert.Equal(["b-agent", "b-agent", "a-agent", "a-agent", null], assignees);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }
}
