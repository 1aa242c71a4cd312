using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Realtime;
using CustomerCare.SignalR.StackExchangeRedis.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests;

/// <summary>
/// Agent presence across two host instances: an agent connected to both stays online until the last
/// connection to either closes, and the connections of an instance that died stop counting.
/// </summary>
public sealed class PresenceScaleOutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_connected_to_two_instances_stays_online_until_the_last_connection_closes()
    {
        await using var setup = await TwoInstances.StartAsync();
        var (a, b) = (setup.A, setup.B);
        await using var admin = await Watch(a, Instance.Admin);
        var onA = await Connect(a, Instance.Agent);
        var onB = await Connect(b, Instance.Agent);
        await admin.WaitForAsync(p => p.Availability == "online");
        await WaitUntilAsync(async () => await setup.CountedInstancesAsync(Instance.Agent) == 2, "both instances count the agent's connection");

        // Closing the connection to B leaves the one to A: still online, on every instance and in the database.
        await onB.DisposeAsync();
        await WaitUntilAsync(async () => await setup.CountedInstancesAsync(Instance.Agent) == 1, "B no longer counts the agent");
        using (var customerHttp = b.Http("customer-" + Guid.NewGuid().ToString("N")))
        {
            // A ticket update pushed after the close reaches the admin after any presence event B would have sent.
            var ticket = (await Instance.PostAsync(customerHttp, "tickets", new { subject = "Order", description = "Sync point." }, HttpStatusCode.Created, Ct)).GetProperty("id").GetGuid();
            await admin.WaitForUpdateAsync(ticket);
        }
        Assert.DoesNotContain(admin.Presence, p => p.Availability == "offline");
        Assert.Equal("online", await AvailabilityAsync(a, Instance.Agent));

        await onA.DisposeAsync();
        await admin.WaitForAsync(p => p.Availability == "offline");
        Assert.Equal("offline", await AvailabilityAsync(a, Instance.Agent));
        Assert.Single(admin.Presence, p => p.Availability == "online");
    }

    [Fact]
    public async Task Connections_counted_by_an_instance_that_stopped_renewing_stop_counting()
    {
        await using var setup = await TwoInstances.StartAsync(instanceTimeout: TimeSpan.FromSeconds(2));
        var counterA = setup.A.App.Services.GetRequiredService<RedisAgentConnectionCounter>();
        var counterB = setup.B.App.Services.GetRequiredService<RedisAgentConnectionCounter>();

        Assert.Equal(1, await counterA.UpdateAsync(Instance.Tenant, "agent-x", 1, Ct));
        Assert.Equal(3, await counterB.UpdateAsync(Instance.Tenant, "agent-x", 2, Ct));
        Assert.Equal(2, await counterA.UpdateAsync(Instance.Tenant, "agent-x", 0, Ct));
        // Another tenant's agent of the same id is another count.
        Assert.Equal(1, await counterA.UpdateAsync("other-tenant", "agent-x", 1, Ct));

        // B stops (gracefully: it removes itself at once).
        await setup.B.App.StopAsync(Ct);
        Assert.Equal(0, await counterA.UpdateAsync(Instance.Tenant, "agent-x", 0, Ct));

        // An instance that dies without a word: its entry is never renewed, so it stops counting after the timeout.
        var database = setup.Redis.GetDatabase();
        var prefix = "{" + setup.Prefix + ":presence}";
        var agentKey = $"{prefix}:agent:{Instance.Tenant.Length}:{Instance.Tenant}:agent-y";
        var time = await database.ExecuteAsync("TIME");
        var now = (long)((RedisResult[])time!)[0] * 1000;
        await database.HashSetAsync(prefix + ":instances", "crashed", now + 1500);
        await database.HashSetAsync(agentKey, "crashed", 4);
        Assert.Equal(5, await counterA.UpdateAsync(Instance.Tenant, "agent-y", 1, Ct));
        await WaitUntilAsync(async () => await counterA.UpdateAsync(Instance.Tenant, "agent-y", 1, Ct) == 1, "the crashed instance's count expires");
        Assert.False(await database.HashExistsAsync(agentKey, "crashed"));
    }

    private static async Task<string> AvailabilityAsync(Instance instance, string agent)
    {
        using var http = instance.Http(Instance.Admin);
        var agents = await Instance.ExpectAsync(await http.GetAsync("agents", Ct), HttpStatusCode.OK, Ct);
        return agents.EnumerateArray().Single(x => x.GetProperty("id").GetString() == agent).GetProperty("availability").GetString()!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline;)
        {
            if (await condition()) return;
            await Task.Delay(25, Ct);
        }
        Assert.Fail($"Timed out waiting until {what}.");
    }

    private static HubConnection Build(Instance instance, string user) => new HubConnectionBuilder()
        .WithUrl(new Uri(instance.BaseAddress, $"/t/{Instance.Tenant}/hub"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.Headers[HeaderAuthHandler.UserHeader] = user;
            o.Headers[HeaderAuthHandler.TenantHeader] = Instance.Tenant;
        })
        .Build();

    private static async Task<HubConnection> Connect(Instance instance, string user)
    {
        var connection = Build(instance, user);
        await connection.StartAsync(Ct);
        return connection;
    }

    private static async Task<Watcher> Watch(Instance instance, string user)
    {
        var watcher = new Watcher(Build(instance, user));
        await watcher.Connection.StartAsync(Ct);
        // StartAsync returns after the handshake; a call is answered only after OnConnectedAsync put the admin in its groups.
        await watcher.Connection.InvokeAsync<JsonElement>("GetPresence", Ct);
        return watcher;
    }

    private sealed record PresenceSeen(string UserId, string Availability);

    /// <summary>An admin's connection recording the presence and ticket events it receives.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly ConcurrentQueue<PresenceSeen> _presence = new();
        private readonly ConcurrentQueue<Guid> _updates = new();

        public Watcher(HubConnection connection)
        {
            Connection = connection;
            connection.On<JsonElement>("presence", p => _presence.Enqueue(new(p.GetProperty("userId").GetString()!, p.GetProperty("availability").GetString()!)));
            connection.On<JsonElement>("ticketUpdated", u => _updates.Enqueue(u.GetProperty("ticketId").GetGuid()));
        }

        public HubConnection Connection { get; }

        public IReadOnlyList<PresenceSeen> Presence => [.. _presence.Where(p => p.UserId == Instance.Agent)];

        public Task WaitForAsync(Func<PresenceSeen, bool> match) => WaitUntilAsync(() => Task.FromResult(Presence.Any(match)), "a presence event");

        public Task WaitForUpdateAsync(Guid ticket) => WaitUntilAsync(() => Task.FromResult(_updates.Contains(ticket)), "the ticket update");

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    /// <summary>Redis, PostgreSQL and two instances, A and B, with the staff seeded.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];

        public required Instance A { get; init; }
        public required Instance B { get; init; }
        public required ConnectionMultiplexer Redis { get; init; }
        public required string Prefix { get; init; }

        public static async Task<TwoInstances> StartAsync(TimeSpan? instanceTimeout = null)
        {
            var postgres = Environment.GetEnvironmentVariable(TestDatabase.Variable);
            if (string.IsNullOrWhiteSpace(postgres)) Assert.Skip($"Needs PostgreSQL: set {TestDatabase.Variable} to an Npgsql connection string (bash test.sh does).");
            var redisServer = RedisServer.FindExecutable();
            if (redisServer is null) Assert.Skip("Needs redis-server installed (apt-get install redis-server).");

            var redis = await RedisServer.StartAsync(redisServer);
            var database = await TestDatabase.CreateAsync(postgres);
            var prefix = "cc-test-" + Guid.NewGuid().ToString("N")[..12];
            var a = await Instance.StartAsync("A", database.ConnectionString, redis.ConnectionString, prefix, Ct, instanceTimeout);
            var b = await Instance.StartAsync("B", database.ConnectionString, redis.ConnectionString, prefix, Ct, instanceTimeout);
            await a.SeedStaffAsync(Ct);
            var probe = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var setup = new TwoInstances { A = a, B = b, Redis = probe, Prefix = prefix };
            setup._owned.AddRange([a, b, probe, database, redis]);
            return setup;
        }

        /// <summary>How many instances hold a count of the agent's connections.</summary>
        public async Task<long> CountedInstancesAsync(string agent)
            => await Redis.GetDatabase().HashLengthAsync($"{{{Prefix}:presence}}:agent:{Instance.Tenant.Length}:{Instance.Tenant}:{agent}");

        public async ValueTask DisposeAsync()
        {
            foreach (var owned in _owned) await owned.DisposeAsync();
        }
    }
}
