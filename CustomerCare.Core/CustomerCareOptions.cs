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

    /// <summary>How long tenants and resolved callers are kept in memory between requests.</summary>
    public CacheOptions Caching { get; } = new();
}

/// <summary>
/// In-memory caches that spare every request the look-ups of its tenant and of its caller. A change made through
/// this host instance clears the affected entries at once; another instance sees it when its entry expires, so
/// each duration is the longest time a change (a suspended tenant, a removed agent, an erased customer) can take
/// to reach every instance — the same trade as ASP.NET Core Identity's security-stamp validation interval.
/// </summary>
public sealed class CacheOptions
{
    /// <summary>How long a tenant (status, settings) is kept. Default 10 seconds; zero reads it for every request.</summary>
    public TimeSpan TenantDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a signed-in caller's role and name in a tenant (from the staff directory or the customer profile) are
    /// kept. Default 10 seconds; zero resolves the caller for every request.
    /// </summary>
    public TimeSpan ActorDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most callers kept at once per host instance. Default 100,000.</summary>
    public int MaxActors { get; set; } = 100_000;
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

    /// <summary>
    /// How long a tenant's list of admins (told of every new ticket) is kept in memory. Staff changes made through
    /// this host clear it at once; other host instances see them when it expires. Default 30 seconds; zero reads the
    /// staff directory for every ticket.
    /// </summary>
    public TimeSpan AdminRecipientCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

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
        if (n.AdminRecipientCacheDuration < TimeSpan.Zero || n.AdminRecipientCacheDuration > TimeSpan.FromHours(1)) failures.Add("CustomerCare: Notifications.AdminRecipientCacheDuration must be between 0 and 1 hour.");
        var c = options.Caching;
        if (c.TenantDuration < TimeSpan.Zero || c.TenantDuration > TimeSpan.FromMinutes(10)) failures.Add("CustomerCare: Caching.TenantDuration must be between 0 and 10 minutes.");
        if (c.ActorDuration < TimeSpan.Zero || c.ActorDuration > TimeSpan.FromMinutes(10)) failures.Add("CustomerCare: Caching.ActorDuration must be between 0 and 10 minutes.");
        if (c.MaxActors is < 1 or > 10_000_000) failures.Add("CustomerCare: Caching.MaxActors must be between 1 and 10000000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
