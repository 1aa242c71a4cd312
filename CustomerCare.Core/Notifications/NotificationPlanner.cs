using System.Globalization;
using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Extensions.Options;

namespace CustomerCare.Notifications;

/// <summary>Someone a notification goes to.</summary>
internal sealed record Recipient(string UserId, string Address, string? Name);

/// <summary>
/// Decides who is told what when a change is made (DESIGN.md §6). A ticket change is saved with one
/// <see cref="OutboxActivity"/> built here, and the dispatcher has <see cref="PlanAsync"/> work out its
/// rows later; other notifications (staff accounts, a host's requests) are planned at once and saved
/// with their change. Nobody is told about their own action, except the
/// customer's acknowledgement of the ticket they raised; internal notes never reach customers;
/// opt-outs of optional kinds are honoured; one row per registered channel.
/// </summary>
internal sealed class NotificationPlanner(
    IStaffStore staff,
    ICustomerStore customers,
    INotificationPreferenceStore preferences,
    NotificationChannelNames channels,
    ITenantContextAccessor tenant,
    NotificationSignal signal,
    AdminRecipientCache admins,
    TimeProvider time,
    IOptions<CustomerCareOptions> options)
{
    private NotificationOptions Options => options.Value.Notifications;

    /// <summary>Whether any channel is registered; without one no notification is written.</summary>
    public bool Enabled => channels.Names.Count > 0;

    /// <summary>Wakes the in-process dispatcher after a commit that wrote notifications.</summary>
    public void Wake(IReadOnlyCollection<OutboxNotification> written)
    {
        if (written.Count > 0) signal.Wake();
    }

    /// <summary>Wakes the in-process dispatcher after a commit that wrote activities.</summary>
    public void Wake(IReadOnlyCollection<OutboxActivity> written)
    {
        if (written.Count > 0) signal.Wake();
    }

    /// <summary>A new ticket, raised by <paramref name="actor"/>; <paramref name="manualAssignment"/> when the tenant assigns by hand.</summary>
    public OutboxActivity? TicketCreated(Ticket ticket, Actor actor, bool manualAssignment)
        => Activity(TicketEventKind.Created, ticket, ActivitySnapshot.Of(ticket, actor) with { ManualAssignment = manualAssignment });

    /// <summary>An assignment by <paramref name="actor"/> (an admin or the engine); for a ticket being raised, the customer raising it.</summary>
    public OutboxActivity? Assigned(Ticket ticket, Actor actor, Actor? raisingCustomer = null)
        => ticket.AssigneeId is null ? null : Activity(TicketEventKind.Assigned, ticket, ActivitySnapshot.Of(ticket, actor) with { RaisingCustomer = raisingCustomer });

    /// <summary>A message posted by <paramref name="actor"/>.</summary>
    public OutboxActivity? MessagePosted(Ticket ticket, Actor actor, TicketMessage message)
        => Activity(TicketEventKind.MessagePosted, ticket, ActivitySnapshot.Of(ticket, actor) with
        {
            Message = new NotificationDataMessage(message.AuthorName, message.Body, message.Visibility == MessageVisibility.Internal),
        });

    /// <summary>Resolved, closed or reopened by <paramref name="actor"/>, from <paramref name="from"/>.</summary>
    public OutboxActivity? StatusChanged(Ticket ticket, Actor actor, TicketStatus from)
        => Activity(TicketEventKind.StatusChanged, ticket, ActivitySnapshot.Of(ticket, actor) with { FromStatus = from });

    private OutboxActivity? Activity(TicketEventKind kind, Ticket ticket, ActivitySnapshot snapshot) => !Enabled ? null : new OutboxActivity
    {
        TenantId = tenant.Current?.TenantId ?? throw new InvalidOperationException("No tenant is set for this call."),
        Kind = kind,
        TicketId = ticket.Id,
        TicketReference = ticket.Reference is { Length: > 0 } reference ? reference : null,
        DataJson = snapshot.ToJson(),
        CreatedAt = time.GetUtcNow(),
    };

    /// <summary>
    /// Works out an activity's notifications (run by the dispatcher in the activity's tenant): who is told, with the
    /// ticket's fields as they were at the change, dated from the change.
    /// </summary>
    public async Task<List<OutboxNotification>> PlanAsync(OutboxActivity activity, CancellationToken cancellationToken)
    {
        if (!Enabled) return [];
        var snapshot = ActivitySnapshot.Parse(activity.DataJson);
        var ticket = snapshot.ToTicket(activity);
        var now = activity.CreatedAt;
        return activity.Kind switch
        {
            TicketEventKind.Created => await TicketCreatedAsync(ticket, snapshot.Actor, snapshot.ManualAssignment, now, cancellationToken),
            TicketEventKind.Assigned => await AssignedAsync(ticket, snapshot.Actor, snapshot.RaisingCustomer, now, cancellationToken),
            TicketEventKind.MessagePosted when snapshot.Message is { } message => await MessagePostedAsync(ticket, snapshot.Actor, message, now, cancellationToken),
            TicketEventKind.StatusChanged when snapshot.FromStatus is { } from => await StatusChangedAsync(ticket, snapshot.Actor, from, now, cancellationToken),
            _ => throw new InvalidOperationException($"Activity {activity.Id} ({activity.Kind}) has nothing to notify."),
        };
    }

    /// <summary>A new ticket: the customer's acknowledgement; the admins when the tenant assigns by hand (an automatic assignment tells the agent instead).</summary>
    private async Task<List<OutboxNotification>> TicketCreatedAsync(Ticket ticket, Actor actor, bool manualAssignment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        var values = TicketValues(ticket, actor);
        if (await CustomerAsync(ticket, actor, cancellationToken) is { } customer)
            await AddAsync(result, NotificationKind.TicketReceived, customer, ticket, values, null, now, cancellationToken);
        if (manualAssignment)
        {
            foreach (var admin in await AdminsAsync(cancellationToken))
                if (admin.UserId != actor.UserId) await AddAsync(result, NotificationKind.TicketCreated, admin, ticket, values, null, now, cancellationToken);
        }
        return result;
    }

    /// <summary>An assignment (by an admin or the assignment engine): the agent and the customer.</summary>
    private async Task<List<OutboxNotification>> AssignedAsync(Ticket ticket, Actor actor, Actor? raisingCustomer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        if (ticket.AssigneeId is null) return result;
        var values = TicketValues(ticket, actor);
        values["agent.name"] = ticket.AssigneeName ?? "";
        if (ticket.AssigneeId != actor.UserId && await StaffAsync(ticket.AssigneeId, cancellationToken) is { } agent)
            await AddAsync(result, NotificationKind.TicketAssigned, agent, ticket, values, null, now, cancellationToken);
        if (ticket.CustomerId != actor.UserId && await CustomerAsync(ticket, raisingCustomer ?? actor, cancellationToken) is { } customer)
            await AddAsync(result, NotificationKind.TicketAssigned, customer, ticket, values, null, now, cancellationToken);
        return result;
    }

    /// <summary>
    /// A message: the other side. A customer's message goes to the assigned agent (the admins while
    /// nobody is assigned); a staff reply goes to the customer, and to the assigned agent when someone
    /// else replied. Internal notes go to the assigned agent only. Bursts are batched per recipient.
    /// </summary>
    private async Task<List<OutboxNotification>> MessagePostedAsync(Ticket ticket, Actor actor, NotificationDataMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        var recipients = new List<Recipient>();
        if (!message.Internal && actor.IsStaff && await CustomerAsync(ticket, actor, cancellationToken) is { } customer)
            recipients.Add(customer);
        if (ticket.AssigneeId is { } assignee)
        {
            if (assignee != actor.UserId && await StaffAsync(assignee, cancellationToken) is { } agent) recipients.Add(agent);
        }
        else if (actor.Role == ActorRole.Customer)
        {
            recipients.AddRange((await AdminsAsync(cancellationToken)).Where(a => a.UserId != actor.UserId));
        }
        if (recipients.Count == 0) return result;

        var values = TicketValues(ticket, actor);
        var data = new NotificationData { Values = values, Messages = [message] };
        var window = Options.MessageBatchWindow;
        foreach (var recipient in recipients.DistinctBy(r => r.UserId))
        {
            var key = window > TimeSpan.Zero ? $"{NotificationKinds.Name(NotificationKind.MessagePosted)}:{ticket.Id:N}:{recipient.UserId}" : null;
            await AddAsync(result, NotificationKind.MessagePosted, recipient, ticket, data, key, now, cancellationToken, delay: window);
        }
        return result;
    }

    /// <summary>Resolved, closed or reopened: the customer and the assigned agent, except whoever did it.</summary>
    private async Task<List<OutboxNotification>> StatusChangedAsync(Ticket ticket, Actor actor, TicketStatus from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        var values = TicketValues(ticket, actor);
        values["status.from"] = Lower(from);
        values["status.to"] = Lower(ticket.Status);
        if (ticket.CustomerId != actor.UserId && await CustomerAsync(ticket, actor, cancellationToken) is { } customer)
            await AddAsync(result, NotificationKind.TicketStatusChanged, customer, ticket, values, null, now, cancellationToken);
        if (ticket.AssigneeId is { } assignee && assignee != actor.UserId && await StaffAsync(assignee, cancellationToken) is { } agent)
            await AddAsync(result, NotificationKind.TicketStatusChanged, agent, ticket, values, null, now, cancellationToken);
        return result;
    }

    /// <summary>A staff account was created (or re-activated): tells the new member.</summary>
    public async Task<List<OutboxNotification>> StaffAccountCreatedAsync(StaffMember member, Actor actor, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        if (!Enabled) return result;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["account.role"] = member.Role == ActorRole.Admin ? "an admin" : "an agent",
            ["actor.name"] = actor.DisplayName,
        };
        await AddAsync(result, NotificationKind.StaffAccountCreated, new Recipient(member.UserId, member.Email, member.DisplayName), null, values, null, time.GetUtcNow(), cancellationToken);
        return result;
    }

    /// <summary>A notification a host asks for (password reset, new device, …).</summary>
    public async Task<List<OutboxNotification>> RequestedAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        var result = new List<OutboxNotification>();
        if (!Enabled) return result;
        var values = new Dictionary<string, string>(request.Values ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var recipient = new Recipient(request.RecipientUserId, request.RecipientAddress, request.RecipientName);
        var now = time.GetUtcNow();
        if (NotificationKinds.IsOptional(request.Kind) && (await OptedOutAsync([recipient.UserId], cancellationToken)).Contains((recipient.UserId, request.Kind)))
            return result;
        foreach (var channel in channels.Names)
            result.Add(Row(request.Kind, channel, recipient, request.TicketId, request.TicketReference, new NotificationData { Values = values }.ToJson(), null, now, now));
        return result;
    }

    private async Task AddAsync(List<OutboxNotification> result, NotificationKind kind, Recipient recipient, Ticket? ticket,
        Dictionary<string, string> values, string? coalesceKey, DateTimeOffset now, CancellationToken cancellationToken)
        => await AddAsync(result, kind, recipient, ticket, new NotificationData { Values = values }, coalesceKey, now, cancellationToken, TimeSpan.Zero);

    private async Task AddAsync(List<OutboxNotification> result, NotificationKind kind, Recipient recipient, Ticket? ticket,
        NotificationData data, string? coalesceKey, DateTimeOffset now, CancellationToken cancellationToken, TimeSpan delay)
    {
        if (string.IsNullOrWhiteSpace(recipient.Address)) return;
        if (NotificationKinds.IsOptional(kind) && (await OptedOutAsync([recipient.UserId], cancellationToken)).Contains((recipient.UserId, kind)))
            return;
        var json = data.ToJson();
        foreach (var channel in channels.Names)
        {
            // The rows of one change share its time; a tick apiece keeps them (and their delivery) in the order planned.
            var at = now + TimeSpan.FromTicks(result.Count);
            result.Add(Row(kind, channel, recipient, ticket?.Id, ticket?.Reference is { Length: > 0 } r ? r : null, json,
                coalesceKey is null ? null : $"{channel}:{coalesceKey}", at, at + delay));
        }
    }

    private OutboxNotification Row(NotificationKind kind, string channel, Recipient recipient, Guid? ticketId, string? reference, string json, string? coalesceKey, DateTimeOffset now, DateTimeOffset due)
        => new()
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Current?.TenantId ?? throw new InvalidOperationException("No tenant is set for this call."),
            Kind = kind,
            Channel = channel,
            RecipientUserId = recipient.UserId,
            RecipientAddress = recipient.Address,
            RecipientName = recipient.Name,
            TicketId = ticketId,
            TicketReference = reference,
            DataJson = json,
            CoalesceKey = coalesceKey,
            Status = NotificationStatus.Pending,
            NextAttemptAt = due,
            CreatedAt = now,
        };

    private async Task<HashSet<(string, NotificationKind)>> OptedOutAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        => [.. (await preferences.GetOptOutsAsync(userIds, cancellationToken)).Select(o => (o.UserId, o.Kind))];

    private async Task<Recipient?> CustomerAsync(Ticket ticket, Actor actor, CancellationToken cancellationToken)
    {
        if (ticket.CustomerId == actor.UserId && actor.Role == ActorRole.Customer)
            return string.IsNullOrWhiteSpace(actor.Email) ? null : new Recipient(actor.UserId, actor.Email, actor.DisplayName);
        var profile = await customers.FindAsync(ticket.CustomerId, cancellationToken);
        return profile is { ErasedAt: null, Email: { Length: > 0 } email } ? new Recipient(profile.UserId, email, profile.DisplayName) : null;
    }

    private async Task<Recipient?> StaffAsync(string userId, CancellationToken cancellationToken)
    {
        var member = await staff.FindAsync(userId, cancellationToken);
        return member is { IsActive: true, Email.Length: > 0 } ? new Recipient(member.UserId, member.Email, member.DisplayName) : null;
    }

    /// <summary>The tenant's active admins, read through a short-lived cache (every new ticket needs them).</summary>
    private async Task<IReadOnlyList<Recipient>> AdminsAsync(CancellationToken cancellationToken)
    {
        var tenantId = tenant.Current?.TenantId ?? throw new InvalidOperationException("No tenant is set for this call.");
        if (admins.TryGet(tenantId, out var cached)) return cached;
        var version = admins.Version;
        IReadOnlyList<Recipient> list = [.. (await staff.ListAsync(activeOnly: true, cancellationToken))
            .Where(s => s.Role == ActorRole.Admin && s.Email.Length > 0)
            .Select(s => new Recipient(s.UserId, s.Email, s.DisplayName))];
        admins.Set(tenantId, list, version);
        return list;
    }

    /// <summary>Forgets the cached admins of the current tenant (staff were added, changed or removed here).</summary>
    public void StaffChanged()
    {
        if (tenant.Current?.TenantId is { } tenantId) admins.Invalidate(tenantId);
    }

    private static Dictionary<string, string> TicketValues(Ticket ticket, Actor actor) => new(StringComparer.Ordinal)
    {
        ["ticket.subject"] = ticket.Subject,
        ["ticket.status"] = Lower(ticket.Status),
        ["ticket.priority"] = Lower(ticket.Priority),
        ["customer.name"] = ticket.CustomerName,
        ["actor.name"] = actor.DisplayName,
    };

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLower(CultureInfo.InvariantCulture);
}

/// <summary>
/// Each tenant's admin recipients for <see cref="NotificationOptions.AdminRecipientCacheDuration"/>, so that raising
/// a ticket does not read the staff directory every time. Staff changes made through this host clear it at once;
/// changes made on another host instance are seen when the entry expires.
/// </summary>
internal sealed class AdminRecipientCache(TimeProvider time, IOptions<CustomerCareOptions> options)
{
    private readonly Caching.ExpiringCache<string, IReadOnlyList<Recipient>> _entries = new(time, maxEntries: 100_000, StringComparer.Ordinal);

    public long Version => _entries.Version;

    public bool TryGet(string tenantId, out IReadOnlyList<Recipient> admins) => _entries.TryGet(tenantId, out admins);

    public void Set(string tenantId, IReadOnlyList<Recipient> admins, long versionBeforeRead)
        => _entries.Set(tenantId, admins, options.Value.Notifications.AdminRecipientCacheDuration, versionBeforeRead);

    public void Invalidate(string tenantId) => _entries.Remove(tenantId);
}

/// <summary>The names of the registered channels, read once.</summary>
internal sealed class NotificationChannelNames(IEnumerable<INotificationChannel> channels)
{
    public IReadOnlyList<string> Names { get; } = [.. channels.Select(c => c.Name).Distinct(StringComparer.Ordinal)];
}

/// <summary>Wakes the in-process dispatcher when notifications were written, so they go out without waiting for the next poll.</summary>
public sealed class NotificationSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Wakes a waiting dispatcher (or the next one to wait).</summary>
    public void Wake()
    {
        try
        {
            if (_semaphore.CurrentCount == 0) _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Waits until woken or until <paramref name="timeout"/> passes. Returns whether it was woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
