using System.Net;
using System.Text.Json;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

namespace CustomerCare.SampleHost.Tests.Realtime;

/// <summary>The sample host with <c>ConnectionStrings:Redis</c> set (from <c>CUSTOMERCARE_TEST_REDIS</c>) and its own channel prefix.</summary>
public sealed class RedisSampleHostFactory : SampleHostFactory
{
    public const string Variable = "CUSTOMERCARE_TEST_REDIS";

    public static string? Redis => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public string ChannelPrefix { get; } = "cc-sample-" + Guid.NewGuid().ToString("N")[..10];

    protected override string? RedisConnectionString => Redis;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("CustomerCare:Redis:ChannelPrefix", ChannelPrefix);
    }
}

public sealed class SampleHubScaleOutTests(RedisSampleHostFactory host) : IClassFixture<RedisSampleHostFactory>
{
    private const string Tenant = "safe-insurance";
    private const string DemoPassword = "Demo-pass-2026";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_ConnectionStrings_Redis_set_the_hub_pushes_through_Redis_under_the_configured_prefix()
    {
        if (RedisSampleHostFactory.Redis is null) Assert.Skip($"Needs Redis: set {RedisSampleHostFactory.Variable} to host:port (bash test.sh does).");
        using var api = host.Api();
        var customerToken = await api.LoginAsync(Tenant, $"customer@{Tenant}.example", DemoPassword);
        var agentToken = await api.LoginAsync(Tenant, $"agent1@{Tenant}.example", DemoPassword);
        var tickets = await api.ExpectAsync(HttpMethod.Get, $"/t/{Tenant}/api/tickets?limit=100", HttpStatusCode.OK, token: customerToken);
        var ticket = (string)tickets["items"]!.AsArray().Single(t => (string?)t!["number"] == "INS-1001")!["id"]!;

        await using var customer = Connect(customerToken);
        await using var agent = Connect(agentToken);
        var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.On<JsonElement>("messagePosted", m => received.TrySetResult(m.Clone()));
        await customer.StartAsync(Ct);
        await agent.StartAsync(Ct);
        await customer.InvokeAsync<JsonElement>("JoinTicket", ticket, null, Ct);
        await agent.InvokeAsync<JsonElement>("JoinTicket", ticket, null, Ct);

        // The backplane subscribed its channels in Redis under the sample's prefix.
        await using (var probe = await ConnectionMultiplexer.ConnectAsync(RedisSampleHostFactory.Redis))
        {
            var channels = await probe.GetServer(probe.GetEndPoints()[0]).SubscriptionChannelsAsync(RedisChannel.Pattern(host.ChannelPrefix + "*"));
            Assert.Contains(channels, c => c.ToString().Contains("CustomerCareHub", StringComparison.Ordinal));
        }

        var sent = await customer.InvokeAsync<JsonElement>("SendMessage", ticket, "Through Redis, please.", null, null, Ct);
        var pushed = await received.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.Equal(sent.GetProperty("id").GetGuid(), pushed.GetProperty("id").GetGuid());
    }

    private HubConnection Connect(string token)
    {
        var server = host.Server;
        return new HubConnectionBuilder().WithUrl($"http://localhost/t/{Tenant}/hub", o =>
        {
            o.Transports = HttpTransportType.LongPolling;
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        }).Build();
    }
}
