using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.Staff;
using CustomerCare.Tickets;

namespace CustomerCare.AspNetCore;

/// <summary>A person as shown on a ticket.</summary>
/// <param name="Id">Host user id.</param>
/// <param name="Name">Display name.</param>
public sealed record PersonResponse(string Id, string Name);

/// <summary>A ticket as the API shows it.</summary>
public sealed record TicketResponse(
    Guid Id,
    string Number,
    string Subject,
    string Description,
    TicketStatus Status,
    TicketPriority Priority,
    string? Category,
    IReadOnlyDictionary<string, string> CustomFields,
    PersonResponse Customer,
    PersonResponse? Assignee,
    TicketChannel Channel,
    int MessageCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FirstResponseAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt,
    long Version)
{
    internal static TicketResponse From(Ticket t) => new(
        t.Id, t.Reference, t.Subject, t.Description, t.Status, t.Priority, t.Category, t.CustomFields,
        new PersonResponse(t.CustomerId, t.CustomerName),
        t.AssigneeId is null ? null : new PersonResponse(t.AssigneeId, t.AssigneeName ?? t.AssigneeId),
        t.Channel, t.MessageCount, t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.Version);
}

/// <summary>A page of tickets.</summary>
/// <param name="Items">Tickets, newest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; <c>null</c> on the last page.</param>
public sealed record TicketPageResponse(IReadOnlyList<TicketResponse> Items, string? NextCursor);

/// <summary>A message as the API shows it.</summary>
public sealed record MessageResponse(
    Guid Id,
    Guid TicketId,
    int Sequence,
    PersonResponse Author,
    ActorRole AuthorRole,
    string Body,
    MessageVisibility Visibility,
    DateTimeOffset CreatedAt)
{
    internal static MessageResponse From(TicketMessage m) => new(
        m.Id, m.TicketId, m.Sequence, new PersonResponse(m.AuthorId, m.AuthorName), m.AuthorRole, m.Body, m.Visibility, m.CreatedAt);
}

/// <summary>An audit-trail entry.</summary>
public sealed record TicketEventResponse(
    Guid Id,
    TicketEventKind Kind,
    string ActorId,
    TicketStatus? FromStatus,
    TicketStatus? ToStatus,
    string? AssigneeId,
    string? Detail,
    DateTimeOffset CreatedAt)
{
    internal static TicketEventResponse From(TicketEvent e) => new(e.Id, e.Kind, e.ActorId, e.FromStatus, e.ToStatus, e.AssigneeId, e.Detail, e.CreatedAt);
}

/// <summary>The caller.</summary>
public sealed record MeResponse(string UserId, string DisplayName, string? Email, string? Phone, ActorRole Role, string Tenant, string TenantName);

/// <summary>A staff member.</summary>
public sealed record StaffResponse(string Id, string DisplayName, string Email, ActorRole Role, bool Active, int? Capacity, AgentAvailability Availability, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt)
{
    internal static StaffResponse From(StaffMember s) => new(s.UserId, s.DisplayName, s.Email, s.Role, s.IsActive, s.Capacity, s.Availability, s.Groups, s.CreatedAt);
}

/// <summary>A customer with the counts an admin sees.</summary>
public sealed record CustomerResponse(string Id, string DisplayName, string? Email, string? Phone, int TicketsRaised, int TicketsResolved, int NotificationsSent, DateTimeOffset CreatedAt)
{
    internal static CustomerResponse From(CustomerSummary s) => new(
        s.Profile.UserId, s.Profile.DisplayName, s.Profile.Email, s.Profile.Phone, s.TicketsRaised, s.TicketsResolved, s.NotificationsSent, s.Profile.CreatedAt);
}

/// <summary>A page of customers.</summary>
public sealed record CustomerPageResponse(IReadOnlyList<CustomerResponse> Items, string? NextCursor);

/// <summary>Body of <c>POST /tickets/{id}/assign</c>.</summary>
public sealed record AssignRequest
{
    /// <summary>The agent's user id; <c>null</c> unassigns.</summary>
    public string? AgentId { get; init; }
}
