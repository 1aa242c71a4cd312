using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;

namespace CustomerCare.Notifications;

/// <summary>A notification a host asks for, e.g. a password reset or a sign-in from a new device.</summary>
/// <param name="Kind">What it is about.</param>
/// <param name="RecipientUserId">The recipient's host user id.</param>
/// <param name="RecipientAddress">Where to deliver it (their email address).</param>
public sealed record NotificationRequest(NotificationKind Kind, string RecipientUserId, string RecipientAddress)
{
    /// <summary>The recipient's name, for the greeting.</summary>
    public string? RecipientName { get; init; }

    /// <summary>Placeholder values (see <see cref="NotificationTemplates.Placeholders"/>), e.g. <c>reset.instructions</c>.</summary>
    public IReadOnlyDictionary<string, string>? Values { get; init; }

    /// <summary>The ticket it is about, if any.</summary>
    public Guid? TicketId { get; init; }

    /// <summary>The ticket's reference, if any.</summary>
    public string? TicketReference { get; init; }
}

/// <summary>
/// Lets a host write notifications of its own to the outbox of the current tenant (password
/// reset, sign-in from a new device, email confirmation). They are delivered like every other
/// notification: retried, dead-lettered, never lost once this call returned.
/// </summary>
public interface INotificationOutbox
{
    /// <summary>Writes the notification (one row per channel). Opt-outs of optional kinds apply.</summary>
    Task EnqueueAsync(NotificationRequest request, CancellationToken cancellationToken);
}

internal sealed class NotificationOutbox(NotificationPlanner planner, INotificationStore store, ITenantContextAccessor tenant) : INotificationOutbox
{
    public async Task EnqueueAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (tenant.Current is null) throw new InvalidOperationException("No tenant is set for this call. Set one with ITenantContextSetter.BeginScope.");
        if (!Enum.IsDefined(request.Kind)) throw new ArgumentOutOfRangeException(nameof(request), "Unknown notification kind.");
        ArgumentException.ThrowIfNullOrWhiteSpace(request.RecipientUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.RecipientAddress);
        var rows = await planner.RequestedAsync(request, cancellationToken);
        if (rows.Count == 0) return;
        await store.EnqueueAsync(rows, cancellationToken);
        planner.Wake(rows);
    }
}

/// <summary>A template as an admin sees it.</summary>
/// <param name="Kind">The kind's API name.</param>
/// <param name="Subject">Subject template.</param>
/// <param name="Text">Plain-text template.</param>
/// <param name="Html">HTML template.</param>
/// <param name="Custom">Whether the tenant saved its own (otherwise the default).</param>
/// <param name="Placeholders">The placeholders the kind offers.</param>
public sealed record NotificationTemplateView(string Kind, string Subject, string Text, string Html, bool Custom, IReadOnlyList<string> Placeholders);

/// <summary>What an admin sends to save a template.</summary>
public sealed record SaveTemplateRequest
{
    /// <summary>Subject line template (one line).</summary>
    public string? Subject { get; init; }

    /// <summary>Plain-text body template.</summary>
    public string? Text { get; init; }

    /// <summary>HTML body template.</summary>
    public string? Html { get; init; }
}

/// <summary>A user's notification preferences.</summary>
/// <param name="OptedOut">Kinds the user refuses (API names).</param>
/// <param name="Optional">Kinds a user may refuse.</param>
public sealed record NotificationPreferences(IReadOnlyList<string> OptedOut, IReadOnlyList<string> Optional);

/// <summary>What a user sends to change their preferences.</summary>
public sealed record UpdatePreferencesRequest
{
    /// <summary>The optional kinds to refuse (API names such as <c>message-posted</c>); replaces the current list.</summary>
    public List<string>? OptedOut { get; init; }
}

/// <summary>One page of notifications.</summary>
/// <param name="Items">Notifications, oldest first.</param>
/// <param name="NextCursor">Cursor of the next page, <c>null</c> on the last page.</param>
public sealed record NotificationPage(IReadOnlyList<OutboxNotification> Items, string? NextCursor);

/// <summary>Notifications of a tenant: dead letters and retries (admins), templates (admins), preferences (everyone).</summary>
public sealed class NotificationManager
{
    private readonly INotificationStore _store;
    private readonly INotificationTemplateStore _templates;
    private readonly INotificationPreferenceStore _preferences;
    private readonly ITenantContextAccessor _tenant;
    private readonly NotificationSignal _signal;
    private readonly TimeProvider _time;

    internal NotificationManager(INotificationStore store, INotificationTemplateStore templates, INotificationPreferenceStore preferences,
        ITenantContextAccessor tenant, NotificationSignal signal, TimeProvider time)
    {
        _store = store;
        _templates = templates;
        _preferences = preferences;
        _tenant = tenant;
        _signal = signal;
        _time = time;
    }

    /// <summary>Dead-lettered notifications of the tenant, oldest first (admins).</summary>
    public async Task<NotificationPage> ListDeadLettersAsync(Actor actor, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var take = limit ?? 50;
        if (take is < 1 or > 100) throw new ValidationException("limit", "Limit must be between 1 and 100.");
        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (Guid.TryParse(cursor, out var parsed)) after = parsed;
            else throw new ValidationException("cursor", "The cursor is not valid; use a nextCursor from a previous page.");
        }
        var rows = await _store.ListAsync(NotificationStatus.Dead, after, take + 1, cancellationToken);
        var items = rows.Count > take ? rows.Take(take).ToList() : rows;
        return new NotificationPage(items, rows.Count > take ? items[^1].Id.ToString() : null);
    }

    /// <summary>Puts a dead-lettered notification back in the queue with fresh attempts (admins).</summary>
    public async Task<OutboxNotification> RetryAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var notification = await _store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("notification");
        if (notification.Status != NotificationStatus.Dead || !await _store.RetryAsync(id, _time.GetUtcNow(), cancellationToken))
            throw new ConflictException("not-dead-lettered", "Only a dead-lettered notification can be retried; this one is still being delivered or was sent.");
        // Read before waking the dispatcher: once woken it may deliver the row (and count the attempt) before a read after it.
        var retried = await _store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("notification");
        _signal.Wake();
        return retried;
    }

    /// <summary>Every kind's template: the tenant's own or the default (admins).</summary>
    public async Task<IReadOnlyList<NotificationTemplateView>> ListTemplatesAsync(Actor actor, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var custom = (await _templates.ListAsync(cancellationToken)).ToDictionary(t => t.Kind);
        return [.. NotificationKinds.All.Select(kind => View(custom.GetValueOrDefault(kind), kind))];
    }

    /// <summary>Saves the tenant's template of a kind (admins). A syntax error or an unknown placeholder is refused with the reason per part.</summary>
    public async Task<NotificationTemplateView> SaveTemplateAsync(Actor actor, string kindName, SaveTemplateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = RequireAdmin(actor);
        var kind = ParseKind(kindName);
        var errors = NotificationTemplates.Validate(kind, request.Subject, request.Text, request.Html);
        if (errors.Count > 0) throw new ValidationException(errors);
        var template = new NotificationTemplate
        {
            TenantId = tenant.Id,
            Kind = kind,
            Subject = request.Subject!.Trim(),
            Text = request.Text!,
            Html = request.Html!,
            UpdatedAt = _time.GetUtcNow(),
        };
        await _templates.SaveAsync(template, cancellationToken);
        return View(template, kind);
    }

    /// <summary>Removes the tenant's template of a kind, back to the default (admins).</summary>
    public async Task<NotificationTemplateView> ResetTemplateAsync(Actor actor, string kindName, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var kind = ParseKind(kindName);
        await _templates.DeleteAsync(kind, cancellationToken);
        return View(null, kind);
    }

    /// <summary>The caller's preferences.</summary>
    public async Task<NotificationPreferences> GetPreferencesAsync(Actor actor, CancellationToken cancellationToken)
    {
        RequireTenant(actor);
        var optOuts = await _preferences.GetOptOutsAsync([actor.UserId], cancellationToken);
        return Preferences(optOuts.Select(o => o.Kind));
    }

    /// <summary>Replaces the caller's opt-outs. Only optional kinds can be refused; security and account mail always goes out.</summary>
    public async Task<NotificationPreferences> SetPreferencesAsync(Actor actor, UpdatePreferencesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireTenant(actor);
        if (request.OptedOut is null) throw new ValidationException("optedOut", "Give the list of kinds to refuse (may be empty).");
        var kinds = new HashSet<NotificationKind>();
        var problems = new List<string>();
        foreach (var name in request.OptedOut)
        {
            if (!NotificationKinds.TryParse(name, out var kind)) problems.Add($"Unknown notification kind '{name}'.");
            else if (!NotificationKinds.IsOptional(kind)) problems.Add($"'{NotificationKinds.Name(kind)}' is required and cannot be refused.");
            else kinds.Add(kind);
        }
        if (problems.Count > 0)
            throw new ValidationException("optedOut", $"{string.Join(" ", problems)} Optional kinds: {string.Join(", ", NotificationKinds.All.Where(NotificationKinds.IsOptional).Select(NotificationKinds.Name))}.");
        await _preferences.SetOptOutsAsync(actor.UserId, kinds, cancellationToken);
        return Preferences(kinds);
    }

    private static NotificationPreferences Preferences(IEnumerable<NotificationKind> optedOut)
        => new([.. optedOut.Distinct().Order().Select(NotificationKinds.Name)], [.. NotificationKinds.All.Where(NotificationKinds.IsOptional).Select(NotificationKinds.Name)]);

    private static NotificationKind ParseKind(string name)
        => NotificationKinds.TryParse(name, out var kind) ? kind : throw new NotFoundException("notification kind");

    private static NotificationTemplateView View(NotificationTemplate? custom, NotificationKind kind)
    {
        var template = custom ?? NotificationTemplates.Default(kind);
        return new NotificationTemplateView(NotificationKinds.Name(kind), template.Subject, template.Text, template.Html, custom is not null, NotificationTemplates.Placeholders(kind));
    }

    private TenantInfo RequireTenant(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var tenant = _tenant.Current?.Tenant ?? throw new InvalidOperationException("No tenant is set for this call.");
        if (tenant.Id != actor.TenantId) throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        return tenant;
    }

    private TenantInfo RequireAdmin(Actor actor)
    {
        var tenant = RequireTenant(actor);
        if (actor.Role != ActorRole.Admin) throw new ForbiddenException("Only admins can manage notifications.");
        return tenant;
    }
}
