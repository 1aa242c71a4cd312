using System.Net;
using System.Text.Json;
using CustomerCare.SignalR.StackExchangeRedis.Tests.Infrastructure;
using StackExchange.Redis;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests;

/// <summary>
/// Two host instances on loopback against one PostgreSQL and one real <c>redis-server</c>: a customer on
/// instance A and an agent on instance B. Needs <c>CUSTOMERCARE_TEST_POSTGRES</c> and an installed
/// <c>redis-server</c>, which the test starts itself on a free port so that it can kill and restart it.
/// </summary>
public sealed class ScaleOutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customer_on_one_instance_and_agent_on_another_chat_through_Redis_and_lose_nothing_across_a_Redis_restart()
    {
        var postgres = Environment.GetEnvironmentVariable(TestDatabase.Variable);
        if (string.IsNullOrWhiteSpace(postgres)) Assert.Skip($"Needs PostgreSQL: set {TestDatabase.Variable} to an Npgsql connection string (bash test.sh does).");
        var redisServer = RedisServer.FindExecutable();
        if (redisServer is null) Assert.Skip("Needs redis-server installed (apt-get install redis-server): the test starts and restarts its own.");

        await using var redis = await RedisServer.StartAsync(redisServer);
        await using var database = await TestDatabase.CreateAsync(postgres);
        var prefix = "cc-test-" + Guid.NewGuid().ToString("N")[..12];
        // Short timeouts: while Redis is down, a push gives up after 2 s instead of 5 (the message is stored regardless).
        var redisConnection = $"{redis.ConnectionString},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";
        await using var a = await Instance.StartAsync("A", database.ConnectionString, redisConnection, prefix, Ct);
        await using var b = await Instance.StartAsync("B", database.ConnectionString, redisConnection, prefix, Ct);
        try
        {
            await a.SeedStaffAsync(Ct);
            var customerId = "customer-" + Guid.NewGuid().ToString("N");
            using var customerHttp = a.Http(customerId);
            using var adminHttp = b.Http(Instance.Admin);
            using var agentHttp = b.Http(Instance.Agent);

            // The customer raises a ticket on A and watches it; the admin assigns it on B.
            var ticket = (await Instance.PostAsync(customerHttp, "tickets", new { subject = "Card blocked", description = "Blocked abroad." }, HttpStatusCode.Created, Ct)).GetProperty("id").GetGuid();
            await using var customer = new ChatSide("customer on A", a, customerId, ticket);
            await customer.StartAsync();
            await Instance.PostAsync(adminHttp, $"tickets/{ticket}/assign", new { agentId = Instance.Agent }, HttpStatusCode.OK, Ct);
            await customer.WaitForUpdateAsync(u => u.GetProperty("kind").GetString() == "assigned" && u.GetProperty("assignee").GetProperty("id").GetString() == Instance.Agent);
            await using var agent = new ChatSide("agent on B", b, Instance.Agent, ticket);
            await agent.StartAsync();

            var sent = new List<string>();
            async Task ExchangeAsync(string round)
            {
                var fromCustomer = await customer.SendAsync($"customer {round}");
                sent.Add($"customer {round}");
                await agent.WaitForMessageAsync(Sequence(fromCustomer));
                var fromAgent = await agent.SendAsync($"agent {round}");
                sent.Add($"agent {round}");
                await customer.WaitForMessageAsync(Sequence(fromAgent));
            }

            // Messages both ways, each reaching the other instance through Redis.
            for (var i = 1; i <= 3; i++) await ExchangeAsync($"before {i}");
            // Ticket updates both ways: resolved on B reaches A, reopened on A reaches B.
            var resolved = await Instance.PostAsync(agentHttp, $"tickets/{ticket}/resolve", null, HttpStatusCode.OK, Ct);
            await customer.WaitForUpdateAsync(u => u.GetProperty("status").GetString() == "resolved" && u.GetProperty("version").GetInt64() == resolved.GetProperty("version").GetInt64());
            var reopened = await Instance.PostAsync(customerHttp, $"tickets/{ticket}/reopen", null, HttpStatusCode.OK, Ct);
            await agent.WaitForUpdateAsync(u => u.GetProperty("status").GetString() == "open" && u.GetProperty("version").GetInt64() == reopened.GetProperty("version").GetInt64());

            // Every backplane channel carries the configured prefix.
            await using (var probe = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            {
                var channels = await probe.GetServer(probe.GetEndPoints()[0]).SubscriptionChannelsAsync(RedisChannel.Pattern("*"));
                Assert.NotEmpty(channels);
                // (StackExchange.Redis subscribes its own "__Booksleeve_MasterChanged" configuration channel.)
                Assert.All(channels.Where(c => c.ToString() != "__Booksleeve_MasterChanged"), c => Assert.StartsWith(prefix, c.ToString(), StringComparison.Ordinal));
            }

            // Redis dies mid-conversation. Both sides keep writing: the messages are stored, their pushes are lost.
            var catchUps = (Customer: customer.CatchUps, Agent: agent.CatchUps);
            await redis.KillAsync();
            var duringOutage = await Task.WhenAll(customer.SendAsync("customer during outage 1"), agent.SendAsync("agent during outage 1"));
            sent.AddRange(["customer during outage 1", "agent during outage 1"]);
            duringOutage = await Task.WhenAll(customer.SendAsync("customer during outage 2"), agent.SendAsync("agent during outage 2"));
            sent.AddRange(["customer during outage 2", "agent during outage 2"]);

            // Redis is back on the same port: each instance makes its clients reconnect, and they catch up by cursor.
            await redis.StartAgainAsync();
            await customer.WaitForCatchUpsAsync(catchUps.Customer + 1);
            await agent.WaitForCatchUpsAsync(catchUps.Agent + 1);

            for (var i = 1; i <= 2; i++) await ExchangeAsync($"after {i}");

            // Neither side lost or duplicated a message: each holds exactly what is stored, every message once.
            var stored = (await Instance.ExpectAsync(await adminHttp.GetAsync($"tickets/{ticket}/messages?limit=100", Ct), HttpStatusCode.OK, Ct))
                .EnumerateArray().ToList();
            Assert.Equal(sent.Count, stored.Count);
            Assert.Equal(Enumerable.Range(1, sent.Count), stored.Select(Sequence));
            Assert.Equal(sent.Order(StringComparer.Ordinal), stored.Select(m => m.GetProperty("body").GetString()!).Order(StringComparer.Ordinal));
            foreach (var side in new[] { customer, agent })
            {
                Assert.Equal(stored.Select(m => (Sequence(m), Id(m))), side.Conversation.OrderBy(p => p.Key).Select(p => (p.Key, Id(p.Value))));
                // Copies of one sequence (a push and the same message in a catch-up) are always the same message.
                Assert.All(side.Copies.GroupBy(c => c.Sequence), g => Assert.Single(g.Select(c => c.Id).Distinct()));
            }
        }
        catch
        {
            // What the instances logged (warnings and errors), next to the test output.
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, a.Log.Concat(b.Log)));
            throw;
        }
    }

    private static int Sequence(JsonElement message) => message.GetProperty("sequence").GetInt32();

    private static Guid Id(JsonElement message) => message.GetProperty("id").GetGuid();
}
