namespace CustomerCare.Notifications;

/// <summary>The outbox of the current tenant: writing notifications outside a ticket change, the admin's dead letters.</summary>
public interface INotificationStore
{
    /// <summary>Writes notifications in one transaction (pending rows of the same coalesce key merge).</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxNotification> notifications, CancellationToken cancellationToken);

    /// <summary>Finds a notification of the current tenant.</summary>
    Task<OutboxNotification?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Notifications with <paramref name="status"/>, oldest first, after the id cursor.</summary>
    Task<IReadOnlyList<OutboxNotification>> ListAsync(NotificationStatus status, Guid? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Puts a dead-lettered notification back in the queue, due at <paramref name="now"/> with its attempts reset. <c>false</c> when it is not dead.</summary>
    Task<bool> RetryAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The dispatcher's side of the outbox, across all tenants. Claims are leases: a dispatcher that
/// crashes loses its claims when they expire, and another one takes the rows again.
/// </summary>
public interface INotificationQueue
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due notifications of any tenant (pending and due, or
    /// sending with an expired lease), marks them sending under <paramref name="claimToken"/> until
    /// <paramref name="leaseUntil"/> and counts an attempt. Concurrent callers never claim the same row.
    /// </summary>
    Task<IReadOnlyList<OutboxNotification>> ClaimDueAsync(string claimToken, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Marks a claimed notification sent (erasing its data when <paramref name="eraseData"/>). <c>false</c> when the claim was lost.</summary>
    Task<bool> MarkSentAsync(OutboxNotification notification, string claimToken, DateTimeOffset now, bool eraseData, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt: due again at <paramref name="nextAttemptAt"/>, or dead when it is <c>null</c>. <c>false</c> when the claim was lost.</summary>
    Task<bool> MarkFailedAsync(OutboxNotification notification, string claimToken, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);
}

/// <summary>A user's refusal of one optional notification kind.</summary>
public sealed class NotificationOptOut
{
    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The host user id.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The kind refused (only optional kinds).</summary>
    public NotificationKind Kind { get; set; }
}

/// <summary>Users' opt-outs of optional notification kinds in the current tenant.</summary>
public interface INotificationPreferenceStore
{
    /// <summary>The opt-outs of the given users.</summary>
    Task<IReadOnlyList<NotificationOptOut>> GetOptOutsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Replaces a user's opt-outs.</summary>
    Task SetOptOutsAsync(string userId, IReadOnlyCollection<NotificationKind> kinds, CancellationToken cancellationToken);
}

/// <summary>A tenant's own template of one kind (subject, plain text, HTML); kinds without one use the defaults.</summary>
public sealed class NotificationTemplate
{
    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The kind it renders.</summary>
    public NotificationKind Kind { get; set; }

    /// <summary>Subject line template.</summary>
    public string Subject { get; set; } = "";

    /// <summary>Plain-text body template.</summary>
    public string Text { get; set; } = "";

    /// <summary>HTML body template; values are HTML-encoded when filled in.</summary>
    public string Html { get; set; } = "";

    /// <summary>When it was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The current tenant's own templates.</summary>
public interface INotificationTemplateStore
{
    /// <summary>The tenant's templates.</summary>
    Task<IReadOnlyList<NotificationTemplate>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The tenant's template of a kind, or <c>null</c> for the default.</summary>
    Task<NotificationTemplate?> FindAsync(NotificationKind kind, CancellationToken cancellationToken);

    /// <summary>Adds or replaces the template of its kind.</summary>
    Task SaveAsync(NotificationTemplate template, CancellationToken cancellationToken);

    /// <summary>Removes the tenant's template of a kind (back to the default). <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync(NotificationKind kind, CancellationToken cancellationToken);
}

/// <summary>
/// The dispatcher's side of the activities (ticket changes whose notifications are still to be worked out), across
/// all tenants. A claim holds its activities for the batch's transaction only: working them out touches nothing but
/// the database, so the notifications and the removal of the activity commit together or not at all.
/// </summary>
internal interface IOutboxActivityQueue
{
    /// <summary>
    /// Begins a transaction and claims up to <paramref name="limit"/> activities with fewer than
    /// <paramref name="maxAttempts"/> failed attempts, oldest first; concurrent callers skip them.
    /// </summary>
    Task<IOutboxActivityBatch> ClaimAsync(int limit, int maxAttempts, CancellationToken cancellationToken);

    /// <summary>Counts a failed attempt to work out an activity (outside any batch).</summary>
    Task RecordFailureAsync(OutboxActivity activity, CancellationToken cancellationToken);
}

/// <summary>Claimed activities and the transaction that holds them; disposing without <see cref="CommitAsync"/> rolls back.</summary>
internal interface IOutboxActivityBatch : IAsyncDisposable
{
    /// <summary>The claimed activities, oldest first.</summary>
    IReadOnlyList<OutboxActivity> Activities { get; }

    /// <summary>
    /// Writes an activity's notifications (in the activity's tenant, which must be current; pending rows with the
    /// same coalesce key merge) and removes the activity.
    /// </summary>
    Task CompleteAsync(OutboxActivity activity, IReadOnlyList<OutboxNotification> notifications, CancellationToken cancellationToken);

    /// <summary>Commits the batch.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
