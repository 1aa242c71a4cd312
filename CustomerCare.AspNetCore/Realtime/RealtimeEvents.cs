using CustomerCare.Actors;
using CustomerCare.Notifications;
using CustomerCare.Staff;
using CustomerCare.Tickets;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>What <c>JoinTicket</c> returns: the ticket and the messages after the caller's cursor.</summary>
/// <param name="Ticket">The ticket as the HTTP API shows it.</param>
/// <param name="Messages">Messages after the cursor, oldest first (internal notes only for staff).</param>
/// <param name="HasMore">
/// More messages follow than were returned (<see cref="CustomerCareRealtimeOptions.JoinMaxMessages"/>);
/// call <c>JoinTicket</c> again with the last sequence.
/// </param>
public sealed record JoinTicketResult(TicketResponse Ticket, IReadOnlyList<MessageResponse> Messages, bool HasMore);

/// <summary>The <c>ticketUpdated</c> event: a ticket was raised, assigned or changed status.</summary>
/// <param name="TicketId">The ticket.</param>
/// <param name="Number">Number shown to people, e.g. <c>BANK-1001</c>.</param>
/// <param name="Kind"><c>created</c>, <c>assigned</c> or <c>statusChanged</c>.</param>
/// <param name="Status">Status now.</param>
/// <param name="Priority">Priority now.</param>
/// <param name="Assignee">Assignee now, <c>null</c> when unassigned.</param>
/// <param name="Version">The ticket's version now (its <c>ETag</c> on the HTTP API); apply an update only when it is newer than what you have.</param>
/// <param name="UpdatedAt">When it changed.</param>
public sealed record TicketUpdatedEvent(
    Guid TicketId,
    string Number,
    TicketEventKind Kind,
    TicketStatus Status,
    TicketPriority Priority,
    PersonResponse? Assignee,
    long Version,
    DateTimeOffset UpdatedAt)
{
    internal static TicketUpdatedEvent From(TicketActivity activity)
    {
        var t = activity.Ticket;
        return new(t.Id, t.Reference, activity.Kind, t.Status, t.Priority,
            t.AssigneeId is null ? null : new PersonResponse(t.AssigneeId, t.AssigneeName ?? t.AssigneeId), t.Version, t.UpdatedAt);
    }
}

/// <summary>The <c>typing</c> event: someone is writing on a ticket (ephemeral, throttled).</summary>
/// <param name="TicketId">The ticket.</param>
/// <param name="User">Who is typing.</param>
/// <param name="Role">Their role.</param>
public sealed record TypingEvent(Guid TicketId, PersonResponse User, ActorRole Role);

/// <summary>The <c>presence</c> event, to admins: an agent came online, went away or went offline.</summary>
/// <param name="UserId">The agent.</param>
/// <param name="DisplayName">The agent's name.</param>
/// <param name="Availability"><c>online</c>, <c>away</c> or <c>offline</c>.</param>
public sealed record PresenceEvent(string UserId, string DisplayName, AgentAvailability Availability);
