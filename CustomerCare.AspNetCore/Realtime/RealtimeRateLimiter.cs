using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>One token bucket per hub connection (<see cref="RealtimeRateLimitOptions"/>), all behind one timer.</summary>
internal sealed class RealtimeRateLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public RealtimeRateLimiter(IOptions<CustomerCareRealtimeOptions> options)
    {
        var limits = options.Value.RateLimit;
        if (!limits.Enabled) return;
        _limiter = PartitionedRateLimiter.Create<string, string>(connectionId =>
            RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.TokenLimit,
                TokensPerPeriod = limits.TokensPerPeriod,
                ReplenishmentPeriod = limits.ReplenishmentPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes a token of the connection's bucket; <c>false</c> with the time to wait when it is empty.</summary>
    public bool TryAcquire(string connectionId, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null) return true;
        using var lease = _limiter.AttemptAcquire(connectionId);
        if (lease.IsAcquired) return true;
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)) retryAfter = wait;
        return false;
    }

    public ValueTask DisposeAsync() => _limiter?.DisposeAsync() ?? ValueTask.CompletedTask;
}
