using CustomerCare.Actors;
using CustomerCare.Tickets;
using Microsoft.Extensions.Logging;

namespace CustomerCare.Notifications;

/// <summary>What happened to a ticket, told to notifiers after the change was saved.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Ticket">The ticket after the change.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="Message">The message posted, for <see cref="TicketEventKind.MessagePosted"/>.</param>
/// <param name="FromStatus">Status before, for status changes.</param>
/// <param name="PreviousAssigneeId">Assignee before, for assignments.</param>
public sealed record TicketActivity(
    TicketEventKind Kind,
    Ticket Ticket,
    Actor Actor,
    TicketMessage? Message = null,
    TicketStatus? FromStatus = null,
    string? PreviousAssigneeId = null);

/// <summary>
/// Receives ticket activity after it is saved: created, assigned, message posted, status changed.
/// Several can be registered; one failing does not stop the others or the request.
/// </summary>
public interface ITicketNotifier
{
    /// <summary>Handles one activity.</summary>
    Task NotifyAsync(TicketActivity activity, CancellationToken cancellationToken);
}

/// <summary>The default notifier: writes a structured log line per activity and delivers nothing.</summary>
public sealed partial class LoggingTicketNotifier(ILogger<LoggingTicketNotifier> logger) : ITicketNotifier
{
    /// <inheritdoc />
    public Task NotifyAsync(TicketActivity activity, CancellationToken cancellationToken)
    {
        Log(logger, activity.Kind, activity.Ticket.Reference, activity.Ticket.TenantId, activity.Ticket.Status, activity.Actor.Role);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Ticket {Reference} in tenant {TenantId}: {Kind} (status {Status}, by a {ActorRole})")]
    private static partial void Log(ILogger logger, TicketEventKind kind, string reference, string tenantId, TicketStatus status, ActorRole actorRole);
}

internal sealed partial class NotifierDispatcher(IEnumerable<ITicketNotifier> notifiers, ILogger<NotifierDispatcher> logger)
{
    public async Task PublishAsync(TicketActivity activity, CancellationToken cancellationToken)
    {
        foreach (var notifier in notifiers)
        {
            try
            {
                await notifier.NotifyAsync(activity, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(logger, ex, notifier.GetType().Name, activity.Kind, activity.Ticket.Reference);
            }
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Notifier {Notifier} failed on {Kind} of ticket {Reference}")]
    private static partial void Failed(ILogger logger, Exception ex, string notifier, TicketEventKind kind, string reference);
}
