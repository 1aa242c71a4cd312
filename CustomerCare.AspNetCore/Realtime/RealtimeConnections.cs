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
    /// Closes the transport under the hub connection, as a network failure would. <see cref="HubCallerContext.Abort"/>
    /// would tell the client not to reconnect; a dropped transport makes the official clients reconnect.
    /// </summary>
    private static void Drop(HubCallerContext connection)
    {
        if (connection.Features.Get<IConnectionLifetimeFeature>() is { } lifetime) lifetime.Abort();
        else connection.Abort();
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Closing {Count} hub connections so that their clients catch up: {Reason}")]
    private static partial void Resyncing(ILogger logger, int count, string reason);
}
