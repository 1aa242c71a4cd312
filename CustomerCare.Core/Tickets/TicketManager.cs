using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Customers;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Staff;
using Microsoft.Extensions.Options;

namespace CustomerCare.Tickets;

/// <summary>
/// Raises, reads and changes tickets, enforcing the lifecycle and the authorization table for every
/// front end (HTTP, real-time hub, a host's own code).
/// </summary>
public sealed class TicketManager
{
    private const int MaxConcurrencyRetries = 5;
    private const int MaxIdempotencyKeyLength = 200;

    private readonly ITicketStore _tickets;
    private readonly IStaffStore _staff;
    private readonly ICustomerStore _customers;
    private readonly ITenantContextAccessor _tenant;
    private readonly AssignmentEngine _assignment;
    private readonly NotifierDispatcher _notifier;
    private readonly NotificationPlanner _planner;
    private readonly TimeProvider _time;
    private readonly CustomerCareOptions _options;

    internal TicketManager(
        ITicketStore tickets,
        IStaffStore staff,
        ICustomerStore customers,
        ITenantContextAccessor tenant,
        AssignmentEngine assignment,
        NotifierDispatcher notifier,
        NotificationPlanner planner,
        TimeProvider time,
        IOptions<CustomerCareOptions> options)
    {
        _planner = planner;
        _tickets = tickets;
        _staff = staff;
        _customers = customers;
        _tenant = tenant;
        _assignment = assignment;
        _notifier = notifier;
        _time = time;
        _options = options.Value;
    }

    /// <summary>Raises a ticket. With an idempotency key, a replay returns the ticket created the first time.</summary>
    public async Task<IdempotentResult<Ticket>> CreateAsync(Actor actor, CreateTicketRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = RequireTenant(actor);
        if (actor.Role == ActorRole.Agent)
            throw new ForbiddenException("Agents cannot raise tickets; a customer or an admin can.");

        // The fingerprint is only compared with a stored request of the same key: without a key there is nothing to hash.
        var requestHash = idempotencyKey is null ? "" : Hash(request with { Channel = TicketChannel.Api });
        var replay = await FindReplayAsync(actor, idempotencyKey, requestHash, cancellationToken);
        if (replay is not null)
        {
            var existing = await _tickets.FindAsync(replay.TicketId, cancellationToken) ?? throw new NotFoundException("ticket");
            return new(existing, true);
        }

        var errors = new Dictionary<string, string[]>();
        var subject = Required(errors, "subject", request.Subject, _options.Tickets.SubjectMaxLength);
        var description = Required(errors, "description", request.Description, _options.Tickets.DescriptionMaxLength);
        var settings = tenant.Settings;
        var category = string.IsNullOrWhiteSpace(request.Category) ? null : request.Category.Trim();
        if (category is not null)
        {
            if (category.Length > 100) errors["category"] = ["Category must be at most 100 characters."];
            else if (settings.Categories.Count > 0 && !settings.Categories.Contains(category, StringComparer.OrdinalIgnoreCase))
                errors["category"] = [$"Unknown category. Use one of: {string.Join(", ", settings.Categories)}."];
            else category = settings.Categories.FirstOrDefault(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase)) ?? category;
        }
        if (request.Priority is { } p && !Enum.IsDefined(p)) errors["priority"] = ["Unknown priority."];
        var customFields = ValidateCustomFields(errors, settings, request.CustomFields);

        var customerId = actor.UserId;
        var customerName = actor.DisplayName;
        if (request.CustomerId is not null)
        {
            if (actor.Role != ActorRole.Admin)
                errors["customerId"] = ["Only an admin can raise a ticket on behalf of a customer."];
            else
            {
                var customer = await _customers.FindAsync(request.CustomerId, cancellationToken);
                if (customer is null || customer.ErasedAt is not null) errors["customerId"] = ["No such customer in this tenant."];
                else { customerId = customer.UserId; customerName = customer.DisplayName; }
            }
        }
        if (errors.Count > 0) throw new ValidationException(errors);

        var now = _time.GetUtcNow();
        var ticket = new Ticket
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenant.Id,
            Subject = subject!,
            Description = description!,
            Status = TicketStatus.New,
            Priority = request.Priority ?? TicketPriority.Normal,
            Category = category,
            CustomFields = customFields,
            CustomerId = customerId,
            CustomerName = customerName,
            Channel = request.Channel,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };

        var changes = new TicketChangeSet
        {
            Ticket = ticket,
            IsNew = true,
            ReferencePrefix = settings.TicketPrefix,
            Idempotency = Record(actor, idempotencyKey, requestHash, ticket.Id, null, now),
        };
        changes.Events.Add(Event(ticket, TicketEventKind.Created, actor.UserId, now, toStatus: TicketStatus.New));
        var manual = string.Equals(settings.AssignmentStrategy, ManualAssignmentStrategy.StrategyName, StringComparison.OrdinalIgnoreCase)
                     || _assignment.FindStrategy(settings.AssignmentStrategy) is null;
        if (_planner.TicketCreated(ticket, actor, manual) is { } created) changes.Activities.Add(created);

        KeepEventOrder(changes.Events);
        IReadOnlyList<Ticket> assigned;
        try
        {
            assigned = await _assignment.SaveAndDrainAsync(ticket, changes, actor, () => _tickets.SaveAsync(changes, cancellationToken), cancellationToken);
        }
        catch (DuplicateRequestException)
        {
            // A concurrent request with the same key won the race: answer with its ticket.
            var winner = await FindReplayAsync(actor, idempotencyKey, requestHash, cancellationToken) ?? throw new IdempotencyKeyReusedException();
            return new(await _tickets.FindAsync(winner.TicketId, cancellationToken) ?? throw new NotFoundException("ticket"), true);
        }
        _planner.Wake(changes.Activities);

        await _notifier.PublishAsync(new TicketActivity(TicketEventKind.Created, ticket, actor), cancellationToken);
        await PublishAssignedAsync(actor, assigned, cancellationToken);
        return new(assigned.FirstOrDefault(t => t.Id == ticket.Id) ?? ticket, false);
    }

    /// <summary>Gets a ticket the actor may see; otherwise <see cref="NotFoundException"/>.</summary>
    public async Task<Ticket> GetAsync(Actor actor, Guid ticketId, CancellationToken cancellationToken)
    {
        var tenant = RequireTenant(actor);
        var ticket = await _tickets.FindAsync(ticketId, cancellationToken);
        if (ticket is null || ticket.TenantId != tenant.Id || !TicketRules.CanSee(actor, ticket, tenant.Settings))
            throw new NotFoundException("ticket");
        return ticket;
    }

    /// <summary>Lists the tickets the actor may see, newest first, keyset-paged.</summary>
    public async Task<TicketPage> ListAsync(Actor actor, TicketListRequest request, CancellationToken cancellationToken)
    {
        var tenant = RequireTenant(actor);
        var errors = new Dictionary<string, string[]>();
        var limit = request.Limit ?? _options.Tickets.DefaultPageSize;
        if (limit < 1 || limit > _options.Tickets.MaxPageSize)
            errors["limit"] = [$"Limit must be between 1 and {_options.Tickets.MaxPageSize}."];
        long? before = null;
        if (!string.IsNullOrEmpty(request.Cursor))
        {
            if (long.TryParse(request.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) before = n;
            else errors["cursor"] = ["The cursor is not valid; use a nextCursor from a previous page."];
        }
        if (request.Text is { Length: > 200 }) errors["q"] = ["Search text must be at most 200 characters."];
        if (request.Category is { Length: > 100 }) errors["category"] = ["Category must be at most 100 characters."];
        if (request.Assignee is { Length: > 200 }) errors["assignee"] = ["Assignee must be at most 200 characters."];
        if (errors.Count > 0) throw new ValidationException(errors);

        var assignee = request.Assignee;
        var query = new TicketQuery
        {
            Statuses = request.Statuses is { Count: > 0 } ? request.Statuses : null,
            Priority = request.Priority,
            // Categories are stored in the tenant's spelling; match them the way creation does.
            Category = string.IsNullOrWhiteSpace(request.Category) ? null
                : tenant.Settings.Categories.FirstOrDefault(c => string.Equals(c, request.Category.Trim(), StringComparison.OrdinalIgnoreCase)) ?? request.Category.Trim(),
            AssigneeId = assignee is null or "none" ? null : assignee == "me" ? actor.UserId : assignee,
            Unassigned = assignee == "none",
            CustomerId = actor.Role == ActorRole.Customer ? actor.UserId : null,
            VisibleToAgentId = actor.Role == ActorRole.Agent ? actor.UserId : null,
            IncludeUnassignedForAgent = tenant.Settings.AgentsSeeUnassigned,
            Text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim(),
            BeforeNumber = before,
            Limit = limit + 1,
        };
        var rows = await _tickets.QueryAsync(query, cancellationToken);
        var items = rows.Count > limit ? rows.Take(limit).ToList() : rows;
        var next = rows.Count > limit ? items[^1].Number.ToString(CultureInfo.InvariantCulture) : null;
        return new TicketPage(items, next);
    }

    /// <summary>Posts a message on a ticket the actor may see. With a client key, a replay returns the stored message.</summary>
    public async Task<IdempotentResult<TicketMessage>> PostMessageAsync(Actor actor, Guid ticketId, PostMessageRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestHash = idempotencyKey is null ? "" : Hash(new { ticketId, request.Body, request.Visibility });
        var replay = await FindReplayAsync(actor, idempotencyKey, requestHash, cancellationToken);
        if (replay?.MessageId is { } replayedId)
        {
            await GetAsync(actor, ticketId, cancellationToken);
            return new(await _tickets.FindMessageAsync(replayedId, cancellationToken) ?? throw new NotFoundException("message"), true);
        }

        var visibility = request.Visibility ?? MessageVisibility.Public;
        TicketMessage? message = null;
        TicketStatus? fromStatus = null;
        Ticket updated;
        try
        {
            updated = await MutateAsync(actor, ticketId, null, (ticket, changes, now) =>
            {
                if (visibility == MessageVisibility.Internal)
                {
                    if (!TicketRules.CanPostInternal(actor, ticket))
                        throw new ForbiddenException(actor.IsStaff ? "Only the assigned agent or an admin can add internal notes." : "Customers cannot post internal notes.");
                }
                else if (!TicketRules.CanPostPublic(actor, ticket))
                    throw new ForbiddenException("Only the assigned agent or an admin can reply to this ticket.");
                var errors = new Dictionary<string, string[]>();
                var body = Required(errors, "body", request.Body, _options.Tickets.MessageMaxLength);
                if (!Enum.IsDefined(visibility)) errors["visibility"] = ["Unknown visibility."];
                if (errors.Count > 0) throw new ValidationException(errors);
                if (ticket.Status == TicketStatus.Closed)
                    throw new ConflictException("ticket-closed", "The ticket is closed; chats are disabled. Reopen it to continue.");

                fromStatus = ticket.Status;
                if (visibility == MessageVisibility.Public)
                {
                    if (actor.Role == ActorRole.Customer && ticket.Status is TicketStatus.Pending or TicketStatus.Resolved)
                        ticket.Status = ticket.AssigneeId is null ? TicketStatus.New : TicketStatus.Open;
                    else if (actor.IsStaff && ticket.Status == TicketStatus.Open)
                        ticket.Status = TicketStatus.Pending;
                    if (actor.IsStaff) ticket.FirstResponseAt ??= now;
                }

                ticket.MessageCount++;
                message = new TicketMessage
                {
                    Id = Guid.CreateVersion7(now),
                    TenantId = ticket.TenantId,
                    TicketId = ticket.Id,
                    Sequence = ticket.MessageCount,
                    AuthorId = actor.UserId,
                    AuthorName = actor.DisplayName,
                    AuthorRole = actor.Role,
                    Body = body!,
                    Visibility = visibility,
                    CreatedAt = now,
                };
                changes.Events.Add(Event(ticket, TicketEventKind.MessagePosted, actor.UserId, now, detail: visibility == MessageVisibility.Internal ? "internal" : "public"));
                if (ticket.Status != fromStatus)
                    changes.Events.Add(Event(ticket, TicketEventKind.StatusChanged, actor.UserId, now, fromStatus: fromStatus, toStatus: ticket.Status));
                return (message, Record(actor, idempotencyKey, requestHash, ticket.Id, message.Id, now));
            }, cancellationToken, ticket => _planner.MessagePosted(ticket, actor, message!));
        }
        catch (DuplicateRequestException)
        {
            var winner = await FindReplayAsync(actor, idempotencyKey, requestHash, cancellationToken);
            if (winner?.MessageId is not { } winnerId) throw new IdempotencyKeyReusedException();
            return new(await _tickets.FindMessageAsync(winnerId, cancellationToken) ?? throw new NotFoundException("message"), true);
        }

        await _notifier.PublishAsync(new TicketActivity(TicketEventKind.MessagePosted, updated, actor, message), cancellationToken);
        if (updated.Status != fromStatus)
        {
            await _notifier.PublishAsync(new TicketActivity(TicketEventKind.StatusChanged, updated, actor, FromStatus: fromStatus), cancellationToken);
            if (updated.Status == TicketStatus.New) await DrainQueueAsync(actor, cancellationToken);
        }
        return new(message!, false);
    }

    /// <summary>Messages of a visible ticket after a sequence cursor, oldest first; internal notes only for staff.</summary>
    public async Task<IReadOnlyList<TicketMessage>> GetMessagesAsync(Actor actor, Guid ticketId, int? after, int? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? _options.Tickets.MaxPageSize;
        if (take < 1 || take > _options.Tickets.MaxPageSize) errors["limit"] = [$"Limit must be between 1 and {_options.Tickets.MaxPageSize}."];
        if (after is < 0) errors["after"] = ["After must be zero or a message sequence number."];
        if (errors.Count > 0) throw new ValidationException(errors);
        await GetAsync(actor, ticketId, cancellationToken);
        return await _tickets.GetMessagesAsync(ticketId, after ?? 0, take, TicketRules.CanSeeInternal(actor), cancellationToken);
    }

    /// <summary>The audit trail of a visible ticket, oldest first. Customers do not see internal-note entries.</summary>
    public async Task<IReadOnlyList<TicketEvent>> GetEventsAsync(Actor actor, Guid ticketId, CancellationToken cancellationToken)
    {
        await GetAsync(actor, ticketId, cancellationToken);
        var events = await _tickets.GetEventsAsync(ticketId, cancellationToken);
        return actor.IsStaff ? events : [.. events.Where(e => !(e.Kind == TicketEventKind.MessagePosted && e.Detail == "internal"))];
    }

    /// <summary>Assigns the ticket to an active agent or admin, or unassigns it (<paramref name="agentId"/> <c>null</c>).</summary>
    public async Task<Ticket> AssignAsync(Actor actor, Guid ticketId, string? agentId, long? expectedVersion, CancellationToken cancellationToken)
    {
        StaffMember? agent = null;
        if (agentId is not null)
        {
            if (agentId.Length is 0 or > 200) throw new ValidationException("agentId", "Give the user id of an active agent, or null to unassign.");
            agent = await _staff.FindAsync(agentId, cancellationToken);
        }
        string? previous = null;
        TicketStatus? fromStatus = null;
        var ticket = await MutateAsync(actor, ticketId, expectedVersion, (t, changes, now) =>
        {
            var tenant = RequireTenant(actor);
            if (!TicketRules.CanAssign(actor, t, agentId, tenant.Settings))
                throw new ForbiddenException("Only an admin can assign tickets.");
            if (agentId is not null && (agent is null || !agent.IsActive))
                throw new ValidationException("agentId", "No active agent with this id in this tenant.");
            if (t.Status is TicketStatus.Resolved or TicketStatus.Closed)
                throw new ConflictException("invalid-transition", $"A {Lower(t.Status)} ticket cannot be assigned; reopen it first.");
            if (t.AssigneeId == agentId)
                throw new ConflictException("already-assigned", agentId is null ? "The ticket is already unassigned." : "The ticket is already assigned to this agent.");

            previous = t.AssigneeId;
            fromStatus = t.Status;
            t.AssigneeId = agent?.UserId;
            t.AssigneeName = agent?.DisplayName;
            if (agent is null) t.Status = TicketStatus.New;
            else if (t.Status == TicketStatus.New) t.Status = TicketStatus.Open;
            changes.Events.Add(Event(t, TicketEventKind.Assigned, actor.UserId, now, assigneeId: t.AssigneeId, fromStatus: fromStatus, toStatus: t.Status,
                detail: agent is null ? "unassigned" : previous is null ? "assigned" : "reassigned"));
            return (null, null);
        }, cancellationToken, t => _planner.Assigned(t, actor));
        await _notifier.PublishAsync(new TicketActivity(TicketEventKind.Assigned, ticket, actor, FromStatus: fromStatus, PreviousAssigneeId: previous), cancellationToken);
        if (agentId is null) await DrainQueueAsync(actor, cancellationToken);
        return ticket;
    }

    /// <summary>Marks the ticket resolved (assigned agent or admin).</summary>
    public Task<Ticket> ResolveAsync(Actor actor, Guid ticketId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeStatusAsync(actor, ticketId, expectedVersion, TicketStatus.Resolved, cancellationToken);

    /// <summary>Closes the ticket (its customer or an admin). Closed tickets accept no messages.</summary>
    public Task<Ticket> CloseAsync(Actor actor, Guid ticketId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeStatusAsync(actor, ticketId, expectedVersion, TicketStatus.Closed, cancellationToken);

    /// <summary>Reopens a resolved or closed ticket within the reopen window (its customer or an admin).</summary>
    public Task<Ticket> ReopenAsync(Actor actor, Guid ticketId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeStatusAsync(actor, ticketId, expectedVersion, TicketStatus.Open, cancellationToken);

    private async Task<Ticket> ChangeStatusAsync(Actor actor, Guid ticketId, long? expectedVersion, TicketStatus target, CancellationToken cancellationToken)
    {
        TicketStatus from = default;
        var ticket = await MutateAsync(actor, ticketId, expectedVersion, (t, changes, now) =>
        {
            from = t.Status;
            switch (target)
            {
                case TicketStatus.Resolved:
                    if (!TicketRules.CanResolve(actor, t)) throw new ForbiddenException("Only the assigned agent or an admin can resolve this ticket.");
                    if (t.Status is TicketStatus.Resolved or TicketStatus.Closed)
                        throw new ConflictException("invalid-transition", $"A {Lower(t.Status)} ticket cannot be resolved.");
                    t.Status = TicketStatus.Resolved;
                    t.ResolvedAt = now;
                    break;
                case TicketStatus.Closed:
                    if (!TicketRules.CanCloseOrReopen(actor, t)) throw new ForbiddenException("Only the customer who raised the ticket or an admin can close it.");
                    if (t.Status == TicketStatus.Closed) throw new ConflictException("invalid-transition", "The ticket is already closed.");
                    t.Status = TicketStatus.Closed;
                    t.ClosedAt = now;
                    break;
                default:
                    if (!TicketRules.CanCloseOrReopen(actor, t)) throw new ForbiddenException("Only the customer who raised the ticket or an admin can reopen it.");
                    if (t.Status is not (TicketStatus.Resolved or TicketStatus.Closed))
                        throw new ConflictException("invalid-transition", $"Only a resolved or closed ticket can be reopened; this one is {Lower(t.Status)}.");
                    var since = t.Status == TicketStatus.Closed ? t.ClosedAt : t.ResolvedAt;
                    var window = RequireTenant(actor).Settings.ReopenWindow ?? _options.Tickets.ReopenWindow;
                    if (since is { } s && now - s > window)
                        throw new ConflictException("reopen-window-passed", $"The ticket can only be reopened within {window.TotalDays:0.#} days; raise a new ticket instead.");
                    t.Status = t.AssigneeId is null ? TicketStatus.New : TicketStatus.Open;
                    break;
            }
            changes.Events.Add(Event(t, TicketEventKind.StatusChanged, actor.UserId, now, fromStatus: from, toStatus: t.Status));
            return (null, null);
        }, cancellationToken, t => _planner.StatusChanged(t, actor, from));
        await _notifier.PublishAsync(new TicketActivity(TicketEventKind.StatusChanged, ticket, actor, FromStatus: from), cancellationToken);
        // Resolving or closing frees capacity; reopening may put the ticket back in the queue.
        var assigned = await DrainQueueAsync(actor, cancellationToken);
        return assigned.FirstOrDefault(t => t.Id == ticket.Id) ?? ticket;
    }

    /// <summary>Runs automatic assignment (when the tenant uses it) and tells notifiers about each assignment.</summary>
    internal async Task<IReadOnlyList<Ticket>> DrainQueueAsync(Actor trigger, CancellationToken cancellationToken)
    {
        var assigned = await _assignment.DrainAsync(cancellationToken);
        await PublishAssignedAsync(trigger, assigned, cancellationToken);
        return assigned;
    }

    private async Task PublishAssignedAsync(Actor trigger, IReadOnlyList<Ticket> assigned, CancellationToken cancellationToken)
    {
        if (assigned.Count == 0) return;
        var system = new Actor(trigger.TenantId, "system", ActorRole.Admin, "Automatic assignment", null);
        foreach (var ticket in assigned)
            await _notifier.PublishAsync(new TicketActivity(TicketEventKind.Assigned, ticket, system, FromStatus: TicketStatus.New), cancellationToken);
    }

    /// <summary>Loads a visible ticket, applies a change and saves it, retrying on concurrent changes unless the caller pinned a version.</summary>
    private async Task<Ticket> MutateAsync(
        Actor actor,
        Guid ticketId,
        long? expectedVersion,
        Func<Ticket, TicketChangeSet, DateTimeOffset, (TicketMessage? Message, IdempotencyRecord? Record)> apply,
        CancellationToken cancellationToken,
        Func<Ticket, OutboxActivity?>? notify = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ticket = await GetAsync(actor, ticketId, cancellationToken);
            if (expectedVersion is { } expected && ticket.Version != expected)
                throw new PreconditionFailedException(ticket.Version);

            var readVersion = ticket.Version;
            var now = _time.GetUtcNow();
            var events = new TicketChangeSet { Ticket = ticket };
            var (message, record) = apply(ticket, events, now);
            ticket.UpdatedAt = now;
            ticket.Version = readVersion + 1;
            var changes = new TicketChangeSet { Ticket = ticket, ExpectedVersion = readVersion, Message = message, Idempotency = record };
            changes.Events.AddRange(events.Events);
            KeepEventOrder(changes.Events);
            if (notify?.Invoke(ticket) is { } activity) changes.Activities.Add(activity);
            try
            {
                await _tickets.SaveAsync(changes, cancellationToken);
                _planner.Wake(changes.Activities);
                return ticket;
            }
            catch (ConcurrencyConflictException) when (expectedVersion is null && attempt < MaxConcurrencyRetries)
            {
                // Someone else changed the ticket between our read and write: read it again and re-apply.
            }
            catch (ConcurrencyConflictException) when (expectedVersion is not null)
            {
                var current = await _tickets.FindAsync(ticketId, cancellationToken);
                throw new PreconditionFailedException(current?.Version ?? readVersion + 1);
            }
        }
    }

    private TenantInfo RequireTenant(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var context = _tenant.Current ?? throw new InvalidOperationException(
            "No tenant is set for this call. Resolve a tenant first (app.UseCustomerCareTenancy()) or set one with ITenantContextSetter.BeginScope.");
        if (!string.Equals(context.TenantId, actor.TenantId, StringComparison.Ordinal))
            throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        return context.Tenant;
    }

    private async Task<IdempotencyRecord?> FindReplayAsync(Actor actor, string? key, string requestHash, CancellationToken cancellationToken)
    {
        if (key is null) return null;
        if (key.Length is 0 or > MaxIdempotencyKeyLength)
            throw new ValidationException("Idempotency-Key", $"The idempotency key must be 1 to {MaxIdempotencyKeyLength} characters.");
        var record = await _tickets.FindIdempotencyRecordAsync(actor.UserId, key, cancellationToken);
        if (record is null) return null;
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal)) throw new IdempotencyKeyReusedException();
        return record;
    }

    private static IdempotencyRecord? Record(Actor actor, string? key, string hash, Guid ticketId, Guid? messageId, DateTimeOffset now)
        => key is null ? null : new IdempotencyRecord
        {
            TenantId = actor.TenantId,
            UserId = actor.UserId,
            Key = key,
            RequestHash = hash,
            TicketId = ticketId,
            MessageId = messageId,
            CreatedAt = now,
        };

    private static string Hash<T>(T value)
        => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))));

    private static void KeepEventOrder(List<TicketEvent> events) => TicketEvents.KeepOrder(events);

    private static TicketEvent Event(Ticket ticket, TicketEventKind kind, string actorId, DateTimeOffset now,
        TicketStatus? fromStatus = null, TicketStatus? toStatus = null, string? assigneeId = null, string? detail = null)
        => new()
        {
            Id = Guid.CreateVersion7(now),
            TenantId = ticket.TenantId,
            TicketId = ticket.Id,
            Kind = kind,
            ActorId = actorId,
            FromStatus = fromStatus,
            ToStatus = toStatus,
            AssigneeId = assigneeId,
            Detail = detail,
            CreatedAt = now,
        };

    private static string? Required(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{char.ToUpperInvariant(field[0])}{field[1..]} is required."];
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.Length > maxLength)
        {
            errors[field] = [$"{char.ToUpperInvariant(field[0])}{field[1..]} must be at most {maxLength} characters."];
            return null;
        }
        return trimmed;
    }

    private static Dictionary<string, string> ValidateCustomFields(Dictionary<string, string[]> errors, TenantSettings settings, Dictionary<string, string?>? values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        values ??= [];
        foreach (var key in values.Keys)
        {
            if (!settings.CustomFields.Any(f => f.Key == key))
                errors[$"customFields.{key}"] = ["This tenant has no such field."];
        }
        foreach (var field in settings.CustomFields)
        {
            var value = values.GetValueOrDefault(field.Key)?.Trim();
            var label = field.Label ?? field.Key;
            if (string.IsNullOrEmpty(value))
            {
                if (field.Required) errors[$"customFields.{field.Key}"] = [$"{label} is required."];
                continue;
            }
            if (value.Length > field.MaxLength)
            {
                errors[$"customFields.{field.Key}"] = [$"{label} must be at most {field.MaxLength} characters."];
                continue;
            }
            result[field.Key] = value;
        }
        return result;
    }

    private static string Lower(TicketStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>Helpers for the audit trail.</summary>
internal static class TicketEvents
{
    /// <summary>
    /// The events of one change share a timestamp (to the millisecond) and the trail is read ordered by (time, id).
    /// Version 7 ids only order by the millisecond, the rest is random, so hand the ids out again in ascending
    /// order: the trail then lists them in the order they happened (message posted, then status changed;
    /// created, then assigned).
    /// </summary>
    public static void KeepOrder(List<TicketEvent> events)
    {
        if (events.Count < 2) return;
        var ids = events.Select(e => e.Id).Order().ToArray();
        for (var i = 0; i < events.Count; i++) events[i].Id = ids[i];
    }

    /// <summary>
    /// The id that directly follows <paramref name="id"/> in the trail's order (its random tail plus one, in the byte order
    /// that both <see cref="Guid.CompareTo(Guid)"/> and the databases sort by), or <c>null</c> in the one-in-2^62 case where
    /// the tail has no room.
    /// </summary>
    public static Guid? Following(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        // Bytes 8-15 hold the variant (the top two bits of byte 8) and 62 random bits.
        for (var i = 15; i >= 8; i--)
        {
            var limit = i == 8 ? 0x3F : 0xFF;
            if ((bytes[i] & limit) != limit)
            {
                bytes[i]++;
                return new Guid(bytes, bigEndian: true);
            }
            bytes[i] = (byte)(bytes[i] & ~limit);
        }
        return null;
    }
}
