using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests;

/// <summary>How <c>AddRedisScaleOut</c> is configured, and how it fails when it is not.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void Scale_out_without_the_realtime_hub_fails_fast_saying_what_to_call()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<InvalidOperationException>(() => services.AddCustomerCare().AddRedisScaleOut("127.0.0.1:6379"));
        Assert.Contains(".AddRealtime()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_connection_string_fails_at_registration()
    {
        var services = new ServiceCollection();
        Assert.ThrowsAny<ArgumentException>(() => services.AddCustomerCare().AddRealtime().AddRedisScaleOut("127.0.0.1:6379,connectTimeout=soon"));
        Assert.ThrowsAny<ArgumentException>(() => services.AddCustomerCare().AddRealtime().AddRedisScaleOut(" "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public void Invalid_channel_prefix_fails_validation(string prefix)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCustomerCare().AddRealtime().AddRedisScaleOut("127.0.0.1:6379", o => o.ChannelPrefix = prefix);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisScaleOutOptions>>().Value);
        Assert.Contains("ChannelPrefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channel_prefix_and_connection_string_reach_the_SignalR_backplane()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, StubLifetime>();
        services.AddCustomerCare().AddRealtime().AddRedisScaleOut("redis.example.test:6380,password=secret", o => o.ChannelPrefix = "bank-prod");
        using var provider = services.BuildServiceProvider();
        var redis = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.Equal("bank-prod", redis.Configuration.ChannelPrefix.ToString());
        Assert.EndsWith("redis.example.test:6380", redis.Configuration.EndPoints.Single().ToString(), StringComparison.Ordinal);
        Assert.Equal("secret", redis.Configuration.Password);
        Assert.False(redis.Configuration.AbortOnConnectFail);
        Assert.NotNull(redis.ConnectionFactory);
        // The Redis lifetime manager is the one SignalR resolves (the last registration wins).
        Assert.Equal(typeof(RedisHubLifetimeManager<>), services.Last(d => d.ServiceType == typeof(Microsoft.AspNetCore.SignalR.HubLifetimeManager<>)).ImplementationType);
    }

    private sealed class StubLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() { }
    }
}
