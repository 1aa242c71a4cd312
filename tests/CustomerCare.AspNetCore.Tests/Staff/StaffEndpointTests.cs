using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Staff;

/// <summary>The staff directory over HTTP: admins add and remove agents.</summary>
public sealed class StaffEndpointTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    private ApiClient Admin => Host.As(Users.BankAdmin);

    [Fact]
    public async Task Admin_adds_an_agent_who_can_then_work_as_an_agent()
    {
        var email = $"{Guid.NewGuid():N}@staff.example.test";
        var response = await Admin.PostAsync("agents", new { email, displayName = "Margaret Hamilton" });
        var agent = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(email, agent.Str("id")); // the default provisioner uses the email as the host user id
        Assert.Equal("Margaret Hamilton", agent.Str("displayName"));
        Assert.Equal("agent", agent.Str("role"));
        Assert.True(agent.GetProperty("active").GetBoolean());
        Assert.Equal($"/t/bank/api/agents/{Uri.EscapeDataString(email)}", response.Headers.Location?.OriginalString);

        var list = await (await Admin.GetAsync("agents")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), s => s.Str("id") == email);

        var me = await Host.As(email).MeAsync();
        Assert.Equal("agent", me.Str("role"));
        var ticket = (await Host.As(Users.New()).CreateTicketAsync()).Id();
        await Admin.AssignAsync(ticket, email);
        await Host.As(email).ChangeStatusAsync(ticket, "resolve");
    }

    [Fact]
    public async Task Admin_can_add_another_admin()
    {
        var email = $"{Guid.NewGuid():N}@staff.example.test";
        var admin = await (await Admin.PostAsync("agents", new { email, displayName = "Second Admin", role = "admin" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("admin", admin.Str("role"));
        await (await Host.As(email).GetAsync("agents")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Duplicate_email_is_a_conflict_and_a_bad_email_a_400()
    {
        var email = $"{Guid.NewGuid():N}@staff.example.test";
        await (await Admin.PostAsync("agents", new { email, displayName = "First" })).ExpectAsync(HttpStatusCode.Created);
        var before = await Host.CountStaffAsync();

        await (await Admin.PostAsync("agents", new { email, displayName = "Second" })).ExpectProblemAsync(HttpStatusCode.Conflict, "staff-exists");
        await (await Admin.PostAsync("agents", new { email = email.ToUpperInvariant(), displayName = "Shouting" })).ExpectProblemAsync(HttpStatusCode.Conflict, "staff-exists");
        await (await Admin.PostAsync("agents", new { email = "not an email", displayName = "Bad" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "email");
        await (await Admin.PostAsync("agents", new { email = "@example.test", displayName = "Bad" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "email");

        Assert.Equal(before, await Host.CountStaffAsync());
        var list = await (await Admin.GetAsync("agents")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("First", list.EnumerateArray().Single(s => s.Str("id") == email).Str("displayName"));
    }

    [Fact]
    public async Task Removing_an_agent_returns_their_unresolved_tickets_to_the_queue()
    {
        var email = $"{Guid.NewGuid():N}@staff.example.test";
        await (await Admin.PostAsync("agents", new { email, displayName = "Leaving Agent" })).ExpectAsync(HttpStatusCode.Created);
        var agent = Host.As(email);
        var customer = Host.As(Users.New());

        var open = (await customer.CreateTicketAsync()).Id();
        await Admin.AssignAsync(open, email);
        var pending = (await customer.CreateTicketAsync()).Id();
        await Admin.AssignAsync(pending, email);
        await agent.PostMessageAsync(pending, "Could you send a photo of the card?");
        var resolved = (await customer.CreateTicketAsync()).Id();
        await Admin.AssignAsync(resolved, email);
        await agent.ChangeStatusAsync(resolved, "resolve");
        var versionBefore = (await Admin.GetTicketAsync(open)).Version();

        await (await Admin.DeleteAsync($"agents/{Uri.EscapeDataString(email)}")).ExpectAsync(HttpStatusCode.NoContent);

        foreach (var id in new[] { open, pending })
        {
            var ticket = await Admin.GetTicketAsync(id);
            Assert.Equal("new", ticket.Str("status"));
            Assert.Equal(JsonValueKind.Null, ticket.GetProperty("assignee").ValueKind);
            var events = await (await Admin.GetAsync($"tickets/{id}/events")).ExpectAsync(HttpStatusCode.OK);
            var last = events[events.GetArrayLength() - 1];
            Assert.Equal("assigned", last.Str("kind"));
            Assert.Equal("new", last.Str("toStatus"));
            Assert.Equal(Users.BankAdmin, last.Str("actorId"));
        }
        Assert.True((await Admin.GetTicketAsync(open)).Version() > versionBefore);
        var stillResolved = await Admin.GetTicketAsync(resolved);
        Assert.Equal("resolved", stillResolved.Str("status"));
        Assert.Equal(email, stillResolved.GetProperty("assignee").Str("id"));

        // No longer in the directory (except when asking for inactive members too), no longer staff.
        var active = await (await Admin.GetAsync("agents")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(active.EnumerateArray(), s => s.Str("id") == email);
        var all = await (await Admin.GetAsync("agents?includeInactive=true")).ExpectAsync(HttpStatusCode.OK);
        Assert.False(all.EnumerateArray().Single(s => s.Str("id") == email).GetProperty("active").GetBoolean());
        Assert.Equal("customer", (await agent.MeAsync()).Str("role"));
        await (await agent.GetAsync($"tickets/{open}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Admin.PostAsync($"tickets/{open}/assign", new { agentId = email })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "agentId");
        await (await Admin.DeleteAsync($"agents/{Uri.EscapeDataString(email)}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        // Adding them again brings them back.
        await (await Admin.PostAsync("agents", new { email, displayName = "Returning Agent" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("agent", (await agent.MeAsync()).Str("role"));
    }

    [Fact]
    public async Task Admin_cannot_remove_themselves()
    {
        var before = await Host.FindStaffAsync(Tenants.Bank, Users.BankAdmin);
        await (await Admin.DeleteAsync($"agents/{Users.BankAdmin}")).ExpectProblemAsync(HttpStatusCode.Conflict, "cannot-remove-self");
        Assert.True((await Host.FindStaffAsync(Tenants.Bank, Users.BankAdmin))!.IsActive);
        Assert.True(before!.IsActive);
    }
}
