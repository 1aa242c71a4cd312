using CustomerCare.Actors;
using CustomerCare.MultiTenancy;

namespace CustomerCare.Tickets;

/// <summary>
/// The authorization table of DESIGN.md §3 in one place, so that every front end applies the same
/// rules. "See" decides 404 versus anything else; the other checks decide 403.
/// </summary>
public static class TicketRules
{
    /// <summary>Whether the actor may see the ticket at all.</summary>
    public static bool CanSee(Actor actor, Ticket ticket, TenantSettings settings) => actor.Role switch
    {
        ActorRole.Admin => true,
        ActorRole.Agent => ticket.AssigneeId == actor.UserId || (ticket.AssigneeId is null && settings.AgentsSeeUnassigned),
        _ => ticket.CustomerId == actor.UserId,
    };

    /// <summary>Whether the actor may post a public message (ignoring the ticket's status).</summary>
    public static bool CanPostPublic(Actor actor, Ticket ticket) => actor.Role switch
    {
        ActorRole.Admin => true,
        ActorRole.Agent => ticket.AssigneeId == actor.UserId,
        _ => ticket.CustomerId == actor.UserId,
    };

    /// <summary>Whether the actor may post an internal note.</summary>
    public static bool CanPostInternal(Actor actor, Ticket ticket) => actor.Role switch
    {
        ActorRole.Admin => true,
        ActorRole.Agent => ticket.AssigneeId == actor.UserId,
        _ => false,
    };

    /// <summary>Whether the actor may see internal notes.</summary>
    public static bool CanSeeInternal(Actor actor) => actor.IsStaff;

    /// <summary>Whether the actor may resolve the ticket.</summary>
    public static bool CanResolve(Actor actor, Ticket ticket)
        => actor.Role == ActorRole.Admin || (actor.Role == ActorRole.Agent && ticket.AssigneeId == actor.UserId);

    /// <summary>Whether the actor may close or reopen the ticket.</summary>
    public static bool CanCloseOrReopen(Actor actor, Ticket ticket)
        => actor.Role == ActorRole.Admin || (actor.Role == ActorRole.Customer && ticket.CustomerId == actor.UserId);

    /// <summary>Whether the actor may assign the ticket to <paramref name="agentId"/>.</summary>
    public static bool CanAssign(Actor actor, Ticket ticket, string? agentId, TenantSettings settings)
        => actor.Role == ActorRole.Admin
           || (actor.Role == ActorRole.Agent && settings.AgentsMaySelfAssign && ticket.AssigneeId is null && agentId == actor.UserId);
}
