using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Customers;

/// <summary>Erasing a customer (by an admin or by themselves) removes their Identity account and personal data; tickets stay.</summary>
public sealed class CustomerErasureTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Tenant = "safe-insurance";
    private const string Api = "/t/safe-insurance/api";

    [Fact]
    public async Task An_admin_deletes_a_customer_whose_tickets_stay_under_deleted_user_and_whose_account_is_gone()
    {
        using var api = host.Api();
        var email = Infrastructure.Api.UniqueEmail("dana");
        var customer = await api.NewCustomerAsync(Tenant, email);
        var ticket = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets", HttpStatusCode.Created, new
        {
            subject = "Claim for a broken window",
            description = "A storm broke my kitchen window.",
            customFields = new { policyNumber = "INS-445566" },
        }, customer);
        var ticketId = (string)ticket["id"]!;
        await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.Created, new { body = "Photos to follow." }, customer);

        var admin = await api.LoginAsync(Tenant, "admin@safe-insurance.example", "Demo-pass-2026");
        var customers = await api.ExpectAsync(HttpMethod.Get, $"{Api}/customers?limit=100", HttpStatusCode.OK, token: admin);
        var listed = customers["items"]!.AsArray().Single(c => (string?)c!["email"] == email)!;
        var customerId = (string)listed["id"]!;
        Assert.Equal(1, (int?)listed["ticketsRaised"]);

        await api.ExpectAsync(HttpMethod.Delete, $"{Api}/customers/{customerId}", HttpStatusCode.NoContent, token: admin);

        var kept = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{ticketId}", HttpStatusCode.OK, token: admin);
        Assert.Equal(customerId, (string?)kept["customer"]?["id"]);
        Assert.Equal("deleted user", (string?)kept["customer"]?["name"]);
        var messages = await api.ExpectAsync(HttpMethod.Get, $"{Api}/tickets/{ticketId}/messages", HttpStatusCode.OK, token: admin);
        var message = Assert.Single(messages.AsArray());
        Assert.Equal("deleted user", (string?)message!["author"]?["name"]);
        Assert.Equal("Photos to follow.", (string?)message["body"]);

        var remaining = await api.ExpectAsync(HttpMethod.Get, $"{Api}/customers?limit=100", HttpStatusCode.OK, token: admin);
        Assert.DoesNotContain(remaining["items"]!.AsArray(), c => (string?)c!["id"] == customerId);
        await Infrastructure.Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Delete, $"{Api}/customers/{customerId}", token: admin),
            HttpStatusCode.NotFound, "urn:customercare:problem:not-found");

        // The Identity account is deleted: no sign-in, the old token no longer counts, and the address is free again.
        await Infrastructure.Api.ExpectProblemAsync(await api.TryLoginAsync(Tenant, email, Infrastructure.Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "Failed");
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/me", customer), HttpStatusCode.Unauthorized, "urn:customercare:problem:unauthorized");
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/tickets/{ticketId}", customer), HttpStatusCode.Unauthorized);
        await api.RegisterAsync(Tenant, email, "Another-pass-2026!");
    }

    [Fact]
    public async Task Only_admins_delete_other_customers()
    {
        using var api = host.Api();
        var victim = await api.NewCustomerAsync(Tenant, Infrastructure.Api.UniqueEmail("vic"));
        var victimId = (string)(await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: victim))["userId"]!;
        var other = await api.NewCustomerAsync(Tenant, Infrastructure.Api.UniqueEmail("eve"));
        var agent = await api.LoginAsync(Tenant, "agent1@safe-insurance.example", "Demo-pass-2026");

        foreach (var token in new[] { other, agent })
        {
            await Infrastructure.Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Delete, $"{Api}/customers/{victimId}", token: token),
                HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
        }
        await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: victim);
    }

    [Fact]
    public async Task A_customer_updates_their_phone_and_deletes_their_own_account()
    {
        using var api = host.Api();
        var email = Infrastructure.Api.UniqueEmail("quinn");
        var customer = await api.NewCustomerAsync(Tenant, email);

        var updated = await api.ExpectAsync(HttpMethod.Patch, $"{Api}/me", HttpStatusCode.OK, new { phone = "+44 20 7946 0958" }, customer);
        Assert.Equal("+44 20 7946 0958", (string?)updated["phone"]);
        var me = await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: customer);
        Assert.Equal("+44 20 7946 0958", (string?)me["phone"]);

        var invalid = await api.SendAsync(HttpMethod.Patch, $"{Api}/me", new { phone = "call me maybe" }, customer);
        var problem = await Infrastructure.Api.ExpectProblemAsync(invalid, HttpStatusCode.BadRequest, "urn:customercare:problem:validation");
        Assert.NotNull(problem["errors"]?["phone"]);
        Assert.Equal("+44 20 7946 0958", (string?)(await api.ExpectAsync(HttpMethod.Get, $"{Api}/me", HttpStatusCode.OK, token: customer))["phone"]);

        await api.ExpectAsync(HttpMethod.Delete, $"{Api}/me", HttpStatusCode.NoContent, token: customer);
        await Infrastructure.Api.ExpectProblemAsync(await api.GetAsync($"{Api}/me", customer), HttpStatusCode.Unauthorized, "urn:customercare:problem:unauthorized");
        await Infrastructure.Api.ExpectProblemAsync(await api.TryLoginAsync(Tenant, email, Infrastructure.Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "Failed");
    }

    [Fact]
    public async Task Staff_cannot_delete_themselves_through_me()
    {
        using var api = host.Api();
        var agent = await api.LoginAsync(Tenant, "agent2@safe-insurance.example", "Demo-pass-2026");
        await Infrastructure.Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Delete, $"{Api}/me", token: agent), HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
        await Infrastructure.Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Patch, $"{Api}/me", new { phone = "+44 20 7946 0958" }, agent),
            HttpStatusCode.Forbidden, "urn:customercare:problem:forbidden");
        await api.LoginAsync(Tenant, "agent2@safe-insurance.example", "Demo-pass-2026");
    }
}
