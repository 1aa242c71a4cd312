using System.Text.Json;
using System.Text.Json.Serialization;

namespace CustomerCare.Notifications;

/// <summary>What a notification is about; each kind has its own template.</summary>
public enum NotificationKind
{
    /// <summary>To the customer: the automatic acknowledgement of a ticket they raised, with its number.</summary>
    TicketReceived = 0,

    /// <summary>To the tenant's admins: a new ticket waits to be assigned.</summary>
    TicketCreated = 1,

    /// <summary>To the agent and the customer: the ticket was assigned.</summary>
    TicketAssigned = 2,

    /// <summary>To the other side of the conversation: new messages (a burst is batched into one). Optional.</summary>
    MessagePosted = 3,

    /// <summary>To the customer and the agent: the ticket was resolved, closed or reopened. Optional.</summary>
    TicketStatusChanged = 4,

    /// <summary>To a new agent or admin: their staff account was created.</summary>
    StaffAccountCreated = 5,

    /// <summary>To a user: how to reset their password (security; cannot be opted out of).</summary>
    PasswordReset = 6,

    /// <summary>To a user: someone signed in from a device not seen before (security; cannot be opted out of).</summary>
    NewDeviceLogin = 7,

    /// <summary>To a user who registered: the link that confirms their email address.</summary>
    EmailConfirmation = 8,
}

/// <summary>Where a notification is in the outbox.</summary>
public enum NotificationStatus
{
    /// <summary>Waiting to be sent at <see cref="OutboxNotification.NextAttemptAt"/>.</summary>
    Pending = 0,

    /// <summary>Claimed by a dispatcher until <see cref="OutboxNotification.ClaimedUntil"/>; an expired claim is taken again.</summary>
    Sending = 1,

    /// <summary>Delivered to the channel.</summary>
    Sent = 2,

    /// <summary>Gave up after the last attempt (or a permanent failure); an admin can retry it.</summary>
    Dead = 3,
}

/// <summary>Facts about notification kinds: names used in the API, which are optional, which carry secrets.</summary>
public static class NotificationKinds
{
    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<NotificationKind> All { get; } = Enum.GetValues<NotificationKind>();

    /// <summary>Whether users may opt out of the kind (message posted, status changed); security and account mail cannot be refused.</summary>
    public static bool IsOptional(NotificationKind kind) => kind is NotificationKind.MessagePosted or NotificationKind.TicketStatusChanged;

    /// <summary>Whether the template data holds a secret (a reset code or link); the outbox erases the data once sent.</summary>
    public static bool CarriesSecrets(NotificationKind kind)
        => kind is NotificationKind.PasswordReset or NotificationKind.EmailConfirmation or NotificationKind.StaffAccountCreated;

    /// <summary>The kind's name in the API and in routes, e.g. <c>message-posted</c>.</summary>
    public static string Name(NotificationKind kind) => kind switch
    {
        NotificationKind.TicketReceived => "ticket-received",
        NotificationKind.TicketCreated => "ticket-created",
        NotificationKind.TicketAssigned => "ticket-assigned",
        NotificationKind.MessagePosted => "message-posted",
        NotificationKind.TicketStatusChanged => "ticket-status-changed",
        NotificationKind.StaffAccountCreated => "staff-account-created",
        NotificationKind.PasswordReset => "password-reset",
        NotificationKind.NewDeviceLogin => "new-device-login",
        NotificationKind.EmailConfirmation => "email-confirmation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a kind's API name (<c>message-posted</c>).</summary>
    public static bool TryParse(string? name, out NotificationKind kind)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}

/// <summary>
/// One notification in the outbox: written in the same transaction as the change that causes it,
/// claimed and delivered by a dispatcher, retried with backoff, dead-lettered after the last attempt.
/// </summary>
public sealed class OutboxNotification
{
    /// <summary>Id (GUID v7); also the mail's <c>Message-ID</c>, so a resend after a crash carries the same one.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>What it is about.</summary>
    public NotificationKind Kind { get; set; }

    /// <summary>The channel that delivers it (<c>email</c>, <c>webhook</c>, …).</summary>
    public string Channel { get; set; } = "";

    /// <summary>Host user id of the recipient.</summary>
    public string RecipientUserId { get; set; } = "";

    /// <summary>Where to deliver it (an email address for mail).</summary>
    public string RecipientAddress { get; set; } = "";

    /// <summary>The recipient's name, for the greeting.</summary>
    public string? RecipientName { get; set; }

    /// <summary>The ticket it is about, for threading.</summary>
    public Guid? TicketId { get; set; }

    /// <summary>The ticket's reference (<c>BANK-1001</c>); for a new ticket the store fills it in when it numbers the ticket.</summary>
    public string? TicketReference { get; set; }

    /// <summary>Template data (JSON of <see cref="NotificationData"/>).</summary>
    public string DataJson { get; set; } = "{}";

    /// <summary>
    /// Notifications with the same key (recipient, ticket, kind) merge while still pending, so that a
    /// burst of chat messages is one mail. <c>null</c> never merges.
    /// </summary>
    public string? CoalesceKey { get; set; }

    /// <summary>Where it is in the outbox.</summary>
    public NotificationStatus Status { get; set; }

    /// <summary>Delivery attempts so far (counted when claimed).</summary>
    public int Attempts { get; set; }

    /// <summary>When it is due (again).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Short reason of the last failure (never a secret or a mail body).</summary>
    public string? LastError { get; set; }

    /// <summary>Until when the dispatcher that claimed it holds it.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>The claim token of the dispatcher holding it.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Reads <see cref="DataJson"/>.</summary>
    public NotificationData ReadData() => NotificationData.Parse(DataJson);
}

/// <summary>A message in the data of a <see cref="NotificationKind.MessagePosted"/> notification.</summary>
/// <param name="Author">Who wrote it.</param>
/// <param name="Body">The plain-text body.</param>
/// <param name="Internal">Whether it is an internal note (staff only).</param>
public sealed record NotificationDataMessage(string Author, string Body, bool Internal = false);

/// <summary>The data a template is filled with: named values and, for chat, the messages of a batch.</summary>
public sealed class NotificationData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Placeholder values by name (<c>ticket.subject</c>).</summary>
    public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Messages of a batched chat notification, oldest first.</summary>
    public List<NotificationDataMessage>? Messages { get; set; }

    /// <summary>Serializes the data.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads data written by <see cref="ToJson"/>; empty data for anything else.</summary>
    public static NotificationData Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new NotificationData();
        try
        {
            var data = JsonSerializer.Deserialize<NotificationData>(json, Json) ?? new NotificationData();
            data.Values = new Dictionary<string, string>(data.Values ?? [], StringComparer.Ordinal);
            return data;
        }
        catch (JsonException)
        {
            return new NotificationData();
        }
    }

    /// <summary>Merges a newer notification's data into an older pending one: newer values win, messages are appended.</summary>
    public static string Merge(string olderJson, string newerJson)
    {
        var older = Parse(olderJson);
        var newer = Parse(newerJson);
        foreach (var (key, value) in newer.Values) older.Values[key] = value;
        if (newer.Messages is { Count: > 0 }) (older.Messages ??= []).AddRange(newer.Messages);
        return older.ToJson();
    }
}
