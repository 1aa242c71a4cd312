namespace CustomerCare.Tickets;

/// <summary>One atomic change to a ticket: everything in it is saved in one transaction, or nothing is.</summary>
public sealed class TicketChangeSet
{
    /// <summary>The ticket, new (<see cref="IsNew"/>) or changed.</summary>
    public required Ticket Ticket { get; init; }

    /// <summary>Whether the ticket is being created; the store allocates its number and reference.</summary>
    public bool IsNew { get; init; }

    /// <summary>For a new ticket, the tenant's reference prefix (<c>BANK</c>).</summary>
    public string? ReferencePrefix { get; init; }

    /// <summary>For a changed ticket, the version it had when it was read; the store refuses the change if it moved on.</summary>
    public long ExpectedVersion { get; init; }

    /// <summary>Audit entries to append.</summary>
    public List<TicketEvent> Events { get; } = [];

    /// <summary>A message to add.</summary>
    public TicketMessage? Message { get; init; }

    /// <summary>Records the request key so that a replay returns the same result.</summary>
    public IdempotencyRecord? Idempotency { get; init; }

    /// <summary>
    /// The change's notification activities (usually one), written to the outbox in the same transaction;
    /// the dispatcher works out who is told later. For a new ticket the store fills in their
    /// <see cref="Notifications.OutboxActivity.TicketReference"/> when it numbers the ticket.
    /// </summary>
    public List<Notifications.OutboxActivity> Activities { get; } = [];
}

/// <summary>Remembers a client's request key so that a retried request creates nothing new.</summary>
public sealed class IdempotencyRecord
{
    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Who sent the request.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The client's key (header <c>Idempotency-Key</c>, or a client message id).</summary>
    public string Key { get; set; } = "";

    /// <summary>Hash of the request, to tell a replay from a reuse of the key with another body.</summary>
    public string RequestHash { get; set; } = "";

    /// <summary>The ticket created or changed.</summary>
    public Guid TicketId { get; set; }

    /// <summary>The message created, for message posts.</summary>
    public Guid? MessageId { get; set; }

    /// <summary>When first processed.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Filters and paging for ticket lists.</summary>
public sealed record TicketQuery
{
    /// <summary>Only these statuses.</summary>
    public IReadOnlyList<TicketStatus>? Statuses { get; init; }

    /// <summary>Only this priority.</summary>
    public TicketPriority? Priority { get; init; }

    /// <summary>Only this category.</summary>
    public string? Category { get; init; }

    /// <summary>Only tickets assigned to this user id.</summary>
    public string? AssigneeId { get; init; }

    /// <summary>Only unassigned tickets.</summary>
    public bool Unassigned { get; init; }

    /// <summary>Only tickets of this customer.</summary>
    public string? CustomerId { get; init; }

    /// <summary>For agents: their tickets, plus unassigned ones when <see cref="IncludeUnassignedForAgent"/>.</summary>
    public string? VisibleToAgentId { get; init; }

    /// <summary>Whether an agent's view includes unassigned tickets.</summary>
    public bool IncludeUnassignedForAgent { get; init; }

    /// <summary>Text contained in the reference, subject or description (case-insensitive).</summary>
    public string? Text { get; init; }

    /// <summary>Keyset cursor: only tickets with a number below this one (newest first).</summary>
    public long? BeforeNumber { get; init; }

    /// <summary>Page size.</summary>
    public int Limit { get; init; } = 25;
}

/// <summary>Stores tickets, their messages and their audit trail in the current tenant.</summary>
public interface ITicketStore
{
    /// <summary>Saves a change set atomically. Throws <see cref="Errors.ConcurrencyConflictException"/> when the ticket's version moved on and <see cref="Errors.DuplicateRequestException"/> when the idempotency key was stored concurrently.</summary>
    Task SaveAsync(TicketChangeSet changes, CancellationToken cancellationToken);

    /// <summary>Finds a ticket by id in the current tenant.</summary>
    Task<Ticket?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Lists tickets newest first.</summary>
    Task<IReadOnlyList<Ticket>> QueryAsync(TicketQuery query, CancellationToken cancellationToken);

    /// <summary>Messages of a ticket with a sequence above <paramref name="afterSequence"/>, oldest first.</summary>
    Task<IReadOnlyList<TicketMessage>> GetMessagesAsync(Guid ticketId, int afterSequence, int limit, bool includeInternal, CancellationToken cancellationToken);

    /// <summary>Finds a message by id.</summary>
    Task<TicketMessage?> FindMessageAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>The audit trail of a ticket, oldest first.</summary>
    Task<IReadOnlyList<TicketEvent>> GetEventsAsync(Guid ticketId, CancellationToken cancellationToken);

    /// <summary>Finds a stored request key of a user.</summary>
    Task<IdempotencyRecord?> FindIdempotencyRecordAsync(string userId, string key, CancellationToken cancellationToken);

    /// <summary>Unresolved tickets assigned to a user.</summary>
    Task<IReadOnlyList<Ticket>> GetOpenAssignedAsync(string assigneeId, CancellationToken cancellationToken);
}
