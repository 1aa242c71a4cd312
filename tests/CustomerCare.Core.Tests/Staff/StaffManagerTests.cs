using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.Staff;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Staff;

/// <summary>The staff directory: admins add and deactivate agents; a removed agent's open work goes back to the queue.</summary>
public sealed class StaffManagerTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deactivating_an_agent_returns_their_open_tickets_to_the_unassigned_queue()
    {
        var desk = await fixture.CreateDeskAsync();
        var open = await desk.CreateAssignedAsync();
        var pending = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Agent, pending.Id, "Which bill?");
        var resolved = await desk.CreateAssignedAsync();
        await desk.ResolveAsync(desk.Agent, resolved.Id);
        var colleagues = await desk.CreateAssignedAsync(agent: desk.Agent2);

        await Deactivate(desk, desk.Admin, desk.Agent.UserId);

        foreach (var id in new[] { open.Id, pending.Id })
        {
            var ticket = await desk.ReloadAsync(id);
            Assert.Equal(TicketStatus.New, ticket.Status);
            Assert.Null(ticket.AssigneeId);
            Assert.Null(ticket.AssigneeName);
            var events = await desk.EventsAsync(desk.Admin, id);
            var unassigned = Assert.Single(events, e => e.Detail == "unassigned: agent removed");
            Assert.Equal(TicketEventKind.Assigned, unassigned.Kind);
            Assert.Equal(desk.Admin.UserId, unassigned.ActorId);
            Assert.Equal(TicketStatus.New, unassigned.ToStatus);
            Assert.Null(unassigned.AssigneeId);
        }
        Assert.Equal(TicketStatus.Pending, (await desk.EventsAsync(desk.Admin, pending.Id)).Single(e => e.Detail == "unassigned: agent removed").FromStatus);

        var stillResolved = await desk.ReloadAsync(resolved.Id);
        Assert.Equal(TicketStatus.Resolved, stillResolved.Status);
        Assert.Equal(desk.Agent.UserId, stillResolved.AssigneeId);
        Assert.Equal(desk.Agent2.UserId, (await desk.ReloadAsync(colleagues.Id)).AssigneeId);

        var member = await desk.RunAsync(sp => sp.GetRequiredService<IStaffStore>().FindAsync(desk.Agent.UserId, Ct));
        Assert.False(member!.IsActive);
    }

    [Fact]
    public async Task Deactivated_agent_cannot_be_assigned()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync();
        await Deactivate(desk, desk.Admin, desk.Agent.UserId);

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId));
        Assert.Contains("agentId", error.Errors.Keys);
        var active = await desk.Staff(m => m.ListAsync(desk.Admin, includeInactive: false, Ct));
        Assert.DoesNotContain(active, s => s.UserId == desk.Agent.UserId);
        var all = await desk.Staff(m => m.ListAsync(desk.Admin, includeInactive: true, Ct));
        Assert.Contains(all, s => s.UserId == desk.Agent.UserId);
    }

    [Fact]
    public async Task Admin_cannot_deactivate_themselves()
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ConflictException>(() => Deactivate(desk, desk.Admin, desk.Admin.UserId));
        Assert.Equal("cannot-remove-self", error.Code);
        var member = await desk.RunAsync(sp => sp.GetRequiredService<IStaffStore>().FindAsync(desk.Admin.UserId, Ct));
        Assert.True(member!.IsActive);
    }

    [Fact]
    public async Task Agent_cannot_manage_staff()
    {
        var desk = await fixture.CreateDeskAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.Staff(m => m.ListAsync(desk.Agent, false, Ct)));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.Staff(m => m.AddAsync(desk.Agent, new AddStaffRequest { Email = "x@example.test", DisplayName = "X" }, Ct)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Deactivate(desk, desk.Agent, desk.Agent2.UserId));
        await Assert.ThrowsAsync<ForbiddenException>(() => Deactivate(desk, desk.Customer, desk.Agent2.UserId));
        Assert.True((await desk.RunAsync(sp => sp.GetRequiredService<IStaffStore>().FindAsync(desk.Agent2.UserId, Ct)))!.IsActive);
    }

    [Fact]
    public async Task Unknown_or_inactive_staff_member_is_not_found()
    {
        var desk = await fixture.CreateDeskAsync();
        await Deactivate(desk, desk.Admin, desk.Agent.UserId);

        await Assert.ThrowsAsync<NotFoundException>(() => Deactivate(desk, desk.Admin, desk.Agent.UserId));
        await Assert.ThrowsAsync<NotFoundException>(() => Deactivate(desk, desk.Admin, "nobody"));
    }

    [Fact]
    public async Task Admin_adds_an_agent_who_can_then_be_assigned()
    {
        var desk = await fixture.CreateDeskAsync();

        var member = await desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = "new.agent@example.test", DisplayName = " New Agent " }, Ct));

        Assert.Equal("new.agent@example.test", member.UserId);
        Assert.Equal("New Agent", member.DisplayName);
        Assert.Equal(ActorRole.Agent, member.Role);
        var ticket = await desk.CreateAsync();
        var assigned = await desk.AssignAsync(desk.Admin, ticket.Id, member.UserId);
        Assert.Equal("New Agent", assigned.AssigneeName);
    }

    [Fact]
    public async Task Adding_an_active_staff_member_twice_is_a_conflict()
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ConflictException>(() => desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = desk.Agent.Email!.ToUpperInvariant(), DisplayName = "Again" }, Ct)));

        Assert.Equal("staff-exists", error.Code);
    }

    [Fact]
    public async Task Adding_a_deactivated_staff_member_reactivates_them()
    {
        var desk = await fixture.CreateDeskAsync();
        await Deactivate(desk, desk.Admin, desk.Agent.UserId);

        var member = await desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = desk.Agent.Email, DisplayName = "Alan Returns", Role = ActorRole.Admin }, Ct));

        Assert.True(member.IsActive);
        Assert.Equal(desk.Agent.UserId, member.UserId);
        var stored = await desk.RunAsync(sp => sp.GetRequiredService<IStaffStore>().FindAsync(desk.Agent.UserId, Ct));
        Assert.True(stored!.IsActive);
        Assert.Equal("Alan Returns", stored.DisplayName);
        Assert.Equal(ActorRole.Admin, stored.Role);
    }

    [Theory]
    [InlineData(null, "Name", "email")]
    [InlineData("not-an-email", "Name", "email")]
    [InlineData("Name <x@example.test>", "Name", "email")]
    [InlineData("x@example.test", null, "displayName")]
    [InlineData("x@example.test", "  ", "displayName")]
    public async Task Invalid_staff_member_is_refused(string? email, string? name, string field)
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = email, DisplayName = name }, Ct)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.Equal(3, (await desk.Staff(m => m.ListAsync(desk.Admin, true, Ct))).Count);
    }

    [Fact]
    public async Task Customer_role_cannot_be_given_to_staff()
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = "x@example.test", DisplayName = "X", Role = ActorRole.Customer }, Ct)));

        Assert.Equal(["role"], error.Errors.Keys);
    }

    private static Task Deactivate(Desk desk, Actor by, string userId)
        => desk.Staff(async m => { await m.DeactivateAsync(by, userId, Ct); return 0; });
}
