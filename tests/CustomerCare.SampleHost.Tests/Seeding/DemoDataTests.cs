using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Seeding;

/// <summary>What <c>dotnet run</c> seeds: three demo tenants with four accounts and three tickets each.</summary>
public sealed class DemoDataTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    /// <summary>The password the README gives for every demo account.</summary>
    private const string DemoPassword = "Demo-pass-2026";

    private static readonly Dictionary<string, string> OperatorKey = new() { ["X-Operator-Key"] = SampleHostFactory.OperatorKey };

    /// <summary>Tenant, ticket prefix, and the custom field a new ticket carries (required in two of them).</summary>
    public static TheoryData<string, string, string> Tenants => new()
    {
        { "acme-bank", "BANK", "accountNumber" },
        { "globe-telecom", "TEL", "billNumber" },
        { "safe-insurance", "INS", "policyNumber" },
    };

    [Fact]
    public async Task Three_demo_tenants_are_seeded_and_active()
    {
        using var api = host.Api();
        var tenants = await Api.ExpectAsync(await api.SendAsync(HttpMethod.Get, "/ops/tenants", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal(
            [("acme-bank", "Acme Bank"), ("globe-telecom", "Globe Telecom"), ("safe-insurance", "Safe Insurance")],
            tenants!.AsArray().Select(t => ((string)t!["id"]!, (string)t["name"]!)).Order().ToArray());
        Assert.All(tenants.AsArray(), t => Assert.Equal("active", (string?)t!["status"]));
        Assert.Equal(DemoPassword, CustomerCare.SampleHost.Seeding.DemoData.Password);
    }

    [Theory]
    [MemberData(nameof(Tenants))]
    public async Task Every_demo_account_signs_in_with_the_documented_password_and_has_its_role(string tenant, string prefix, string field)
    {
        _ = (prefix, field);
        using var api = host.Api();
        foreach (var (local, role) in new[] { ("admin", "admin"), ("agent1", "agent"), ("agent2", "agent"), ("customer", "customer") })
        {
            var email = $"{local}@{tenant}.example";
            var token = await api.LoginAsync(tenant, email, DemoPassword);
            var me = await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/me", HttpStatusCode.OK, token: token);
            Assert.Equal(role, (string?)me["role"]);
            Assert.Equal(email, (string?)me["email"]);
            Assert.Equal(tenant, (string?)me["tenant"]);
        }

        var admin = await api.LoginAsync(tenant, $"admin@{tenant}.example", DemoPassword);
        var staff = await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/agents", HttpStatusCode.OK, token: admin);
        Assert.Equal([$"admin@{tenant}.example", $"agent1@{tenant}.example", $"agent2@{tenant}.example"],
            staff.AsArray().Select(s => (string)s!["email"]!).Order().ToArray());
        var customers = await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/customers", HttpStatusCode.OK, token: admin);
        var customer = customers["items"]!.AsArray().Single(c => (string?)c!["email"] == $"customer@{tenant}.example")!;
        Assert.True((int?)customer["ticketsRaised"] >= 3);
    }

    [Theory]
    [MemberData(nameof(Tenants))]
    public async Task The_admin_sees_the_three_seeded_tickets_and_numbering_continues_at_1004(string tenant, string prefix, string field)
    {
        using var api = host.Api();
        var admin = await api.LoginAsync(tenant, $"admin@{tenant}.example", DemoPassword);
        var seeded = (await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/tickets", HttpStatusCode.OK, token: admin))["items"]!.AsArray();
        Assert.Equal(
            [($"{prefix}-1001", "open"), ($"{prefix}-1002", "resolved"), ($"{prefix}-1003", "new")],
            seeded.Select(t => ((string)t!["number"]!, (string)t["status"]!)).Order().ToArray());
        Assert.All(seeded, t => Assert.Equal("Casey Customer", (string?)t!["customer"]?["name"]));
        var first = seeded.Single(t => (string?)t!["number"] == $"{prefix}-1001")!;
        Assert.Equal(2, (int?)first["messageCount"]);
        Assert.Equal("Alex Agent", (string?)first["assignee"]?["name"]);

        // The seeded customer sees the same three; agent1 sees theirs and the unassigned one (the tenant allows it).
        var customer = await api.LoginAsync(tenant, $"customer@{tenant}.example", DemoPassword);
        Assert.Equal(3, (await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/tickets", HttpStatusCode.OK, token: customer))["items"]!.AsArray().Count);
        var agent1 = await api.LoginAsync(tenant, $"agent1@{tenant}.example", DemoPassword);
        var agentSees = (await api.ExpectAsync(HttpMethod.Get, $"/t/{tenant}/api/tickets", HttpStatusCode.OK, token: agent1))["items"]!.AsArray();
        Assert.Equal([$"{prefix}-1001", $"{prefix}-1003"], agentSees.Select(t => (string)t!["number"]!).Order().ToArray());

        var created = await api.ExpectAsync(HttpMethod.Post, $"/t/{tenant}/api/tickets", HttpStatusCode.Created, new
        {
            subject = "A new question",
            description = "Something else came up.",
            customFields = new Dictionary<string, string> { [field] = $"{prefix}-123456" },
        }, customer);
        Assert.Equal($"{prefix}-1004", (string?)created["number"]);
    }

    [Fact]
    public async Task Restarting_the_host_on_the_same_database_keeps_the_data_and_does_not_seed_again()
    {
        using var api = host.Api();
        var admin = await api.LoginAsync("globe-telecom", "admin@globe-telecom.example", DemoPassword);
        var before = (await api.ExpectAsync(HttpMethod.Get, "/t/globe-telecom/api/tickets?limit=100", HttpStatusCode.OK, token: admin))["items"]!.AsArray()
            .Select(t => (string)t!["id"]!).Order().ToArray();

        await using var restarted = host.Restarted();
        using var again = restarted.Api();
        var tenants = await Api.ExpectAsync(await again.SendAsync(HttpMethod.Get, "/ops/tenants", headers: OperatorKey), HttpStatusCode.OK);
        Assert.Equal(3, tenants!.AsArray().Count);
        var adminAgain = await again.LoginAsync("globe-telecom", "admin@globe-telecom.example", DemoPassword);
        var after = (await again.ExpectAsync(HttpMethod.Get, "/t/globe-telecom/api/tickets?limit=100", HttpStatusCode.OK, token: adminAgain))["items"]!.AsArray()
            .Select(t => (string)t!["id"]!).Order().ToArray();
        Assert.Equal(before, after);
        var staff = await again.ExpectAsync(HttpMethod.Get, "/t/globe-telecom/api/agents", HttpStatusCode.OK, token: adminAgain);
        Assert.Equal(3, staff.AsArray().Count);
    }
}
