using System.Globalization;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.MultiTenancy;

/// <summary>
/// Resolves the tenant of each request and makes it current for the rest of the pipeline. A request
/// naming an unknown tenant is a 404 problem; a suspended tenant answers 503 with <c>Retry-After</c>.
/// Requests that name no tenant pass through untouched (the host's own pages).
/// </summary>
internal sealed partial class TenantResolutionMiddleware(
    RequestDelegate next,
    IEnumerable<ITenantResolutionStrategy> strategies,
    ITenantContextSetter setter,
    IOptions<CustomerCareHttpOptions> options,
    ILogger<TenantResolutionMiddleware> logger)
{
    private readonly ITenantResolutionStrategy[] _strategies = [.. strategies];

    public async Task InvokeAsync(HttpContext context)
    {
        string? identifier = null;
        foreach (var strategy in _strategies)
        {
            identifier = await strategy.GetIdentifierAsync(context);
            if (!string.IsNullOrEmpty(identifier)) break;
        }
        if (string.IsNullOrEmpty(identifier))
        {
            await next(context);
            return;
        }

        var store = context.RequestServices.GetRequiredService<ITenantStore>();
        var tenant = identifier.Length <= 64 ? await store.FindByIdentifierAsync(identifier, context.RequestAborted) : null;
        if (tenant is null)
        {
            await Problems.Write(context, Problems.TenantNotFound());
            return;
        }
        if (tenant.Status == TenantStatus.Suspended)
        {
            Suspended(logger, tenant.Id);
            context.Response.Headers.RetryAfter = options.Value.SuspendedRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Write(context, Problems.TenantSuspended());
            return;
        }

        var tenantContext = new TenantContext(tenant);
        context.Features.Set(tenantContext);
        using (setter.BeginScope(tenantContext))
        {
            await next(context);
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Request to suspended tenant {TenantId} refused")]
    private static partial void Suspended(ILogger logger, string tenantId);
}
