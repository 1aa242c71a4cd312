using Microsoft.Extensions.Options;

namespace CustomerCare.SignalR.StackExchangeRedis;

/// <summary>Options of the Redis scale-out, set with <c>.AddRedisScaleOut(connectionString, o => ...)</c> and validated when the host starts.</summary>
public sealed class RedisScaleOutOptions
{
    /// <summary>
    /// Prefix of every Redis pub/sub channel the backplane uses, so that several applications (or
    /// environments) can share one Redis. Instances that serve the same clients must use the same prefix.
    /// Default <c>customercare</c>.
    /// </summary>
    public string ChannelPrefix { get; set; } = "customercare";

    /// <summary>
    /// Whether, when this instance's subscription to Redis comes back after being lost, every hub connection
    /// of this instance is closed so that its client reconnects and fetches what it missed
    /// (<c>JoinTicket(ticketId, after)</c>): events pushed while Redis was unreachable are lost otherwise.
    /// Default <c>true</c>.
    /// </summary>
    public bool ResyncClientsAfterOutage { get; set; } = true;

    /// <summary>How long to wait after the subscription is back before closing the connections, so that Redis has the subscriptions again. Default one second.</summary>
    public TimeSpan ResyncDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the agent connections counted by an instance that stopped renewing them (it crashed or lost
    /// Redis) keep counting for presence; a running instance renews three times within it. Default 30 seconds.
    /// </summary>
    public TimeSpan PresenceInstanceTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class RedisScaleOutOptionsValidator : IValidateOptions<RedisScaleOutOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisScaleOutOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ChannelPrefix) || options.ChannelPrefix.Length > 100 || options.ChannelPrefix.Any(char.IsWhiteSpace))
            failures.Add("CustomerCare Redis scale-out: ChannelPrefix must be 1 to 100 characters without spaces.");
        if (options.ResyncDelay < TimeSpan.Zero || options.ResyncDelay > TimeSpan.FromMinutes(1))
            failures.Add("CustomerCare Redis scale-out: ResyncDelay must be between 0 and one minute.");
        if (options.PresenceInstanceTimeout < TimeSpan.FromSeconds(1) || options.PresenceInstanceTimeout > TimeSpan.FromHours(1))
            failures.Add("CustomerCare Redis scale-out: PresenceInstanceTimeout must be between one second and one hour.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
