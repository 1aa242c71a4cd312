namespace CustomerCare.Tickets;

/// <summary>What a caller sends to raise a ticket.</summary>
public sealed record CreateTicketRequest
{
    /// <summary>One-line summary (required).</summary>
    public string? Subject { get; init; }

    /// <summary>What the customer needs (required).</summary>
    public string? Description { get; init; }

    /// <summary>Priority; normal when omitted.</summary>
    public TicketPriority? Priority { get; init; }

    /// <summary>Category, one of the tenant's categories when it defines any.</summary>
    public string? Category { get; init; }

    /// <summary>Values of the tenant's custom fields.</summary>
    public Dictionary<string, string?>? CustomFields { get; init; }

    /// <summary>Admins only: raise the ticket on behalf of this customer (host user id).</summary>
    public string? CustomerId { get; init; }

    /// <summary>How the ticket arrives; set by the front end.</summary>
    public TicketChannel Channel { get; init; } = TicketChannel.Api;
}

/// <summary>What a caller sends to post a message.</summary>
public sealed record PostMessageRequest
{
    /// <summary>Plain-text body (required).</summary>
    public string? Body { get; init; }

    /// <summary>Public (default) or an internal note (staff only).</summary>
    public MessageVisibility? Visibility { get; init; }
}

/// <summary>Filters of a ticket list as a caller gives them.</summary>
public sealed record TicketListRequest
{
    /// <summary>Only these statuses.</summary>
    public IReadOnlyList<TicketStatus>? Statuses { get; init; }

    /// <summary>Only this priority.</summary>
    public TicketPriority? Priority { get; init; }

    /// <summary>Only this category.</summary>
    public string? Category { get; init; }

    /// <summary>A user id, <c>me</c>, or <c>none</c> for unassigned tickets.</summary>
    public string? Assignee { get; init; }

    /// <summary>Text to search in the reference, subject and description.</summary>
    public string? Text { get; init; }

    /// <summary>Opaque cursor from a previous page's <c>nextCursor</c>.</summary>
    public string? Cursor { get; init; }

    /// <summary>Page size (at most <see cref="TicketOptions.MaxPageSize"/>).</summary>
    public int? Limit { get; init; }
}

/// <summary>One page of tickets.</summary>
/// <param name="Items">Tickets, newest first.</param>
/// <param name="NextCursor">Cursor of the next page, <c>null</c> on the last page.</param>
public sealed record TicketPage(IReadOnlyList<Ticket> Items, string? NextCursor);

/// <summary>The result of a request that may have been a replay.</summary>
/// <typeparam name="T">What was created.</typeparam>
/// <param name="Value">The created (or previously created) thing.</param>
/// <param name="Replayed">Whether the request was a replay of an earlier one with the same key.</param>
public sealed record IdempotentResult<T>(T Value, bool Replayed);
