using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore;

/// <summary>
/// Runs in front of every CustomerCare endpoint: requires a resolved tenant (404 otherwise), a
/// signed-in actor of that tenant (401), applies the rate limits (429) and turns CustomerCare's
/// errors into problem details.
/// </summary>
internal sealed partial class CustomerCareEndpointFilter(
    CustomerCareRateLimiter limiter,
    ILogger<CustomerCareEndpointFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var tenant = context.Features.Get<TenantContext>();
        if (tenant is null) return Problems.TenantNotFound();

        try
        {
            var resolver = context.RequestServices.GetRequiredService<IActorResolver>();
            var actor = await resolver.ResolveAsync(context.User, tenant, context.RequestAborted);

            var partition = actor?.UserId ?? "anon:" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
            using var lease = await limiter.AcquireAsync(tenant.TenantId, partition, context.RequestAborted);
            if (!lease.IsAcquired)
            {
                if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                RateLimitedLog(logger, tenant.TenantId);
                return Problems.RateLimited();
            }

            if (actor is null) return Problems.Unauthorized();
            context.Features.Set(actor);
            return await next(invocation);
        }
        catch (CustomerCareException ex)
        {
            return Problems.From(ex);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Rate limit reached in tenant {TenantId}")]
    private static partial void RateLimitedLog(ILogger logger, string tenantId);
}

/// <summary>Per-tenant and per-user fixed-window limits, chained: a request needs a permit from both.</summary>
internal sealed class CustomerCareRateLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<(string Tenant, string User)>? _limiter;

    public CustomerCareRateLimiter(IOptions<CustomerCareHttpOptions> options)
    {
        var limits = options.Value.RateLimits;
        if (!limits.Enabled) return;
        var perTenant = PartitionedRateLimiter.Create<(string Tenant, string User), string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key.Tenant, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.PermitsPerTenant,
                Window = limits.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        var perUser = PartitionedRateLimiter.Create<(string Tenant, string User), string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key.Tenant + "\n" + key.User, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.PermitsPerUser,
                Window = limits.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _limiter = PartitionedRateLimiter.CreateChained(perUser, perTenant);
    }

    public ValueTask<RateLimitLease> AcquireAsync(string tenant, string user, CancellationToken cancellationToken)
        => _limiter is null ? ValueTask.FromResult<RateLimitLease>(Granted.Instance) : _limiter.AcquireAsync((tenant, user), 1, cancellationToken);

    public ValueTask DisposeAsync() => _limiter?.DisposeAsync() ?? ValueTask.CompletedTask;

    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Instance = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

/// <summary>Access to the CustomerCare actor and tenant of the current request.</summary>
public static class CustomerCareHttpContextExtensions
{
    /// <summary>The actor CustomerCare resolved for this request, or <c>null</c> outside CustomerCare endpoints.</summary>
    public static Actor? GetCustomerCareActor(this HttpContext context) => context.Features.Get<Actor>();

    /// <summary>The tenant resolved for this request, or <c>null</c>.</summary>
    public static TenantContext? GetCustomerCareTenant(this HttpContext context) => context.Features.Get<TenantContext>();

    internal static Actor Actor(this HttpContext context)
        => context.Features.Get<Actor>() ?? throw new InvalidOperationException("No CustomerCare actor; the endpoint filter did not run.");
}
