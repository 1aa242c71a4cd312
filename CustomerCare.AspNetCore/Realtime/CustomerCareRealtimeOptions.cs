using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Options of the real-time hub, set with <c>.AddRealtime(o => ...)</c> and validated when the host starts.
/// </summary>
public sealed class CustomerCareRealtimeOptions
{
    /// <summary>
    /// Whether an agent's hub connections drive their availability for automatic assignment: their first
    /// connection sets them <c>online</c> (and drains the queue), <c>SetPresence</c> sets <c>online</c> or
    /// <c>away</c>, and their last disconnect sets them <c>offline</c>. When <c>false</c>, presence is only
    /// broadcast to admins and availability stays as admins set it. Default <c>true</c>.
    /// </summary>
    public bool PresenceUpdatesAvailability { get; set; } = true;

    /// <summary>
    /// How long after an agent's last connection closes they are reported (and set) offline, so that a
    /// page reload or a short network drop does not flip their availability. Default 5 seconds.
    /// </summary>
    public TimeSpan PresenceOfflineDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Shortest time between two <c>typing</c> events of one connection on one ticket; calls in between are
    /// ignored. Default 2 seconds.
    /// </summary>
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most messages <c>JoinTicket</c> returns at once; with more, it sets <c>hasMore</c>. Default 500.</summary>
    public int JoinMaxMessages { get; set; } = 500;

    /// <summary>
    /// Largest hub message a client may send, in bytes. A bigger one closes that client's connection
    /// (SignalR's own limit); a message body over <see cref="TicketOptions.MessageMaxLength"/> is refused
    /// with a <c>validation</c> error first. Default 64 KiB.
    /// </summary>
    public long MaximumReceiveMessageSize { get; set; } = 64 * 1024;

    /// <summary>Per-connection limit of hub calls that reach the database (token bucket).</summary>
    public RealtimeRateLimitOptions RateLimit { get; } = new();
}

/// <summary>
/// A token bucket per connection for <c>JoinTicket</c>, <c>SendMessage</c>, <c>SetPresence</c> and
/// <c>GetPresence</c>: a call takes a token or fails with <c>rate-limited</c>; the bucket refills by
/// <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>. <c>Typing</c> has its own
/// throttle (<see cref="CustomerCareRealtimeOptions.TypingInterval"/>) and <c>LeaveTicket</c> is free.
/// </summary>
public sealed class RealtimeRateLimitOptions
{
    /// <summary>Whether the limit applies. Default <c>true</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bucket size: the burst a connection may make at once. Default 20.</summary>
    public int TokenLimit { get; set; } = 20;

    /// <summary>Tokens added every <see cref="ReplenishmentPeriod"/>. Default 10.</summary>
    public int TokensPerPeriod { get; set; } = 10;

    /// <summary>How often tokens are added. Default one second.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

internal sealed class CustomerCareRealtimeOptionsValidator : IValidateOptions<CustomerCareRealtimeOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomerCareRealtimeOptions options)
    {
        var failures = new List<string>();
        if (options.PresenceOfflineDelay < TimeSpan.Zero || options.PresenceOfflineDelay > TimeSpan.FromHours(1))
            failures.Add("CustomerCare realtime: PresenceOfflineDelay must be between 0 and one hour.");
        if (options.TypingInterval < TimeSpan.Zero || options.TypingInterval > TimeSpan.FromMinutes(1))
            failures.Add("CustomerCare realtime: TypingInterval must be between 0 and one minute.");
        if (options.JoinMaxMessages is < 1 or > 10_000)
            failures.Add("CustomerCare realtime: JoinMaxMessages must be between 1 and 10000.");
        if (options.MaximumReceiveMessageSize is < 4096 or > 16 * 1024 * 1024)
            failures.Add("CustomerCare realtime: MaximumReceiveMessageSize must be between 4096 bytes and 16 MiB.");
        var rate = options.RateLimit;
        if (rate.TokenLimit < 1) failures.Add("CustomerCare realtime: RateLimit.TokenLimit must be at least 1.");
        if (rate.TokensPerPeriod < 1) failures.Add("CustomerCare realtime: RateLimit.TokensPerPeriod must be at least 1.");
        if (rate.ReplenishmentPeriod <= TimeSpan.Zero) failures.Add("CustomerCare realtime: RateLimit.ReplenishmentPeriod must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
