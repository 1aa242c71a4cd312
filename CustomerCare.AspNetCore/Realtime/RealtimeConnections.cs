using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Forces the clients of this host instance to resynchronise. Scale-out transports call it when pushed
/// events may have been lost (e.g. the Redis backplane was unreachable): every hub connection of this
/// instance is closed, clients reconnect (the official clients' automatic reconnect) and fetch what they
/// missed with <c>JoinTicket(ticketId, after)</c>. Registered by <c>AddRealtime()</c>.
/// </summary>
public interface IRealtimeResync
{
    /// <summary>Number of hub connections open on this instance.</summary>
    int ConnectionCount { get; }

    /// <summary>Closes every hub connection of this instance so that its client reconnects and catches up.</summary>
    /// <param name="reason">Why, for the log.</param>
    void ResyncAll(string reason);
}

/// <summary>The hub connections open on this host instance.</summary>
internal sealed partial class RealtimeConnections(ILogger<RealtimeConnections> logger) : IRealtimeResync
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new(StringComparer.Ordinal);

    public int ConnectionCount => _connections.Count;

    public void Add(HubCallerContext context) => _connections[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    public void ResyncAll(string reason)
    {
        var connections = _connections.Values.ToList();
        Resyncing(logger, connections.Count, reason);
        foreach (var connection in connections) Drop(connection);
    }

    /// <summary>
    /// Closes the hub connection with a close message that lets the client reconnect (the way SignalR closes one whose
    /// authentication expired). <see cref="HubCallerContext.Abort"/> would tell the client not to reconnect, and so, now and
    /// then, did aborting the transport: SignalR answers a closed transport with a "do not reconnect" close message, which
    /// sometimes still reached the client, and the client then stayed disconnected. The transport is dropped only where the
    /// close cannot be requested.
    /// </summary>
    private static void Drop(HubCallerContext connection)
    {
        if (connection.Features.Get<IConnectionLifetimeNotificationFeature>() is { } notification) notification.RequestClose();
        else if (connection.Features.Get<IConnectionLifetimeFeature>() is { } lifetime) lifetime.Abort();
        else connection.Abort();
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Closing {Count} hub connections so that their clients catch up: {Reason}")]
    private static partial void Resyncing(ILogger logger, int count, string reason);
}
