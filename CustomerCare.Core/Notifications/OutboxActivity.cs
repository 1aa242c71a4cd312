using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerCare.Actors;
using CustomerCare.Tickets;

namespace CustomerCare.Notifications;

/// <summary>
/// A ticket change whose notifications are still to be worked out: one row per change, whoever it concerns, written
/// in the same transaction as the change. The dispatcher turns it into <see cref="OutboxNotification"/> rows (one per
/// recipient and channel, chat bursts merged) and removes it, both in one transaction, so every notification is
/// written exactly once; deciding the recipients costs the request nothing.
/// </summary>
public sealed class OutboxActivity
{
    /// <summary>Position in the outbox, given by the database on insert; activities are worked out in this order.</summary>
    public long Id { get; set; }

    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>What happened to the ticket.</summary>
    public TicketEventKind Kind { get; set; }

    /// <summary>The ticket it is about.</summary>
    public Guid TicketId { get; set; }

    /// <summary>The ticket's reference (<c>BANK-1001</c>); for a new ticket the store fills it in when it numbers the ticket.</summary>
    public string? TicketReference { get; set; }

    /// <summary>What the recipients are worked out from, as it was at the change (the ticket's fields, who did it, the message).</summary>
    public string DataJson { get; set; } = "{}";

    /// <summary>Failed attempts to work out its notifications; the dispatcher stops after <see cref="NotificationOptions.MaxAttempts"/>.</summary>
    public int Attempts { get; set; }

    /// <summary>When the change was made; the notifications are dated (and a chat batch's window starts) from it.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The part of a change that the planner needs later: the ticket's fields at the change, who made it, the message.</summary>
internal sealed record ActivitySnapshot(
    string Subject,
    TicketStatus Status,
    TicketPriority Priority,
    string CustomerId,
    string CustomerName,
    string? AssigneeId,
    string? AssigneeName,
    Actor Actor,
    Actor? RaisingCustomer = null,
    bool ManualAssignment = false,
    TicketStatus? FromStatus = null,
    NotificationDataMessage? Message = null)
{
    public static ActivitySnapshot Of(Ticket ticket, Actor actor) => new(
        ticket.Subject, ticket.Status, ticket.Priority, ticket.CustomerId, ticket.CustomerName, ticket.AssigneeId, ticket.AssigneeName, actor);

    public string ToJson() => JsonSerializer.Serialize(this, ActivityJson.Default.ActivitySnapshot);

    public static ActivitySnapshot Parse(string json)
        => JsonSerializer.Deserialize(json, ActivityJson.Default.ActivitySnapshot) ?? throw new JsonException("The activity has no data.");

    /// <summary>The ticket as the planner sees it: the fields at the change, with the id and reference of the activity.</summary>
    public Ticket ToTicket(OutboxActivity activity) => new()
    {
        Id = activity.TicketId,
        TenantId = activity.TenantId,
        Reference = activity.TicketReference ?? "",
        Subject = Subject,
        Status = Status,
        Priority = Priority,
        CustomerId = CustomerId,
        CustomerName = CustomerName,
        AssigneeId = AssigneeId,
        AssigneeName = AssigneeName,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = false)]
[JsonSerializable(typeof(ActivitySnapshot))]
internal sealed partial class ActivityJson : JsonSerializerContext;
