using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Operator;

/// <summary>The operator API: suspending a tenant shuts its helpdesk down (503) and nobody else's.</summary>
public sealed class TenantSuspensionTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string DemoPassword = "Demo-pass-2026";
    private static readonly Dictionary<string, string> OperatorKey = new() { ["X-Operator-Key"] = SampleHostFactory.OperatorKey };

    [Fact]
    public async Task A_suspended_tenant_answers_503_on_every_endpoint_while_other_tenants_keep_working_until_resumed()
    {
        using var api = host.Api();
        var bankCustomer = await api.LoginAsync("acme-bank", "customer@acme-bank.example", DemoPassword);
        var bankAdmin = await api.LoginAsync("acme-bank", "admin@acme-bank.example", DemoPassword);
        var bankTicket = (string)(await api.ExpectAsync(HttpMethod.Get, "/t/acme-bank/api/tickets", HttpStatusCode.OK, token: bankCustomer))["items"]![0]!["id"]!;
        var telecomCustomer = await api.LoginAsync("globe-telecom", "customer@globe-telecom.example", DemoPassword);
        // The demo data's own notifications to the customer are written before the tenant is suspended.
        var mailBefore = host.Mail.Settle("customer@acme-bank.example");

        var suspended = await Api.ExpectAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/acme-bank/suspend", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal("suspended", (string?)suspended!["status"]);
        var tenants = await Api.ExpectAsync(await api.SendAsync(HttpMethod.Get, "/ops/tenants", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal("suspended", (string?)tenants!.AsArray().Single(t => (string?)t!["id"] == "acme-bank")!["status"]);
        Assert.Equal("active", (string?)tenants.AsArray().Single(t => (string?)t!["id"] == "globe-telecom")!["status"]);

        var bank = "/t/acme-bank/api";
        var requests = new (HttpMethod Method, string Path, object? Body, string? Token)[]
        {
            (HttpMethod.Post, $"{bank}/auth/login", new { email = "customer@acme-bank.example", password = DemoPassword }, null),
            (HttpMethod.Post, $"{bank}/auth/login?useCookies=true", new { email = "customer@acme-bank.example", password = DemoPassword }, null),
            (HttpMethod.Post, $"{bank}/auth/register", new { email = Api.UniqueEmail("late"), password = Api.StrongPassword }, null),
            (HttpMethod.Post, $"{bank}/auth/forgotPassword", new { email = "customer@acme-bank.example" }, null),
            (HttpMethod.Post, $"{bank}/auth/refresh", new { refreshToken = "x" }, null),
            (HttpMethod.Get, $"{bank}/auth/confirmEmail?userId=x&code=y", null, null),
            (HttpMethod.Get, $"{bank}/auth/manage/info", null, bankCustomer),
            (HttpMethod.Get, $"{bank}/me", null, bankCustomer),
            (HttpMethod.Get, $"{bank}/me", null, null),
            (HttpMethod.Patch, $"{bank}/me", new { phone = "+44 20 7946 0958" }, bankCustomer),
            (HttpMethod.Delete, $"{bank}/me", null, bankCustomer),
            (HttpMethod.Get, $"{bank}/tickets", null, bankCustomer),
            (HttpMethod.Post, $"{bank}/tickets", new { subject = "Hello", description = "Are you there?" }, bankCustomer),
            (HttpMethod.Get, $"{bank}/tickets/{bankTicket}", null, bankCustomer),
            (HttpMethod.Get, $"{bank}/tickets/{bankTicket}/messages", null, bankCustomer),
            (HttpMethod.Post, $"{bank}/tickets/{bankTicket}/messages", new { body = "Hello?" }, bankCustomer),
            (HttpMethod.Get, $"{bank}/tickets/{bankTicket}/events", null, bankAdmin),
            (HttpMethod.Post, $"{bank}/tickets/{bankTicket}/assign", new { agentId = (string?)null }, bankAdmin),
            (HttpMethod.Post, $"{bank}/tickets/{bankTicket}/resolve", null, bankAdmin),
            (HttpMethod.Post, $"{bank}/tickets/{bankTicket}/close", null, bankCustomer),
            (HttpMethod.Post, $"{bank}/tickets/{bankTicket}/reopen", null, bankCustomer),
            (HttpMethod.Get, $"{bank}/agents", null, bankAdmin),
            (HttpMethod.Post, $"{bank}/agents", new { email = Api.UniqueEmail("new-agent"), displayName = "New" }, bankAdmin),
            (HttpMethod.Delete, $"{bank}/agents/someone", null, bankAdmin),
            (HttpMethod.Get, $"{bank}/customers", null, bankAdmin),
            (HttpMethod.Delete, $"{bank}/customers/someone", null, bankAdmin),
        };
        foreach (var (method, path, body, token) in requests)
        {
            var response = await api.SendAsync(method, path, body, token);
            await Api.ExpectProblemAsync(response, HttpStatusCode.ServiceUnavailable, "urn:customercare:problem:tenant-suspended");
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"{method} {path}: no Retry-After in seconds ({response.Headers.RetryAfter}).");
        }
        Thread.Sleep(500);
        Assert.Equal(mailBefore, host.Mail.To("customer@acme-bank.example").Count);

        // The other tenants are untouched.
        await api.LoginAsync("globe-telecom", "customer@globe-telecom.example", DemoPassword);
        await api.ExpectAsync(HttpMethod.Get, "/t/globe-telecom/api/me", HttpStatusCode.OK, token: telecomCustomer);
        await api.ExpectAsync(HttpMethod.Post, "/t/globe-telecom/api/tickets", HttpStatusCode.Created,
            new { subject = "Roaming", description = "Roaming does not work.", customFields = new { billNumber = "TEL-1" } }, telecomCustomer);

        // Suspending twice is a conflict; resuming brings everything back, including tokens issued before.
        await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/acme-bank/suspend", headers: OperatorKey), HttpStatusCode.Conflict);
        var resumed = await Api.ExpectAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/acme-bank/resume", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal("active", (string?)resumed!["status"]);
        await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/acme-bank/resume", headers: OperatorKey), HttpStatusCode.Conflict);

        await api.ExpectAsync(HttpMethod.Get, $"{bank}/me", HttpStatusCode.OK, token: bankCustomer);
        await api.ExpectAsync(HttpMethod.Get, $"{bank}/tickets/{bankTicket}", HttpStatusCode.OK, token: bankCustomer);
        await api.ExpectAsync(HttpMethod.Get, $"{bank}/agents", HttpStatusCode.OK, token: bankAdmin);
        await api.LoginAsync("acme-bank", "customer@acme-bank.example", DemoPassword);
    }

    [Fact]
    public async Task The_operator_api_refuses_requests_without_the_configured_key()
    {
        using var api = host.Api();
        foreach (var headers in new Dictionary<string, string>?[]
        {
            null,
            new() { ["X-Operator-Key"] = "" },
            new() { ["X-Operator-Key"] = "wrong" },
            new() { ["X-Operator-Key"] = "dev-operator-key" },   // appsettings.Development.json's key is overridden by configuration
            new() { ["X-Operator-Key"] = SampleHostFactory.OperatorKey + "x" },
        })
        {
            await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Get, "/ops/tenants", headers: headers), HttpStatusCode.Unauthorized);
            await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/globe-telecom/suspend", headers: headers), HttpStatusCode.Unauthorized);
        }

        var telecom = await Api.ExpectAsync(await api.SendAsync(HttpMethod.Get, "/ops/tenants/globe-telecom", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal("active", (string?)telecom!["status"]);
        await api.LoginAsync("globe-telecom", "customer@globe-telecom.example", DemoPassword);
    }

    [Fact]
    public async Task Unknown_tenants_are_a_404_problem()
    {
        using var api = host.Api();
        await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Post, "/ops/tenants/no-such-bank/suspend", headers: OperatorKey),
            HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
        await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Get, "/ops/tenants/no-such-bank", headers: OperatorKey),
            HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
        await Api.ExpectProblemAsync(await api.GetAsync("/t/no-such-bank/api/me"), HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
        await Api.ExpectProblemAsync(await api.GetAsync("/t/no-such-bank/api/tickets"), HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
        await Api.ExpectProblemAsync(await api.TryLoginAsync("no-such-bank", "customer@acme-bank.example", DemoPassword),
            HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
        await Api.ExpectProblemAsync(await api.PostAsync("/t/no-such-bank/api/auth/register", new { email = Api.UniqueEmail("x"), password = Api.StrongPassword }),
            HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
    }
}
