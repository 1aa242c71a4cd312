using CustomerCare.AspNetCore.Realtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CustomerCare.SignalR.StackExchangeRedis;

/// <summary>
/// Watches the backplane's Redis connection. While the subscription connection is down, events published
/// by any instance do not reach this instance's clients (and this instance's do not reach the others');
/// when it is back, the clients of this instance are made to reconnect and catch up by cursor.
/// </summary>
internal sealed partial class RedisBackplaneWatcher(
    IRealtimeResync resync,
    IOptions<RedisScaleOutOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RedisBackplaneWatcher> logger)
{
    public void Watch(IConnectionMultiplexer multiplexer)
    {
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription) Lost(logger, e.EndPoint?.ToString(), e.FailureType, e.Exception);
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Subscription) return;
            Restored(logger, e.EndPoint?.ToString());
            if (options.Value.ResyncClientsAfterOutage) _ = ResyncAsync();
        };
    }

    private async Task ResyncAsync()
    {
        try
        {
            await Task.Delay(options.Value.ResyncDelay, time, lifetime.ApplicationStopping);
            resync.ResyncAll("the Redis backplane was unreachable, so events pushed meanwhile may not have arrived");
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Lost the Redis backplane subscription to {EndPoint} ({FailureType}); real-time events between instances stop until it is back")]
    private static partial void Lost(ILogger logger, string? endPoint, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Redis backplane subscription to {EndPoint} restored")]
    private static partial void Restored(ILogger logger, string? endPoint);
}
