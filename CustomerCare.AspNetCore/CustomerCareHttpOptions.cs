using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore;

/// <summary>HTTP-level options of CustomerCare: body size, rate limits, suspended-tenant answer.</summary>
public sealed class CustomerCareHttpOptions
{
    /// <summary>Largest request body accepted, in bytes (413 above it). Default 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The <c>Retry-After</c> seconds a suspended tenant answers with. Default 300.</summary>
    public int SuspendedRetryAfterSeconds { get; set; } = 300;

    /// <summary>Per-user and per-tenant request rate limits.</summary>
    public RateLimitOptions RateLimits { get; } = new();
}

/// <summary>Request rate limits of the CustomerCare API (fixed one-minute windows).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Whether limits apply. Default <c>true</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests one user (or one anonymous address) may make per window. Default 600.</summary>
    public int PermitsPerUser { get; set; } = 600;

    /// <summary>Requests one tenant may receive per window, all users together. Default 6,000.</summary>
    public int PermitsPerTenant { get; set; } = 6_000;

    /// <summary>Window length. Default one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class CustomerCareHttpOptionsValidator : IValidateOptions<CustomerCareHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomerCareHttpOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes < 1024) failures.Add("CustomerCare HTTP: MaxRequestBodyBytes must be at least 1024.");
        if (options.SuspendedRetryAfterSeconds < 1) failures.Add("CustomerCare HTTP: SuspendedRetryAfterSeconds must be at least 1.");
        if (options.RateLimits.PermitsPerUser < 1) failures.Add("CustomerCare HTTP: RateLimits.PermitsPerUser must be at least 1.");
        if (options.RateLimits.PermitsPerTenant < 1) failures.Add("CustomerCare HTTP: RateLimits.PermitsPerTenant must be at least 1.");
        if (options.RateLimits.Window <= TimeSpan.Zero) failures.Add("CustomerCare HTTP: RateLimits.Window must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
