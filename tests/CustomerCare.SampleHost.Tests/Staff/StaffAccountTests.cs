using System.Net;
using System.Text.Json.Nodes;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Staff;

/// <summary>An admin adds agents (the sample provisions an Identity account and mails a set-password link) and removes them.</summary>
public sealed class StaffAccountTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Tenant = "acme-bank";
    private const string Api = "/t/acme-bank/api";
    private const string DemoPassword = "Demo-pass-2026";

    [Fact]
    public async Task An_added_agent_sets_a_password_from_the_mail_works_tickets_and_loses_them_when_removed()
    {
        using var api = host.Api();
        var admin = await api.LoginAsync(Tenant, "admin@acme-bank.example", DemoPassword);
        var email = Infrastructure.Api.UniqueEmail("morgan");

        var added = await api.ExpectAsync(HttpMethod.Post, $"{Api}/agents", HttpStatusCode.Created, new { email, displayName = "Morgan Agent" }, admin);
        var agentId = (string)added["id"]!;
        Assert.Equal("agent", (string?)added["role"]);
        Assert.Equal(email, (string?)added["email"]);
        Assert.True((bool?)added["active"]);

        // The account exists but has no password yet: one mail welcomes the agent, another carries a code to set a password.
        var welcome = host.Mail.Single(email, "Your Acme Bank helpdesk account");
        Assert.Contains("as an agent", welcome.Body, StringComparison.Ordinal);
        var mail = host.Mail.Single(email, "Your Acme Bank password");
        Assert.Contains("/t/acme-bank/api/auth/resetPassword", mail.Body, StringComparison.Ordinal);
        Assert.Contains("support@acme-bank.example", mail.From, StringComparison.Ordinal);
        var code = api.ResetCodeFromMail(email, "Your Acme Bank password");
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/auth/resetPassword", HttpStatusCode.OK, new { email, resetCode = code, newPassword = "Agent-pass-2026!" });
        var agent = await api.LoginAsync(Tenant, email, "Agent-pass-2026!");

        var me = await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: agent);
        Assert.Equal("agent", (string?)me["role"]);
        Assert.Equal(agentId, (string?)me["userId"]);
        Assert.Equal("Morgan Agent", (string?)me["displayName"]);

        // The seeded customer raises two tickets; the admin gives both to the new agent, who resolves one.
        var customer = await api.LoginAsync(Tenant, "customer@acme-bank.example", DemoPassword);
        var openId = await NewTicketAsync(api, customer, "Card blocked abroad");
        var resolvedId = await NewTicketAsync(api, customer, "Statement in the wrong language");
        foreach (var id in new[] { openId, resolvedId })
            await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{id}/assign", HttpStatusCode.OK, new { agentId }, admin);
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{openId}/messages", HttpStatusCode.Created, new { body = "Looking into it." }, agent);
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{resolvedId}/resolve", HttpStatusCode.OK, token: agent);
        var assignedToAgent = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets?assignee=me", HttpStatusCode.OK, token: agent);
        Assert.Equal(new[] { openId, resolvedId }.Order(), Ids(assignedToAgent).Order());

        // Removing the agent returns their unresolved ticket to the queue; resolved work keeps its assignee.
        await api.ExpectAsync(HttpMethod.Delete, $"{Api}/agents/{agentId}", HttpStatusCode.NoContent, token: admin);
        var open = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{openId}", HttpStatusCode.OK, token: admin);
        Assert.Equal("new", (string?)open["status"]);
        Assert.Null(open["assignee"]);
        var resolved = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{resolvedId}", HttpStatusCode.OK, token: admin);
        Assert.Equal("resolved", (string?)resolved["status"]);
        Assert.Equal(agentId, (string?)resolved["assignee"]?["id"]);

        var directory = await api.ExpectAsync(HttpMethod.Get, $"{Api}/agents", HttpStatusCode.OK, token: admin);
        Assert.DoesNotContain(directory.AsArray(), a => (string?)a!["id"] == agentId);
        var withInactive = await api.ExpectAsync(HttpMethod.Get, $"{Api}/agents?includeInactive=true", HttpStatusCode.OK, token: admin);
        Assert.False((bool?)withInactive.AsArray().Single(a => (string?)a!["id"] == agentId)!["active"]);

        // The removed agent's Identity account stays, so their token still signs them in, but only as a
        // customer: no staff directory, no tickets of others.
        var after = await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: agent);
        Assert.Equal("customer", (string?)after["role"]);
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/agents", agent), HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/tickets/{openId}", agent), HttpStatusCode.NotFound, "urn:customercare:problem:not-found");
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/tickets/{resolvedId}", agent), HttpStatusCode.NotFound, "urn:customercare:problem:not-found");
        var visible = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets", HttpStatusCode.OK, token: agent);
        Assert.Empty(visible["items"]!.AsArray());
        await api.LoginAsync(Tenant, email, "Agent-pass-2026!");
    }

    [Fact]
    public async Task Only_admins_manage_agents()
    {
        using var api = host.Api();
        var agent = await api.LoginAsync(Tenant, "agent2@acme-bank.example", DemoPassword);
        var customer = await api.LoginAsync(Tenant, "customer@acme-bank.example", DemoPassword);
        var email = Infrastructure.Api.UniqueEmail("nobody");
        foreach (var token in new[] { agent, customer })
        {
            await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/agents", token), HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
            await Infrastructure.Api.ExpectProblemAsync(await api.PostAsync($"{Api}/agents", new { email, displayName = "Nobody" }, token),
                HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
        }
        await Infrastructure.Api.ExpectProblemAsync(await api.PostAsync($"{Api}/agents", new { email, displayName = "Nobody" }), HttpStatusCode.Unauthorized);
        Assert.Empty(host.Mail.To(email));
    }

    [Fact]
    public async Task Adding_an_agent_with_an_invalid_email_is_a_validation_problem_and_sends_nothing()
    {
        using var api = host.Api();
        var admin = await api.LoginAsync(Tenant, "admin@acme-bank.example", DemoPassword);
        var problem = await Infrastructure.Api.ExpectProblemAsync(await api.PostAsync($"{Api}/agents", new { email = "not-an-address", displayName = "" }, admin),
            HttpStatusCode.BadRequest, "urn:customercare:problem:validation");
        Assert.NotNull(problem["errors"]?["email"]);
        Assert.NotNull(problem["errors"]?["displayName"]);
        Assert.Empty(host.Mail.To("not-an-address"));
    }

    private static async Task<string> NewTicketAsync(Api api, string token, string subject)
    {
        var created = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets", HttpStatusCode.Created,
            new { subject, description = $"{subject}. Please help." }, token);
        return (string)created["id"]!;
    }

    private static IEnumerable<string> Ids(JsonNode page) => page["items"]!.AsArray().Select(t => (string)t!["id"]!);
}
