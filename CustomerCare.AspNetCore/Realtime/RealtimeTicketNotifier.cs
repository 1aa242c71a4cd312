using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.SignalR;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Pushes ticket activity to the hub's clients: <c>messagePosted</c> to everyone who may see the message
/// and has joined the ticket, <c>ticketUpdated</c> to everyone concerned (see <see cref="RealtimeGroups"/>).
/// It runs after the change is saved, whatever front end made it (hub, HTTP API, a host's own code), so
/// a message is always stored before it is pushed.
/// </summary>
internal sealed class RealtimeTicketNotifier(IHubContext<CustomerCareHub> hub, ITenantContextAccessor tenant) : ITicketNotifier
{
    public Task NotifyAsync(TicketActivity activity, CancellationToken cancellationToken)
    {
        var ticket = activity.Ticket;
        var settings = tenant.Current is { } current && current.TenantId == ticket.TenantId ? current.Tenant.Settings : new TenantSettings { AgentsSeeUnassigned = false };
        // The change is saved: push it even if the caller has gone away meanwhile (its token is cancelled).
        if (activity.Kind == TicketEventKind.MessagePosted)
        {
            if (activity.Message is not { } message) return Task.CompletedTask;
            return hub.Clients.Groups(RealtimeGroups.MessageAudience(ticket, settings, message.Visibility))
                .SendAsync(RealtimeEventNames.MessagePosted, MessageResponse.From(message), CancellationToken.None);
        }
        return hub.Clients.Groups(RealtimeGroups.UpdateAudience(ticket, settings, activity.Kind, activity.PreviousAssigneeId))
            .SendAsync(RealtimeEventNames.TicketUpdated, TicketUpdatedEvent.From(activity), CancellationToken.None);
    }
}
