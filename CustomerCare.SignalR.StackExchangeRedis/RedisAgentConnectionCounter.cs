using CustomerCare.AspNetCore.Realtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CustomerCare.SignalR.StackExchangeRedis;

/// <summary>
/// Agent connections summed over every host instance on Redis: one hash per agent holds each instance's
/// count, and one hash of live instances holds when each stops counting. An instance renews its entry
/// while it runs and removes it when it stops, so the counts of an instance that died stop counting after
/// <see cref="RedisScaleOutOptions.PresenceInstanceTimeout"/>. Redis's clock is used, never the hosts'.
/// </summary>
internal sealed partial class RedisAgentConnectionCounter(
    RedisScaleOutConnection connection,
    IOptions<RedisScaleOutOptions> options,
    TimeProvider time,
    ILogger<RedisAgentConnectionCounter> logger) : BackgroundService, IAgentConnectionCounter
{
    // @agent: the agent's hash (instance → connections); @instances: the live instances (instance → expiry in ms).
    // @instance: this instance; @count: its connections of the agent now; @ttl: how long an instance lives unrenewed (ms).
    private static readonly LuaScript Update = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('HSET', @instances, @instance, now + tonumber(@ttl))
        if tonumber(@count) > 0 then redis.call('HSET', @agent, @instance, @count) else redis.call('HDEL', @agent, @instance) end
        local total = 0
        local fields = redis.call('HGETALL', @agent)
        for i = 1, #fields, 2 do
          local expires = tonumber(redis.call('HGET', @instances, fields[i]) or '0')
          if expires > now then total = total + tonumber(fields[i + 1]) else redis.call('HDEL', @agent, fields[i]) end
        end
        if total > 0 then redis.call('PEXPIRE', @agent, 86400000) end
        return total
        """);

    // Renews this instance and forgets instances that expired.
    private static readonly LuaScript Renew = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('HSET', @instances, @instance, now + tonumber(@ttl))
        local all = redis.call('HGETALL', @instances)
        for i = 1, #all, 2 do
          if tonumber(all[i + 1]) <= now then redis.call('HDEL', @instances, all[i]) end
        end
        return 1
        """);

    /// <summary>This process's id among the instances.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    private string Prefix => "{" + options.Value.ChannelPrefix + ":presence}";

    private RedisKey Instances => Prefix + ":instances";

    // Length-prefixed so that ids with colons cannot collide.
    private RedisKey AgentKey(string tenantId, string userId) => $"{Prefix}:agent:{tenantId.Length}:{tenantId}:{userId}";

    private long TtlMilliseconds => (long)options.Value.PresenceInstanceTimeout.TotalMilliseconds;

    public async ValueTask<long> UpdateAsync(string tenantId, string userId, int localConnections, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        var result = await Update.EvaluateAsync(database, new
        {
            agent = AgentKey(tenantId, userId),
            instances = Instances,
            instance = InstanceId,
            count = localConnections,
            ttl = TtlMilliseconds,
        });
        return (long)result;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Renew three times per timeout, so one missed renewal does not count this instance out.
        using var timer = new PeriodicTimer(options.Value.PresenceInstanceTimeout / 3, time);
        do
        {
            try
            {
                var database = await connection.GetDatabaseAsync(stoppingToken);
                await Renew.EvaluateAsync(database, new { instances = Instances, instance = InstanceId, ttl = TtlMilliseconds });
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                RenewFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // Stopping: this instance's connections close with it, so its counts stop counting now.
            var database = await connection.GetDatabaseAsync(cancellationToken);
            await database.HashDeleteAsync(Instances, InstanceId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            RenewFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Could not renew this instance's agent connection counts on Redis; other instances stop counting them after the presence timeout")]
    private static partial void RenewFailed(ILogger logger, Exception ex);
}

/// <summary>The Redis connection of CustomerCare's own keys (the backplane keeps its own), opened on first use.</summary>
internal sealed class RedisScaleOutConnection(string configuration) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        if (_multiplexer is { } ready) return ready.GetDatabase();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_multiplexer is null)
            {
                var options = ConfigurationOptions.Parse(configuration);
                options.AbortOnConnectFail = false;
                _multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
            }
            return _multiplexer.GetDatabase();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null) await _multiplexer.DisposeAsync();
        _gate.Dispose();
    }
}
