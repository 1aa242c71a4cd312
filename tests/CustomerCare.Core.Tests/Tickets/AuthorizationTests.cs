using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Tickets;

/// <summary>The authorization table of DESIGN.md §3, enforced by the managers (not only at endpoints).</summary>
public sealed class AuthorizationTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customer_cannot_see_another_customers_ticket()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync(desk.Customer);

        await Assert.ThrowsAsync<NotFoundException>(() => desk.GetAsync(desk.Customer2, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => desk.MessagesAsync(desk.Customer2, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => desk.EventsAsync(desk.Customer2, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => desk.PostAsync(desk.Customer2, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => desk.CloseAsync(desk.Customer2, ticket.Id));
        Assert.Empty((await desk.ListAsync(desk.Customer2)).Items);

        // The owner does see it: the 404 above is about ownership, not a broken lookup.
        Assert.Equal(ticket.Id, (await desk.GetAsync(desk.Customer, ticket.Id)).Id);
        Assert.Equal([ticket.Id], (await desk.ListAsync(desk.Customer)).Items.Select(t => t.Id));
    }

    [Fact]
    public async Task Ticket_of_another_tenant_is_not_found_even_for_an_admin()
    {
        var acme = await fixture.CreateDeskAsync();
        var globex = await fixture.CreateDeskAsync();
        var ticket = await acme.CreateAsync(acme.Customer);

        await Assert.ThrowsAsync<NotFoundException>(() => globex.GetAsync(globex.Admin, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => globex.AssignAsync(globex.Admin, ticket.Id, globex.Agent.UserId));
        Assert.Empty((await globex.ListAsync(globex.Admin)).Items);
        Assert.Single((await acme.ListAsync(acme.Admin)).Items);
    }

    [Fact]
    public async Task Actor_of_another_tenant_than_the_current_one_is_refused()
    {
        var acme = await fixture.CreateDeskAsync();
        var globex = await fixture.CreateDeskAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => acme.Tickets(m => m.CreateAsync(globex.Customer, DeskOperations.Request(), null, Ct)));
        Assert.Empty((await acme.ListAsync(acme.Admin)).Items);
    }

    [Fact]
    public async Task Agent_sees_assigned_and_unassigned_tickets_when_tenant_allows()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsSeeUnassigned = true);
        var mine = await desk.CreateAssignedAsync(agent: desk.Agent);
        var theirs = await desk.CreateAssignedAsync(agent: desk.Agent2);
        var unassigned = await desk.CreateAsync();

        Assert.Equal(mine.Id, (await desk.GetAsync(desk.Agent, mine.Id)).Id);
        Assert.Equal(unassigned.Id, (await desk.GetAsync(desk.Agent, unassigned.Id)).Id);
        await Assert.ThrowsAsync<NotFoundException>(() => desk.GetAsync(desk.Agent, theirs.Id));

        var listed = (await desk.ListAsync(desk.Agent)).Items.Select(t => t.Id).ToHashSet();
        Assert.Equal(new HashSet<Guid> { mine.Id, unassigned.Id }, listed);
    }

    [Fact]
    public async Task Agent_sees_only_assigned_tickets_when_tenant_hides_unassigned()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsSeeUnassigned = false);
        var mine = await desk.CreateAssignedAsync(agent: desk.Agent);
        var unassigned = await desk.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => desk.GetAsync(desk.Agent, unassigned.Id));
        Assert.Equal([mine.Id], (await desk.ListAsync(desk.Agent)).Items.Select(t => t.Id));
    }

    [Fact]
    public async Task Agent_cannot_resolve_unassigned_ticket()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsSeeUnassigned = true);
        var ticket = await desk.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.ResolveAsync(desk.Agent, ticket.Id));
        Assert.Equal(TicketStatus.New, (await desk.ReloadAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task Agent_cannot_reply_to_unassigned_ticket_they_can_see()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsSeeUnassigned = true);
        var ticket = await desk.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.PostAsync(desk.Agent, ticket.Id, "hi"));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.PostAsync(desk.Agent, ticket.Id, "note", MessageVisibility.Internal));
        Assert.Empty(await desk.MessagesAsync(desk.Admin, ticket.Id));
    }

    [Fact]
    public async Task Agent_cannot_act_on_ticket_assigned_to_another_agent()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync(agent: desk.Agent2);

        await Assert.ThrowsAsync<NotFoundException>(() => desk.ResolveAsync(desk.Agent, ticket.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => desk.PostAsync(desk.Agent, ticket.Id));
    }

    [Fact]
    public async Task Customer_cannot_post_internal_note()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.PostAsync(desk.Customer, ticket.Id, "psst", MessageVisibility.Internal));
        Assert.Empty(await desk.MessagesAsync(desk.Admin, ticket.Id));
    }

    [Fact]
    public async Task Customer_does_not_see_internal_notes()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Customer, ticket.Id, "My bill is wrong");
        await desk.PostAsync(desk.Agent, ticket.Id, "Known billing bug, do not promise a refund", MessageVisibility.Internal);
        await desk.PostAsync(desk.Agent, ticket.Id, "We are looking into it");

        var customerView = await desk.MessagesAsync(desk.Customer, ticket.Id);
        Assert.Equal(["My bill is wrong", "We are looking into it"], customerView.Select(m => m.Body));
        Assert.All(customerView, m => Assert.Equal(MessageVisibility.Public, m.Visibility));

        var staffView = await desk.MessagesAsync(desk.Agent, ticket.Id);
        Assert.Equal([1, 2, 3], staffView.Select(m => m.Sequence));
        Assert.Contains(staffView, m => m.Visibility == MessageVisibility.Internal);

        var customerEvents = await desk.EventsAsync(desk.Customer, ticket.Id);
        Assert.DoesNotContain(customerEvents, e => e.Kind == TicketEventKind.MessagePosted && e.Detail == "internal");
        var staffEvents = await desk.EventsAsync(desk.Admin, ticket.Id);
        Assert.Contains(staffEvents, e => e.Kind == TicketEventKind.MessagePosted && e.Detail == "internal");
    }

    [Fact]
    public async Task Agent_cannot_close_or_reopen()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.CloseAsync(desk.Agent, ticket.Id));
        await desk.ResolveAsync(desk.Agent, ticket.Id);
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.ReopenAsync(desk.Agent, ticket.Id));
        Assert.Equal(TicketStatus.Resolved, (await desk.ReloadAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task Agent_cannot_create_ticket()
    {
        var desk = await fixture.CreateDeskAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.CreateAsync(desk.Agent));
        Assert.Empty((await desk.ListAsync(desk.Admin)).Items);
    }

    [Fact]
    public async Task Customer_cannot_assign_or_resolve()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync(desk.Customer);

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.AssignAsync(desk.Customer, ticket.Id, desk.Agent.UserId));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.ResolveAsync(desk.Customer, ticket.Id));
        var after = await desk.ReloadAsync(ticket.Id);
        Assert.Null(after.AssigneeId);
        Assert.Equal(TicketStatus.New, after.Status);
    }

    [Fact]
    public async Task Customer_cannot_raise_ticket_on_behalf_of_someone_else()
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            desk.CreateAsync(desk.Customer, DeskOperations.Request() with { CustomerId = desk.Customer2.UserId }));
        Assert.Contains("customerId", error.Errors.Keys);
    }

    [Fact]
    public async Task Admin_can_do_all()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsSeeUnassigned = false);
        await desk.RunAsync(sp => sp.GetRequiredService<CustomerCare.Customers.CustomerManager>()
            .EnsureProfileAsync(desk.Customer.UserId, desk.Customer.DisplayName, desk.Customer.Email, Ct));

        var onBehalf = await desk.CreateAsync(desk.Admin, DeskOperations.Request() with { CustomerId = desk.Customer.UserId });
        Assert.Equal(desk.Customer.UserId, onBehalf.CustomerId);
        Assert.Equal(desk.Customer.DisplayName, onBehalf.CustomerName);
        Assert.Equal(onBehalf.Id, (await desk.GetAsync(desk.Customer, onBehalf.Id)).Id);

        var other = await desk.CreateAssignedAsync(desk.Customer2, desk.Agent2);
        Assert.Equal(2, (await desk.ListAsync(desk.Admin)).Items.Count);
        await desk.PostAsync(desk.Admin, other.Id, "Admin here");
        await desk.PostAsync(desk.Admin, other.Id, "Admin note", MessageVisibility.Internal);
        Assert.Equal(2, (await desk.MessagesAsync(desk.Admin, other.Id)).Count);

        Assert.Equal(desk.Agent.UserId, (await desk.AssignAsync(desk.Admin, other.Id, desk.Agent.UserId)).AssigneeId);
        Assert.Equal(TicketStatus.Resolved, (await desk.ResolveAsync(desk.Admin, other.Id)).Status);
        Assert.Equal(TicketStatus.Closed, (await desk.CloseAsync(desk.Admin, other.Id)).Status);
        Assert.Equal(TicketStatus.Open, (await desk.ReopenAsync(desk.Admin, other.Id)).Status);
        Assert.Null((await desk.AssignAsync(desk.Admin, other.Id, null)).AssigneeId);
    }

    [Fact]
    public async Task Agent_cannot_self_assign_unless_tenant_allows()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsMaySelfAssign = false);
        var ticket = await desk.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.AssignAsync(desk.Agent, ticket.Id, desk.Agent.UserId));
        Assert.Null((await desk.ReloadAsync(ticket.Id)).AssigneeId);
    }

    [Fact]
    public async Task Agent_may_self_assign_when_tenant_allows()
    {
        var desk = await fixture.CreateDeskAsync(s => s.AgentsMaySelfAssign = true);
        var ticket = await desk.CreateAsync();

        var assigned = await desk.AssignAsync(desk.Agent, ticket.Id, desk.Agent.UserId);
        Assert.Equal(desk.Agent.UserId, assigned.AssigneeId);
        Assert.Equal(TicketStatus.Open, assigned.Status);
    }

    [Fact]
    public async Task Agent_self_assign_never_covers_assigning_others_or_taking_over()
    {
        var desk = await fixture.CreateDeskAsync(s => { s.AgentsMaySelfAssign = true; s.AgentsSeeUnassigned = true; });
        var unassigned = await desk.CreateAsync();
        var mine = await desk.CreateAssignedAsync(agent: desk.Agent);

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.AssignAsync(desk.Agent, unassigned.Id, desk.Agent2.UserId));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.AssignAsync(desk.Agent, mine.Id, null));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.AssignAsync(desk.Agent, mine.Id, desk.Agent2.UserId));
        Assert.Equal(desk.Agent.UserId, (await desk.ReloadAsync(mine.Id)).AssigneeId);
    }

    [Fact]
    public async Task Assigning_to_someone_not_in_the_staff_directory_is_invalid()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.AssignAsync(desk.Admin, ticket.Id, desk.Customer.UserId));
        Assert.Contains("agentId", error.Errors.Keys);
    }
}
