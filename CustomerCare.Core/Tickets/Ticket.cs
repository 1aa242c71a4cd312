namespace CustomerCare.Tickets;

/// <summary>Where a ticket is in its lifecycle.</summary>
public enum TicketStatus
{
    /// <summary>Raised, nobody assigned.</summary>
    New = 0,

    /// <summary>Assigned and being worked.</summary>
    Open = 1,

    /// <summary>Waiting on the customer.</summary>
    Pending = 2,

    /// <summary>Staff consider it solved; the customer may still reply, close or reopen.</summary>
    Resolved = 3,

    /// <summary>Closed: no more messages.</summary>
    Closed = 4,
}

/// <summary>How urgent a ticket is.</summary>
public enum TicketPriority
{
    /// <summary>Low.</summary>
    Low = 0,

    /// <summary>Normal (default).</summary>
    Normal = 1,

    /// <summary>High.</summary>
    High = 2,

    /// <summary>Urgent.</summary>
    Urgent = 3,
}

/// <summary>How a ticket was raised.</summary>
public enum TicketChannel
{
    /// <summary>Through a web front end.</summary>
    Web = 0,

    /// <summary>Through the HTTP API.</summary>
    Api = 1,

    /// <summary>From an email.</summary>
    Email = 2,
}

/// <summary>A customer's request for help, owned by one tenant.</summary>
public sealed class Ticket
{
    /// <summary>Id (GUID v7).</summary>
    public Guid Id { get; set; }

    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Per-tenant sequence number, allocated by the store; also the keyset-paging key.</summary>
    public long Number { get; set; }

    /// <summary>Number shown to people, e.g. <c>BANK-1001</c>.</summary>
    public string Reference { get; set; } = "";

    /// <summary>One-line summary.</summary>
    public string Subject { get; set; } = "";

    /// <summary>What the customer needs.</summary>
    public string Description { get; set; } = "";

    /// <summary>Lifecycle status.</summary>
    public TicketStatus Status { get; set; }

    /// <summary>Priority.</summary>
    public TicketPriority Priority { get; set; } = TicketPriority.Normal;

    /// <summary>Optional category (routes to a group of agents).</summary>
    public string? Category { get; set; }

    /// <summary>Values of the tenant's custom fields.</summary>
    public Dictionary<string, string> CustomFields { get; set; } = [];

    /// <summary>Host user id of the customer who owns the ticket.</summary>
    public string CustomerId { get; set; } = "";

    /// <summary>Customer's display name (erased to "deleted user" on erasure).</summary>
    public string CustomerName { get; set; } = "";

    /// <summary>Host user id of the assigned agent.</summary>
    public string? AssigneeId { get; set; }

    /// <summary>Assigned agent's display name.</summary>
    public string? AssigneeName { get; set; }

    /// <summary>How the ticket was raised.</summary>
    public TicketChannel Channel { get; set; }

    /// <summary>When it was raised.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When staff first answered publicly.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }

    /// <summary>When it was last resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>When it was last closed.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Number of messages posted (also the sequence of the latest one).</summary>
    public int MessageCount { get; set; }

    /// <summary>Optimistic-concurrency version, incremented on every change.</summary>
    public long Version { get; set; }
}

/// <summary>Whether a message is visible to the customer.</summary>
public enum MessageVisibility
{
    /// <summary>Seen by the customer and staff.</summary>
    Public = 0,

    /// <summary>Internal note: agents and admins only.</summary>
    Internal = 1,
}

/// <summary>A chat message on a ticket.</summary>
public sealed class TicketMessage
{
    /// <summary>Id (GUID v7).</summary>
    public Guid Id { get; set; }

    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The ticket.</summary>
    public Guid TicketId { get; set; }

    /// <summary>Position in the ticket's conversation, from 1; the <c>after</c> cursor.</summary>
    public int Sequence { get; set; }

    /// <summary>Author's host user id.</summary>
    public string AuthorId { get; set; } = "";

    /// <summary>Author's display name (erased to "deleted user" on erasure).</summary>
    public string AuthorName { get; set; } = "";

    /// <summary>Author's role when posting.</summary>
    public Actors.ActorRole AuthorRole { get; set; }

    /// <summary>Plain-text body.</summary>
    public string Body { get; set; } = "";

    /// <summary>Public or internal note.</summary>
    public MessageVisibility Visibility { get; set; }

    /// <summary>When it was posted.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What happened to a ticket.</summary>
public enum TicketEventKind
{
    /// <summary>The ticket was raised.</summary>
    Created = 0,

    /// <summary>Assigned, reassigned or unassigned.</summary>
    Assigned = 1,

    /// <summary>Status changed.</summary>
    StatusChanged = 2,

    /// <summary>A message or note was posted.</summary>
    MessagePosted = 3,
}

/// <summary>One entry of a ticket's audit trail.</summary>
public sealed class TicketEvent
{
    /// <summary>Id (GUID v7).</summary>
    public Guid Id { get; set; }

    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The ticket.</summary>
    public Guid TicketId { get; set; }

    /// <summary>What happened.</summary>
    public TicketEventKind Kind { get; set; }

    /// <summary>Who did it (host user id; <c>system</c> for automatic changes).</summary>
    public string ActorId { get; set; } = "";

    /// <summary>Status before, for status changes.</summary>
    public TicketStatus? FromStatus { get; set; }

    /// <summary>Status after, for status changes.</summary>
    public TicketStatus? ToStatus { get; set; }

    /// <summary>Assignee after, for assignments.</summary>
    public string? AssigneeId { get; set; }

    /// <summary>Free-text detail (e.g. the reason of an automatic assignment).</summary>
    public string? Detail { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
