using CustomerCare;
using CustomerCare.AspNetCore.Realtime;
using CustomerCare.SignalR.StackExchangeRedis;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Scales CustomerCare's real-time hub out across host instances on Redis.</summary>
public static class CustomerCareRedisScaleOutExtensions
{
    /// <summary>
    /// Connects the real-time hub of every host instance through Redis (the SignalR Redis backplane), so that
    /// a message posted on one instance reaches the clients connected to the others, and agent presence counts
    /// an agent's connections on every instance. All instances must use
    /// the same Redis and <see cref="RedisScaleOutOptions.ChannelPrefix"/>. Call it after <c>.AddRealtime()</c>.
    /// </summary>
    /// <param name="builder">The CustomerCare builder.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>redis1:6379,password=…,ssl=true</c>.</param>
    /// <param name="configure">Sets the channel prefix and the resync after an outage.</param>
    public static CustomerCareBuilder AddRedisScaleOut(this CustomerCareBuilder builder, string connectionString, Action<RedisScaleOutOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(IRealtimeResync)))
            throw new InvalidOperationException("AddRedisScaleOut scales out the real-time hub, which is missing: call .AddRealtime() before .AddRedisScaleOut(connectionString).");
        // Fail now, not at the first connection, on a string StackExchange.Redis cannot read.
        ConfigurationOptions.Parse(connectionString);

        var options = services.AddOptions<RedisScaleOutOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisScaleOutOptions>, RedisScaleOutOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisBackplaneWatcher>();

        // Agent presence counts connections on every instance, not just this one.
        services.AddSingleton(_ => new RedisScaleOutConnection(connectionString));
        services.AddSingleton<RedisAgentConnectionCounter>();
        services.RemoveAll<IAgentConnectionCounter>();
        services.AddSingleton<IAgentConnectionCounter>(sp => sp.GetRequiredService<RedisAgentConnectionCounter>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisAgentConnectionCounter>());

        services.AddSignalR().AddStackExchangeRedis(connectionString);
        services.AddOptions<RedisOptions>().Configure<IOptions<RedisScaleOutOptions>, RedisBackplaneWatcher>((redis, scaleOut, watcher) =>
        {
            redis.Configuration.ChannelPrefix = RedisChannel.Literal(scaleOut.Value.ChannelPrefix);
            // Keep retrying in the background when Redis is down at start instead of failing the first hub call for good.
            redis.Configuration.AbortOnConnectFail = false;
            redis.ConnectionFactory = async log =>
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration, log);
                watcher.Watch(multiplexer);
                return multiplexer;
            };
        });
        return builder;
    }
}
