using Microsoft.Extensions.Options;

namespace CustomerCare;

/// <summary>Options of CustomerCare, set with <c>services.AddCustomerCare(o => ...)</c> and validated on start.</summary>
public sealed class CustomerCareOptions
{
    /// <summary>Ticket and message limits and lifecycle settings.</summary>
    public TicketOptions Tickets { get; } = new();

    /// <summary>Which claims of the host's principal identify the user and the tenant.</summary>
    public Actors.ActorClaimOptions Claims { get; } = new();

    /// <summary>Name shown instead of a customer whose personal data was erased.</summary>
    public string ErasedUserName { get; set; } = "deleted user";

    /// <summary>Outbox, batching, retries and dispatching of notifications.</summary>
    public NotificationOptions Notifications { get; } = new();
}

/// <summary>How notifications are batched, retried and dispatched.</summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// Chat messages to the same person on the same ticket within this window after the first one are
    /// sent as one notification. Default 2 minutes; zero sends one notification per message.
    /// </summary>
    public TimeSpan MessageBatchWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Delivery attempts before a notification is dead-lettered. Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry; each further retry doubles it (with jitter). Default 30 seconds.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two attempts. Default 1 hour.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a dispatcher holds the notifications it claimed; after that another dispatcher takes them. Default 2 minutes.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Notifications one dispatcher claims at a time. Default 50.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>How often the dispatcher looks for due notifications when nothing wakes it. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether this host runs the background dispatcher (turn off on instances that should only write). Default <c>true</c>.</summary>
    public bool RunDispatcher { get; set; } = true;
}

/// <summary>Ticket and message limits and lifecycle settings.</summary>
public sealed class TicketOptions
{
    /// <summary>How long after being resolved or closed a ticket may be reopened (a tenant may override it). Default 14 days.</summary>
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Maximum subject length. Default 200.</summary>
    public int SubjectMaxLength { get; set; } = 200;

    /// <summary>Maximum description length. Default 10,000.</summary>
    public int DescriptionMaxLength { get; set; } = 10_000;

    /// <summary>Maximum message body length. Default 5,000.</summary>
    public int MessageMaxLength { get; set; } = 5_000;

    /// <summary>Default page size of lists. Default 25.</summary>
    public int DefaultPageSize { get; set; } = 25;

    /// <summary>Largest page a caller may ask for. Default 100.</summary>
    public int MaxPageSize { get; set; } = 100;
}

internal sealed class CustomerCareOptionsValidator : IValidateOptions<CustomerCareOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomerCareOptions options)
    {
        var failures = new List<string>();
        var t = options.Tickets;
        if (t.ReopenWindow < TimeSpan.Zero) failures.Add("CustomerCare: Tickets.ReopenWindow must not be negative.");
        if (t.SubjectMaxLength is < 1 or > 1000) failures.Add("CustomerCare: Tickets.SubjectMaxLength must be between 1 and 1000.");
        if (t.DescriptionMaxLength is < 1 or > 100_000) failures.Add("CustomerCare: Tickets.DescriptionMaxLength must be between 1 and 100000.");
        if (t.MessageMaxLength is < 1 or > 100_000) failures.Add("CustomerCare: Tickets.MessageMaxLength must be between 1 and 100000.");
        if (t.MaxPageSize < 1) failures.Add("CustomerCare: Tickets.MaxPageSize must be at least 1.");
        if (t.DefaultPageSize < 1 || t.DefaultPageSize > t.MaxPageSize) failures.Add("CustomerCare: Tickets.DefaultPageSize must be between 1 and Tickets.MaxPageSize.");
        if (string.IsNullOrWhiteSpace(options.Claims.TenantClaimType)) failures.Add("CustomerCare: Claims.TenantClaimType must not be empty.");
        if (options.Claims.UserIdClaimTypes.Count == 0) failures.Add("CustomerCare: Claims.UserIdClaimTypes needs at least one claim type.");
        if (string.IsNullOrWhiteSpace(options.ErasedUserName)) failures.Add("CustomerCare: ErasedUserName must not be empty.");
        var n = options.Notifications;
        if (n.MessageBatchWindow < TimeSpan.Zero || n.MessageBatchWindow > TimeSpan.FromHours(1)) failures.Add("CustomerCare: Notifications.MessageBatchWindow must be between 0 and 1 hour.");
        if (n.MaxAttempts is < 1 or > 100) failures.Add("CustomerCare: Notifications.MaxAttempts must be between 1 and 100.");
        if (n.RetryBaseDelay <= TimeSpan.Zero) failures.Add("CustomerCare: Notifications.RetryBaseDelay must be positive.");
        if (n.RetryMaxDelay < n.RetryBaseDelay) failures.Add("CustomerCare: Notifications.RetryMaxDelay must be at least RetryBaseDelay.");
        if (n.ClaimLease < TimeSpan.FromSeconds(1)) failures.Add("CustomerCare: Notifications.ClaimLease must be at least 1 second.");
        if (n.BatchSize is < 1 or > 1000) failures.Add("CustomerCare: Notifications.BatchSize must be between 1 and 1000.");
        if (n.PollInterval <= TimeSpan.Zero) failures.Add("CustomerCare: Notifications.PollInterval must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
