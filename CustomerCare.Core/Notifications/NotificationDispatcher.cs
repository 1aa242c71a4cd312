using CustomerCare.MultiTenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.Notifications;

/// <summary>
/// Delivers due notifications of every tenant: claims a batch (a lease, so concurrent dispatchers on
/// other host instances never take the same rows), renders each with its tenant's templates under that
/// tenant's context, sends it through its channel and marks it sent. A failure is retried with
/// exponential backoff and jitter; after <see cref="NotificationOptions.MaxAttempts"/> attempts, or on a
/// <see cref="PermanentNotificationException"/>, the notification is dead-lettered for the admins.
/// The storage package runs it in a background service; a host can also call it from its own job.
/// </summary>
public sealed partial class NotificationDispatcher
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IReadOnlyDictionary<string, INotificationChannel> _channels;
    private readonly ITenantContextSetter _tenantSetter;
    private readonly TimeProvider _time;
    private readonly NotificationOptions _options;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly string _instance = Instance();

    internal NotificationDispatcher(
        IServiceScopeFactory scopes,
        IEnumerable<INotificationChannel> channels,
        ITenantContextSetter tenantSetter,
        TimeProvider time,
        IOptions<CustomerCareOptions> options,
        ILogger<NotificationDispatcher> logger)
    {
        _scopes = scopes;
        _channels = channels.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _tenantSetter = tenantSetter;
        _time = time;
        _options = options.Value.Notifications;
        _logger = logger;
    }

    /// <summary>Whether there is any channel to deliver through.</summary>
    public bool HasChannels => _channels.Count > 0;

    /// <summary>
    /// Works out the notifications of one batch of ticket activities, then claims and delivers one batch of due
    /// notifications. Returns how many activities and notifications were taken (0: nothing was waiting).
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var tenants = new Dictionary<string, TenantInfo?>(StringComparer.Ordinal);
        var planned = await PlanActivitiesAsync(services, tenants, cancellationToken);

        var queue = services.GetRequiredService<INotificationQueue>();
        var token = $"{_instance}/{Guid.NewGuid():N}";
        var now = _time.GetUtcNow();
        var claimed = await queue.ClaimDueAsync(token, _options.BatchSize, now, now + _options.ClaimLease, cancellationToken);
        if (claimed.Count == 0) return planned;

        // Templates are read once per batch for each tenant and kind.
        var templates = new Dictionary<(string, NotificationKind), NotificationTemplate>();
        foreach (var notification in claimed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tenant = await TenantAsync(services, tenants, notification.TenantId, cancellationToken);
            if (tenant is null)
            {
                // The outbox row names its tenant; without the tenant nothing can be rendered or marked in its context.
                await queue.MarkFailedAsync(notification, token, "The tenant no longer exists.", null, cancellationToken);
                DeadLettered(_logger, notification.Id, notification.Kind, notification.TenantId, notification.Channel, notification.Attempts, "tenant missing");
                continue;
            }
            using (_tenantSetter.BeginScope(new TenantContext(tenant)))
                await DeliverAsync(services, queue, tenant, notification, token, templates, cancellationToken);
        }
        return planned + claimed.Count;
    }

    /// <summary>Works out the notifications of the ticket activities waiting in the outbox (one batch). Returns how many were taken.</summary>
    internal async Task<int> PlanActivitiesAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await PlanActivitiesAsync(scope.ServiceProvider, new Dictionary<string, TenantInfo?>(StringComparer.Ordinal), cancellationToken);
    }

    /// <summary>
    /// Claims a batch of activities, works out each one's notifications in its tenant and writes them, removing the
    /// activities, in one transaction. When one fails the batch is rolled back and, unless the database was at fault
    /// (a deadlock, say), that activity's attempt is counted, so that it cannot hold the others back for ever.
    /// </summary>
    private async Task<int> PlanActivitiesAsync(IServiceProvider services, Dictionary<string, TenantInfo?> tenants, CancellationToken cancellationToken)
    {
        if (services.GetService<IOutboxActivityQueue>() is not { } activities) return 0;
        var planner = services.GetRequiredService<NotificationPlanner>();
        OutboxActivity? failed = null;
        Exception? error = null;
        await using (var batch = await activities.ClaimAsync(_options.BatchSize, _options.MaxAttempts, cancellationToken))
        {
            if (batch.Activities.Count == 0) return 0;
            foreach (var activity in batch.Activities)
            {
                var tenant = await TenantAsync(services, tenants, activity.TenantId, cancellationToken);
                try
                {
                    if (tenant is null)
                    {
                        using (_tenantSetter.BeginScope(null)) await batch.CompleteAsync(activity, [], cancellationToken);
                        ActivityOfMissingTenant(_logger, activity.Id, activity.TenantId);
                        continue;
                    }
                    using (_tenantSetter.BeginScope(new TenantContext(tenant)))
                        await batch.CompleteAsync(activity, await planner.PlanAsync(activity, cancellationToken), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    (failed, error) = (activity, ex);
                    break;
                }
            }
            if (failed is null)
            {
                await batch.CommitAsync(cancellationToken);
                return batch.Activities.Count;
            }
        }

        var transient = error is System.Data.Common.DbException || error!.InnerException is System.Data.Common.DbException;
        if (!transient) await activities.RecordFailureAsync(failed, CancellationToken.None);
        PlanningFailed(_logger, error, failed.Id, failed.Kind, failed.TenantId, transient ? failed.Attempts : failed.Attempts + 1);
        return 1;
    }

    private async Task<TenantInfo?> TenantAsync(IServiceProvider services, Dictionary<string, TenantInfo?> tenants, string tenantId, CancellationToken cancellationToken)
    {
        if (tenants.TryGetValue(tenantId, out var tenant)) return tenant;
        using (_tenantSetter.BeginScope(null))
            tenant = await services.GetRequiredService<ITenantStore>().FindByIdAsync(tenantId, cancellationToken);
        tenants[tenantId] = tenant;
        return tenant;
    }

    private async Task DeliverAsync(IServiceProvider services, INotificationQueue queue, TenantInfo tenant, OutboxNotification notification, string token,
        Dictionary<(string, NotificationKind), NotificationTemplate> templates, CancellationToken cancellationToken)
    {
        string? error;
        var permanent = false;
        try
        {
            if (!_channels.TryGetValue(notification.Channel, out var channel))
                throw new InvalidOperationException($"No notification channel named '{notification.Channel}' is registered on this host.");
            if (!templates.TryGetValue((tenant.Id, notification.Kind), out var template))
            {
                template = await services.GetRequiredService<INotificationTemplateStore>().FindAsync(notification.Kind, cancellationToken)
                           ?? NotificationTemplates.Default(notification.Kind);
                templates[(tenant.Id, notification.Kind)] = template;
            }
            var rendered = Render(template, tenant, notification);
            await channel.SendAsync(rendered, cancellationToken);
            error = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the claim's lease expires and another attempt (same id, same Message-ID) follows.
            throw;
        }
        catch (Exception ex)
        {
            permanent = ex is PermanentNotificationException;
            error = Describe(ex);
        }

        // Record the outcome even while the host is stopping: a delivered mail left unmarked would be sent again.
        var now = _time.GetUtcNow();
        if (error is null)
        {
            var marked = await queue.MarkSentAsync(notification, token, now, NotificationKinds.CarriesSecrets(notification.Kind), CancellationToken.None);
            if (marked) Sent(_logger, notification.Id, notification.Kind, notification.TenantId, notification.Channel);
            else ClaimLost(_logger, notification.Id, notification.TenantId);
            return;
        }

        var dead = permanent || notification.Attempts >= _options.MaxAttempts;
        DateTimeOffset? next = dead ? null : now + Backoff(notification.Attempts);
        var recorded = await queue.MarkFailedAsync(notification, token, error, next, CancellationToken.None);
        if (!recorded) ClaimLost(_logger, notification.Id, notification.TenantId);
        else if (dead) DeadLettered(_logger, notification.Id, notification.Kind, notification.TenantId, notification.Channel, notification.Attempts, error);
        else Failed(_logger, notification.Id, notification.Kind, notification.TenantId, notification.Channel, notification.Attempts, error, next!.Value);
    }

    /// <summary>Renders a notification with its tenant's template of its kind (or the default).</summary>
    internal static RenderedNotification Render(NotificationTemplate template, TenantInfo tenant, OutboxNotification notification)
    {
        var data = notification.ReadData();
        var values = new Dictionary<string, string>(data.Values, StringComparer.Ordinal)
        {
            ["tenant.name"] = tenant.Name,
            ["recipient.name"] = notification.RecipientName ?? notification.RecipientAddress,
            ["ticket.number"] = notification.TicketReference ?? "",
        };
        if (data.Messages is { Count: > 0 } messages)
        {
            values["message.count"] = messages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            values["message.author"] = messages[^1].Author;
            values["message.body"] = messages.Count == 1
                ? messages[0].Body
                : string.Join("\n\n", messages.Select(m => $"{m.Author}{(m.Internal ? " (internal note)" : "")}:\n{m.Body}"));
        }
        return new RenderedNotification(notification, tenant,
            NotificationTemplates.Render(template.Subject, values, html: false).ReplaceLineEndings(" "),
            NotificationTemplates.Render(template.Text, values, html: false),
            NotificationTemplates.Render(template.Html, values, html: true));
    }

    /// <summary>Exponential backoff with jitter: half the doubled delay fixed, half random, capped at <see cref="NotificationOptions.RetryMaxDelay"/>.</summary>
    internal TimeSpan Backoff(int attempts)
    {
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var ticks = Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks * Math.Pow(2, exponent));
        var delay = (long)ticks;
        return TimeSpan.FromTicks(delay / 2 + (long)(Random.Shared.NextDouble() * (delay / 2)));
    }

    private static string Instance()
    {
        var machine = Environment.MachineName.Length > 30 ? Environment.MachineName[..30] : Environment.MachineName;
        return $"{machine}/{Environment.ProcessId}";
    }

    /// <summary>A short reason without secrets: the exception's type and first line, at most 300 characters.</summary>
    private static string Describe(Exception ex)
    {
        var message = ex.Message.ReplaceLineEndings(" ");
        var text = $"{ex.GetType().Name}: {message}";
        return text.Length <= 300 ? text : text[..300];
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Notification {NotificationId} ({Kind}) of tenant {TenantId} sent through {Channel}")]
    private static partial void Sent(ILogger logger, Guid notificationId, NotificationKind kind, string tenantId, string channel);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Notification {NotificationId} ({Kind}) of tenant {TenantId} failed through {Channel} on attempt {Attempt}: {Error}; next attempt at {NextAttemptAt}")]
    private static partial void Failed(ILogger logger, Guid notificationId, NotificationKind kind, string tenantId, string channel, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Notification {NotificationId} ({Kind}) of tenant {TenantId} dead-lettered on {Channel} after {Attempts} attempt(s): {Error}")]
    private static partial void DeadLettered(ILogger logger, Guid notificationId, NotificationKind kind, string tenantId, string channel, int attempts, string error);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Notification activity {ActivityId} ({Kind}) of tenant {TenantId} could not be worked out (attempt {Attempts}); its batch was rolled back")]
    private static partial void PlanningFailed(ILogger logger, Exception ex, long activityId, Tickets.TicketEventKind kind, string tenantId, int attempts);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Notification activity {ActivityId} names tenant {TenantId}, which no longer exists; dropped")]
    private static partial void ActivityOfMissingTenant(ILogger logger, long activityId, string tenantId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Notification {NotificationId} of tenant {TenantId}: the claim expired before it was marked; another dispatcher took it")]
    private static partial void ClaimLost(ILogger logger, Guid notificationId, string tenantId);
}
