using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests;

/// <summary>The README's walk-through, over HTTP, against a freshly seeded host.</summary>
public sealed class ReadmeWalkthroughTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Tenant = "globe-telecom";
    private const string Api = "/t/globe-telecom/api";

    [Fact]
    public async Task A_customer_registers_raises_a_ticket_chats_with_the_assigned_agent_and_closes_it()
    {
        using var api = host.Api();
        var email = Infrastructure.Api.UniqueEmail("casey");
        const string password = Infrastructure.Api.StrongPassword;

        // Register; signing in is refused until the email address is confirmed.
        await api.RegisterAsync(Tenant, email, password);
        await Infrastructure.Api.ExpectProblemAsync(await api.TryLoginAsync(Tenant, email, password), HttpStatusCode.Unauthorized, detail: "NotAllowed");

        // The confirmation mail is in the pickup folder, from the tenant, with a tenant-scoped link.
        var confirmation = host.Mail.Single(email, "Confirm your email");
        Assert.Contains("support@globe-telecom.example", confirmation.From, StringComparison.Ordinal);
        await api.ConfirmFromMailAsync(Tenant, email);
        var customer = await api.LoginAsync(Tenant, email, password);

        var me = await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: customer);
        Assert.Equal("customer", (string?)me["role"]);
        Assert.Equal(Tenant, (string?)me["tenant"]);
        Assert.Equal(email, (string?)me["email"]);

        // The telecom requires a bill number.
        var missing = await api.PostAsync($"{Api}/tickets", new { subject = "No signal", description = "No signal since Monday." }, customer);
        var problem = await Infrastructure.Api.ExpectProblemAsync(missing, HttpStatusCode.BadRequest, "urn:customercare:problem:validation");
        Assert.NotNull(problem["errors"]?["customFields.billNumber"]);

        var createdResponse = await api.PostAsync($"{Api}/tickets", new
        {
            subject = "No signal at home",
            description = "Since Monday my phone shows no signal at home.",
            customFields = new Dictionary<string, string> { ["billNumber"] = "TEL-778812" },
        }, customer);
        var created = await Infrastructure.Api.ExpectAsync(createdResponse, HttpStatusCode.Created);
        var ticketId = (string)created!["id"]!;
        Assert.Equal("TEL-1004", (string?)created["number"]);
        Assert.Equal("new", (string?)created["status"]);
        Assert.Equal("TEL-778812", (string?)created["customFields"]?["billNumber"]);
        Assert.Equal($"{Api}/tickets/{ticketId}", createdResponse.Headers.Location?.OriginalString);

        var mine = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets", HttpStatusCode.OK, token: customer);
        var listed = Assert.Single(mine["items"]!.AsArray());
        Assert.Equal(ticketId, (string?)listed!["id"]);
        Assert.Equal("new", (string?)listed["status"]);

        // The seeded admin finds agent1 in the staff directory and assigns the ticket.
        var admin = await api.LoginAsync(Tenant, "admin@globe-telecom.example", "Demo-pass-2026");
        var agents = await api.ExpectAsync(HttpMethod.Get, $"{Api}/agents", HttpStatusCode.OK, token: admin);
        var agent1 = agents.AsArray().Single(a => (string?)a!["email"] == "agent1@globe-telecom.example")!;
        var agent1Id = (string)agent1["id"]!;
        var assigned = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/assign", HttpStatusCode.OK, new { agentId = agent1Id }, admin);
        Assert.Equal("open", (string?)assigned["status"]);
        Assert.Equal(agent1Id, (string?)assigned["assignee"]?["id"]);

        // Agent and customer chat on the ticket.
        var agent = await api.LoginAsync(Tenant, "agent1@globe-telecom.example", "Demo-pass-2026");
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.Created,
            new { body = "Sorry about that. Can you restart your phone and tell me if it helps?" }, agent);
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.Created,
            new { body = "Restarted it, the signal is back. Thanks!" }, customer);
        var messages = (await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.OK, token: customer)).AsArray();
        Assert.Collection(messages,
            m => { Assert.Equal("agent", (string?)m!["authorRole"]); Assert.StartsWith("Sorry about that", (string?)m["body"], StringComparison.Ordinal); },
            m => { Assert.Equal("customer", (string?)m!["authorRole"]); Assert.Equal("Restarted it, the signal is back. Thanks!", (string?)m["body"]); });

        // The agent resolves, the customer closes.
        var resolved = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/resolve", HttpStatusCode.OK, token: agent);
        Assert.Equal("resolved", (string?)resolved["status"]);
        var closed = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/close", HttpStatusCode.OK, token: customer);
        Assert.Equal("closed", (string?)closed["status"]);

        // Closed tickets accept no messages, from anyone.
        foreach (var token in new[] { customer, agent, admin })
        {
            var refused = await api.PostAsync($"{Api}/tickets/{ticketId}/messages", new { body = "One more thing..." }, token);
            await Infrastructure.Api.ExpectProblemAsync(refused, HttpStatusCode.Conflict, "urn:customercare:problem:ticket-closed");
        }
        var after = (await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.OK, token: customer)).AsArray();
        Assert.Equal(2, after.Count);
    }
}
