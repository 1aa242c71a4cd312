using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Authorization;

/// <summary>What each role sees: other tenants' tickets, unassigned tickets, internal notes, scoped lists.</summary>
public sealed class VisibilityTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Another_tenants_ticket_is_not_found_for_the_admin_of_this_tenant_on_every_endpoint()
    {
        var telcoTicket = (await Host.As(Users.New(), Tenants.Telco).CreateTicketAsync()).Id();
        var before = await Host.TicketStateAsync(telcoTicket);
        var bankAdmin = Host.As(Users.BankAdmin);

        var responses = new[]
        {
            await bankAdmin.GetAsync($"tickets/{telcoTicket}"),
            await bankAdmin.GetAsync($"tickets/{telcoTicket}/messages"),
            await bankAdmin.GetAsync($"tickets/{telcoTicket}/events"),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/messages", new { body = "Hello from the bank" }),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/messages", new { body = "Note", visibility = "internal" }),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/assign", new { agentId = Users.BankAgent1 }),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/resolve"),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/close"),
            await bankAdmin.PostAsync($"tickets/{telcoTicket}/reopen"),
        };
        foreach (var response in responses) await response.ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        Assert.Equal(before, await Host.TicketStateAsync(telcoTicket));
        var list = await (await bankAdmin.GetAsync("tickets?limit=100")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(Ids(list), id => id == telcoTicket);
        // The ticket is there for its own tenant's admin.
        await Host.As(Users.TelcoAdmin, Tenants.Telco).GetTicketAsync(telcoTicket);
    }

    [Fact]
    public async Task Token_of_another_tenant_is_rejected_even_for_a_user_id_that_is_admin_here()
    {
        // bank-admin's user id signed in with a token issued for telco: not bank's admin on /t/bank.
        var response = await Host.As(Users.BankAdmin, Tenants.Bank, tokenTenant: Tenants.Telco).GetAsync("agents");
        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Agent_sees_an_unassigned_ticket_when_the_tenant_allows_it_but_may_not_work_it()
    {
        var ticket = (await Host.As(Users.New()).CreateTicketAsync()).Id();
        var before = await Host.TicketStateAsync(ticket);
        var agent = Host.As(Users.BankAgent2);

        await agent.GetTicketAsync(ticket);
        await (await agent.GetAsync($"tickets/{ticket}/messages")).ExpectAsync(HttpStatusCode.OK);
        await (await agent.PostAsync($"tickets/{ticket}/messages", new { body = "I'll take it" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await agent.PostAsync($"tickets/{ticket}/messages", new { body = "Note", visibility = "internal" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await agent.PostAsync($"tickets/{ticket}/resolve")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        // Self-assignment is off in this tenant.
        await (await agent.PostAsync($"tickets/{ticket}/assign", new { agentId = Users.BankAgent2 })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, await Host.TicketStateAsync(ticket));
    }

    [Fact]
    public async Task Agent_does_not_see_unassigned_tickets_when_the_tenant_does_not_allow_it()
    {
        var ticket = (await Host.As(Users.New(), Tenants.Telco).CreateTicketAsync()).Id();
        var agent = Host.As(Users.TelcoAgent1, Tenants.Telco);

        await (await agent.GetAsync($"tickets/{ticket}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        var list = await (await agent.GetAsync("tickets?limit=100")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(Ids(list), id => id == ticket);

        await Host.As(Users.TelcoAdmin, Tenants.Telco).AssignAsync(ticket, Users.TelcoAgent1);
        await agent.GetTicketAsync(ticket);
        await (await Host.As(Users.TelcoAgent2, Tenants.Telco).GetAsync($"tickets/{ticket}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Ticket_lists_are_scoped_by_role()
    {
        var owner = Users.New("owner");
        var mine = (await Host.As(owner).CreateTicketAsync()).Id();
        var assigned = (await Host.As(Users.New()).CreateTicketAsync()).Id();
        await Host.As(Users.BankAdmin).AssignAsync(assigned, Users.BankAgent1);
        var assignedToOther = (await Host.As(Users.New()).CreateTicketAsync()).Id();
        await Host.As(Users.BankAdmin).AssignAsync(assignedToOther, Users.BankAgent2);
        var unassigned = (await Host.As(Users.New()).CreateTicketAsync()).Id();

        async Task<List<Guid>> ListAs(string user) => Ids(await (await Host.As(user).GetAsync("tickets?limit=100")).ExpectAsync(HttpStatusCode.OK));

        Assert.Equal([mine], await ListAs(owner));
        Assert.Empty(await ListAs(Users.New("stranger")));

        var agentOne = await ListAs(Users.BankAgent1);
        Assert.Contains(assigned, agentOne);
        Assert.Contains(unassigned, agentOne); // the tenant lets agents see the unassigned queue
        Assert.DoesNotContain(assignedToOther, agentOne);

        var admin = await ListAs(Users.BankAdmin);
        Assert.Superset(new HashSet<Guid> { mine, assigned, assignedToOther, unassigned }, new HashSet<Guid>(admin));
    }

    [Fact]
    public async Task Customer_does_not_see_internal_notes_in_messages_or_events()
    {
        var owner = Host.As(Users.New());
        var ticket = (await owner.CreateTicketAsync()).Id();
        var admin = Host.As(Users.BankAdmin);
        await admin.AssignAsync(ticket, Users.BankAgent1);
        var agent = Host.As(Users.BankAgent1);
        await agent.PostMessageAsync(ticket, "Checked the card system: the block is a fraud rule.", "internal");
        await agent.PostMessageAsync(ticket, "We have lifted the block.");

        var forCustomer = await (await owner.GetAsync($"tickets/{ticket}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["public"], forCustomer.EnumerateArray().Select(m => m.Str("visibility")));
        Assert.DoesNotContain("fraud rule", forCustomer.GetRawText(), StringComparison.Ordinal);

        var forAgent = await (await agent.GetAsync($"tickets/{ticket}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["internal", "public"], forAgent.EnumerateArray().Select(m => m.Str("visibility")));

        var customerEvents = await (await owner.GetAsync($"tickets/{ticket}/events")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(customerEvents.EnumerateArray(), e => e.Str("kind") == "messagePosted" && e.GetProperty("detail").GetString() == "internal");
        var staffEvents = await (await admin.GetAsync($"tickets/{ticket}/events")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(staffEvents.EnumerateArray(), e => e.Str("kind") == "messagePosted" && e.GetProperty("detail").GetString() == "internal");
    }

    [Fact]
    public async Task Me_tells_the_role_in_this_tenant()
    {
        Assert.Equal("admin", (await Host.As(Users.BankAdmin).MeAsync()).Str("role"));
        Assert.Equal("agent", (await Host.As(Users.BankAgent1).MeAsync()).Str("role"));
        var customer = await Host.As("someone-" + Guid.NewGuid().ToString("N"), name: "Ada Lovelace", email: "ada@example.test").MeAsync();
        Assert.Equal("customer", customer.Str("role"));
        Assert.Equal("Ada Lovelace", customer.Str("displayName"));
        Assert.Equal("ada@example.test", customer.Str("email"));
        Assert.Equal("bank", customer.Str("tenant"));
        Assert.Equal("Acme Bank", customer.Str("tenantName"));
        // The bank's admin is nobody special in telco.
        Assert.Equal("customer", (await Host.As(Users.BankAdmin, Tenants.Telco).MeAsync()).Str("role"));
    }

    private static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(t => t.Id())];
}
