using System.Globalization;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Tickets;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// SignalR group names. Every name starts with the tenant id, so nothing crosses tenants. Who receives
/// an event is decided from the ticket's state when the event is sent (not when a connection joined),
/// so a ticket reassigned to another agent stops reaching the previous one without any bookkeeping:
/// <list type="bullet">
/// <item><c>{tenant}:ticket:{id}</c> — the customer's connections that joined the ticket (public messages only).</item>
/// <item><c>{tenant}:ticket:{id}:staff</c> — admins' connections that joined the ticket.</item>
/// <item><c>{tenant}:ticket:{id}:agent:{userId}</c> — an agent's connections that joined the ticket; sent to for the assignee only.</item>
/// <item><c>{tenant}:ticket:{id}:agents</c> — every agent that joined the ticket; sent to while it is unassigned and the tenant lets agents see unassigned tickets.</item>
/// <item><c>{tenant}:user:{userId}</c> — all connections of a user (ticket updates of their tickets).</item>
/// <item><c>{tenant}:admins</c> — admins' connections (presence, every ticket update).</item>
/// <item><c>{tenant}:agents</c> — agents' connections (updates of the unassigned queue, when agents see it).</item>
/// </list>
/// A connection is in exactly one of a ticket's groups for each role, so a message reaches it once.
/// </summary>
internal static class RealtimeGroups
{
    public static string Ticket(string tenant, Guid ticketId) => $"{tenant}:ticket:{Id(ticketId)}";

    public static string TicketStaff(string tenant, Guid ticketId) => $"{tenant}:ticket:{Id(ticketId)}:staff";

    public static string TicketAgent(string tenant, Guid ticketId, string userId) => $"{tenant}:ticket:{Id(ticketId)}:agent:{userId}";

    public static string TicketAgents(string tenant, Guid ticketId) => $"{tenant}:ticket:{Id(ticketId)}:agents";

    public static string User(string tenant, string userId) => $"{tenant}:user:{userId}";

    public static string Admins(string tenant) => $"{tenant}:admins";

    public static string Agents(string tenant) => $"{tenant}:agents";

    /// <summary>The tenant-wide groups a connection joins when it connects.</summary>
    public static IReadOnlyList<string> ForConnection(Actor actor) => actor.Role switch
    {
        ActorRole.Admin => [User(actor.TenantId, actor.UserId), Admins(actor.TenantId)],
        ActorRole.Agent => [User(actor.TenantId, actor.UserId), Agents(actor.TenantId)],
        _ => [User(actor.TenantId, actor.UserId)],
    };

    /// <summary>The groups of one ticket a connection joins (<c>JoinTicket</c>) and leaves (<c>LeaveTicket</c>).</summary>
    public static IReadOnlyList<string> ForTicket(Actor actor, Guid ticketId) => actor.Role switch
    {
        ActorRole.Admin => [TicketStaff(actor.TenantId, ticketId)],
        ActorRole.Agent => [TicketAgent(actor.TenantId, ticketId, actor.UserId), TicketAgents(actor.TenantId, ticketId)],
        _ => [Ticket(actor.TenantId, ticketId)],
    };

    /// <summary>
    /// Who may see a message on the ticket as it is now: admins, the assignee (or, while unassigned and the
    /// tenant allows it, every agent) and, for public messages, the customer.
    /// </summary>
    public static List<string> MessageAudience(Ticket ticket, TenantSettings settings, MessageVisibility visibility)
    {
        var groups = new List<string>(3) { TicketStaff(ticket.TenantId, ticket.Id) };
        if (ticket.AssigneeId is { } assignee) groups.Add(TicketAgent(ticket.TenantId, ticket.Id, assignee));
        else if (settings.AgentsSeeUnassigned) groups.Add(TicketAgents(ticket.TenantId, ticket.Id));
        if (visibility == MessageVisibility.Public) groups.Add(Ticket(ticket.TenantId, ticket.Id));
        return groups;
    }

    /// <summary>
    /// Who hears about a change of the ticket: admins, its customer, its assignee and previous assignee and,
    /// when the change concerns the unassigned queue that agents may see, every agent. A connection may be
    /// in two of these groups (an admin who is the assignee), so clients apply updates by version.
    /// </summary>
    public static List<string> UpdateAudience(Ticket ticket, TenantSettings settings, TicketEventKind kind, string? previousAssigneeId)
    {
        var groups = new List<string>(5) { Admins(ticket.TenantId), User(ticket.TenantId, ticket.CustomerId) };
        if (ticket.AssigneeId is { } assignee) groups.Add(User(ticket.TenantId, assignee));
        if (previousAssigneeId is not null && previousAssigneeId != ticket.AssigneeId) groups.Add(User(ticket.TenantId, previousAssigneeId));
        var inQueue = ticket.AssigneeId is null || (kind == TicketEventKind.Assigned && previousAssigneeId is null);
        if (settings.AgentsSeeUnassigned && inQueue) groups.Add(Agents(ticket.TenantId));
        return groups;
    }

    private static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);
}
