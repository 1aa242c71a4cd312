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

    /// <summary>Claims and delivers one batch of due notifications. Returns how many were claimed (0: nothing was due).</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var queue = services.GetRequiredService<INotificationQueue>();
        var token = $"{_instance}/{Guid.NewGuid():N}";
        var now = _time.GetUtcNow();
        var claimed = await queue.ClaimDueAsync(token, _options.BatchSize, now, now + _options.ClaimLease, cancellationToken);
        if (claimed.Count == 0) return 0;

        var tenants = new Dictionary<string, TenantInfo?>(StringComparer.Ordinal);
        foreach (var notification in claimed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!tenants.TryGetValue(notification.TenantId, out var tenant))
            {
                using (_tenantSetter.BeginScope(null))
                    tenant = await services.GetRequiredService<ITenantStore>().FindByIdAsync(notification.TenantId, cancellationToken);
                tenants[notification.TenantId] = tenant;
            }
            if (tenant is null)
            {
                // The outbox row names its tenant; without the tenant nothing can be rendered or marked in its context.
                await queue.MarkFailedAsync(notification, token, "The tenant no longer exists.", null, cancellationToken);
                DeadLettered(_logger, notification.Id, notification.Kind, notification.TenantId, notification.Channel, notification.Attempts, "tenant missing");
                continue;
            }
            using (_tenantSetter.BeginScope(new TenantContext(tenant)))
                await DeliverAsync(services, queue, tenant, notification, token, cancellationToken);
        }
        return claimed.Count;
    }

    private async Task DeliverAsync(IServiceProvider services, INotificationQueue queue, TenantInfo tenant, OutboxNotification notification, string token, CancellationToken cancellationToken)
    {
        string? error;
        var permanent = false;
        try
        {
            if (!_channels.TryGetValue(notification.Channel, out var channel))
                throw new InvalidOperationException($"No notification channel named '{notification.Channel}' is registered on this host.");
            var rendered = await RenderAsync(services, tenant, notification, cancellationToken);
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
    internal static async Task<RenderedNotification> RenderAsync(IServiceProvider services, TenantInfo tenant, OutboxNotification notification, CancellationToken cancellationToken)
    {
        var template = await services.GetRequiredService<INotificationTemplateStore>().FindAsync(notification.Kind, cancellationToken)
                       ?? NotificationTemplates.Default(notification.Kind);
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

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Notification {NotificationId} of tenant {TenantId}: the claim expired before it was marked; another dispatcher took it")]
    private static partial void ClaimLost(ILogger logger, Guid notificationId, string tenantId);
}
