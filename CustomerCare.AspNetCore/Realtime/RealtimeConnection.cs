using System.Collections.Concurrent;
using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.SignalR;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// What CustomerCare pins on a hub connection when it connects (<see cref="HubCallerContext.Items"/>):
/// the tenant and the actor, the tickets the connection joined and when it last sent <c>typing</c>.
/// </summary>
internal sealed class RealtimeConnection(TenantContext tenant, Actor actor)
{
    private static readonly object Key = new();

    public TenantContext Tenant { get; } = tenant;

    public Actor Actor { get; } = actor;

    /// <summary>Tickets joined (the value is unused).</summary>
    public ConcurrentDictionary<Guid, byte> Joined { get; } = new();

    /// <summary>Whether the last metered call was refused by the rate limit (logged once per burst).</summary>
    public bool RateLimited { get; set; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last typing event sent per ticket.</summary>
    public ConcurrentDictionary<Guid, long> LastTyping { get; } = new();

    public static void Pin(HubCallerContext context, RealtimeConnection connection) => context.Items[Key] = connection;

    public static RealtimeConnection? Find(HubCallerContext context)
        => context.Items.TryGetValue(Key, out var value) ? value as RealtimeConnection : null;

    public static RealtimeConnection Get(HubCallerContext context)
        => Find(context) ?? throw new HubException(RealtimeErrors.Unauthorized);
}

/// <summary>Turns CustomerCare's errors into <see cref="HubException"/>s whose message starts with the stable code.</summary>
internal static class RealtimeErrors
{
    public const string Unauthorized = "unauthorized: Sign in to this tenant first.";

    public const string TenantUnavailable = "tenant-suspended: This helpdesk is temporarily unavailable.";

    /// <summary>The answer for a ticket that is unknown, not visible, or whose id is malformed: all alike.</summary>
    public static NotFoundException TicketNotFound() => new("ticket");

    public static HubException From(CustomerCareException exception) => exception switch
    {
        ValidationException v => new HubException($"{v.Code}: " + string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))),
        _ => new HubException($"{exception.Code}: {exception.Message}"),
    };

    public static HubException RateLimited(TimeSpan? retryAfter) => new(retryAfter is { } wait
        ? $"rate-limited: Too many calls on this connection; retry in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s."
        : "rate-limited: Too many calls on this connection; slow down.");
}
