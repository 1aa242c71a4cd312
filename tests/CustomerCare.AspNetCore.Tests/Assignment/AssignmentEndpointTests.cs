using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Assignment;

/// <summary>Automatic assignment over HTTP: settings, agents' capacity and availability, the queue, bad input.</summary>
public sealed class AssignmentEndpointTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;
    private ApiClient Admin => Host.As(Users.BankAdmin);

    [Fact]
    public async Task Admin_turns_on_least_loaded_routing_and_sees_loads_and_the_queue()
    {
        var agents = new[] { Users.BankAgent1, Users.BankAgent2 };
        foreach (var agent in agents)
            await (await Admin.PatchAsync($"agents/{agent}", new { capacity = 1, availability = "online" })).ExpectAsync(HttpStatusCode.OK);
        var settings = await (await Admin.PutAsync("assignment", new { strategy = "least-loaded" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("least-loaded", settings.Str("strategy"));
        try
        {
            var customer = Host.As(Users.New());
            var created = new List<System.Text.Json.JsonElement>();
            for (var i = 0; i < 3; i++) created.Add(await customer.CreateTicketAsync());

            Assert.Equal(["open", "open", "new"], created.Select(t => t.Str("status")));
            Assert.Equal(2, created.Take(2).Select(t => t.GetProperty("assignee").Str("id")).Distinct().Count());

            var overview = await (await Admin.GetAsync("assignment")).ExpectAsync(HttpStatusCode.OK);
            Assert.True(overview.GetProperty("queueLength").GetInt32() >= 1);
            var loads = overview.GetProperty("agents").EnumerateArray().ToDictionary(a => a.Str("userId"), a => a.GetProperty("load").GetInt32());
            Assert.All(agents, a => Assert.True(loads[a] >= 1));

            // The agent frees capacity: the queued ticket is assigned to them.
            var first = created[0];
            var agent = first.GetProperty("assignee").Str("id");
            await (await Host.As(agent).PostAsync($"tickets/{first.Id()}/resolve")).ExpectAsync(HttpStatusCode.OK);
            var queued = await (await Admin.GetAsync($"tickets/{created[2].Id()}")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(agent, queued.GetProperty("assignee").Str("id"));

            var events = await (await Admin.GetAsync($"tickets/{created[2].Id()}/events")).ExpectAsync(HttpStatusCode.OK);
            var assigned = events.EnumerateArray().Single(e => e.Str("kind") == "assigned");
            Assert.Equal("system", assigned.Str("actorId"));
            Assert.StartsWith("least-loaded", assigned.Str("detail"));
        }
        finally
        {
            await (await Admin.PutAsync("assignment", new { strategy = "manual" })).ExpectAsync(HttpStatusCode.OK);
            foreach (var agent in agents)
                await (await Admin.PatchAsync($"agents/{agent}", new { unlimitedCapacity = true })).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task An_agent_sets_their_own_availability_but_not_their_capacity()
    {
        var agent = Host.As(Users.BankAgent2);
        var away = await (await agent.PatchAsync($"agents/{Users.BankAgent2}", new { availability = "away" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("away", away.Str("availability"));
        await (await agent.PatchAsync($"agents/{Users.BankAgent2}", new { availability = "online" })).ExpectAsync(HttpStatusCode.OK);

        await (await agent.PatchAsync($"agents/{Users.BankAgent2}", new { capacity = 99 })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await agent.PatchAsync($"agents/{Users.BankAgent1}", new { availability = "offline" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Null((await Host.FindStaffAsync(Tenants.Bank, Users.BankAgent2))!.Capacity);
    }

    [Theory]
    [InlineData("""{"capacity":-1}""", "capacity")]
    [InlineData("""{"capacity":"many"}""", "capacity")]
    [InlineData("""{"availability":"sleeping"}""", "availability")]
    [InlineData("""{"groups":[""]}""", "groups")]
    [InlineData("""{"capacity":3,"unlimitedCapacity":true}""", "capacity")]
    public async Task Bad_agent_settings_are_refused_and_change_nothing(string body, string field)
    {
        var before = await Host.FindStaffAsync(Tenants.Bank, Users.BankAgent1);
        await (await Admin.PatchAsync($"agents/{Users.BankAgent1}", ApiClient.Raw(body))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", field);
        var after = await Host.FindStaffAsync(Tenants.Bank, Users.BankAgent1);
        Assert.Equal((before!.Capacity, before.Availability, string.Join(",", before.Groups)), (after!.Capacity, after.Availability, string.Join(",", after.Groups)));
    }

    [Theory]
    [InlineData("""{"strategy":"telepathy"}""", "strategy")]
    [InlineData("""{"strategy":7}""", "strategy")]
    [InlineData("""{"categoryGroups":{"Billing":"nobody"}}""", "categoryGroups.Billing")]
    public async Task Bad_assignment_settings_are_refused_and_change_nothing(string body, string field)
    {
        await (await Admin.PutAsync("assignment", ApiClient.Raw(body))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", field);
        var overview = await (await Admin.GetAsync("assignment")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("manual", overview.Str("strategy"));
        Assert.Empty(overview.GetProperty("categoryGroups").EnumerateObject());
    }

    [Fact]
    public async Task Unknown_agents_are_not_found()
        => await (await Admin.PatchAsync("agents/no-such-agent", new { capacity = 3 })).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
}
