using CustomerCare.MultiTenancy;

namespace CustomerCare.Notifications;

/// <summary>A notification ready to deliver: the outbox row, its tenant and the rendered template.</summary>
/// <param name="Notification">The outbox row (its id is the mail's Message-ID).</param>
/// <param name="Tenant">The tenant it belongs to (sender name and address).</param>
/// <param name="Subject">Rendered subject.</param>
/// <param name="Text">Rendered plain-text body.</param>
/// <param name="Html">Rendered HTML body.</param>
public sealed record RenderedNotification(OutboxNotification Notification, TenantInfo Tenant, string Subject, string Text, string Html)
{
    /// <summary>Whether the recipient may opt out of this kind (mail adds <c>List-Unsubscribe</c>).</summary>
    public bool IsOptional => NotificationKinds.IsOptional(Notification.Kind);
}

/// <summary>
/// Delivers rendered notifications: email (SMTP through MailKit), a webhook, or a host's own (SMS,
/// chat apps). Register with <c>builder.AddNotificationChannel&lt;T&gt;()</c>; every registered
/// channel gets its own outbox row per recipient, retried and dead-lettered on its own.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel's name, stored on each outbox row (e.g. <c>email</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Delivers one notification. Throwing means it was not delivered: it is retried with backoff,
    /// or dead-lettered at once for a <see cref="PermanentNotificationException"/>.
    /// </summary>
    Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken);
}

/// <summary>A failure that no retry can fix (e.g. the recipient address is refused): the notification is dead-lettered at once.</summary>
public sealed class PermanentNotificationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentNotificationException(string message, Exception? innerException = null) : base(message, innerException) { }
}
