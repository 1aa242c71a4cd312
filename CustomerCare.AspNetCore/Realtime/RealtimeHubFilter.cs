using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Runs around every connect, call and disconnect of <see cref="CustomerCareHub"/>. On connect it pins the
/// tenant (resolved by the tenancy middleware for the connect request) and the actor on the connection,
/// and refuses a connection without either. On every call it reads the tenant again (calls to a suspended
/// tenant are refused), makes it current for the call (<see cref="ITenantContextSetter"/>), applies the
/// per-connection rate limit and turns CustomerCare's errors into <see cref="HubException"/>s with a stable code.
/// </summary>
internal sealed partial class RealtimeHubFilter(
    ITenantContextSetter tenantSetter,
    ITenantContextAccessor tenantAccessor,
    RealtimeRateLimiter limiter,
    ILogger<RealtimeHubFilter> logger) : IHubFilter
{
    /// <summary>Calls that cost no token: they never reach the database (typing has its own throttle).</summary>
    private static readonly HashSet<string> Unmetered = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(CustomerCareHub.LeaveTicket),
        nameof(CustomerCareHub.Typing),
    };

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var http = context.Context.GetHttpContext();
        // WebSockets and SSE keep the connect request's HttpContext with its tenant feature; long polling gets a
        // copy without features, but the connection is started inside that request, where the tenant is current.
        var tenant = http?.GetCustomerCareTenant() ?? tenantAccessor.Current;
        if (tenant is null)
        {
            Refused(logger, "no tenant");
            throw new HubException("tenant-not-found: The tenant was not found.");
        }

        using (tenantSetter.BeginScope(tenant))
        {
            var resolver = context.ServiceProvider.GetRequiredService<IActorResolver>();
            Actor? actor;
            try
            {
                actor = context.Context.User is { } user ? await resolver.ResolveAsync(user, tenant, context.Context.ConnectionAborted) : null;
            }
            catch (CustomerCareException ex)
            {
                throw RealtimeErrors.From(ex);
            }
            if (actor is null)
            {
                Refused(logger, "not signed in to tenant " + tenant.TenantId);
                throw new HubException(RealtimeErrors.Unauthorized);
            }
            RealtimeConnection.Pin(context.Context, new RealtimeConnection(tenant, actor));
            await next(context);
        }
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var connection = RealtimeConnection.Get(invocation.Context);
        var store = invocation.ServiceProvider.GetRequiredService<ITenantStore>();
        // By identifier, like every HTTP request: read through the tenant cache rather than once per hub call.
        var tenant = await store.FindByIdentifierAsync(connection.Tenant.Tenant.Identifier, invocation.Context.ConnectionAborted);
        // Like the HTTP API's 503: refused while suspended, served again once resumed.
        if (tenant is null || tenant.Status != TenantStatus.Active) throw new HubException(RealtimeErrors.TenantUnavailable);

        using var _ = tenantSetter.BeginScope(new TenantContext(tenant));
        if (!Unmetered.Contains(invocation.HubMethodName) && !limiter.TryAcquire(invocation.Context.ConnectionId, out var retryAfter))
        {
            // Once per burst, not once per refused call: a flood must not flood the log too.
            if (!connection.RateLimited) RateLimited(logger, tenant.Id, invocation.HubMethodName);
            connection.RateLimited = true;
            throw RealtimeErrors.RateLimited(retryAfter);
        }
        connection.RateLimited = false;
        try
        {
            return await next(invocation);
        }
        catch (CustomerCareException ex)
        {
            throw RealtimeErrors.From(ex);
        }
        catch (Exception ex) when (ex is not HubException and not OperationCanceledException)
        {
            // SignalR logs every failed call, refused ones (HubException) included, as an error under
            // Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher; log the unexpected ones here so
            // that a host can raise that category's level and keep refused calls out of its error log.
            Unexpected(logger, ex, invocation.HubMethodName, tenant.Id);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (RealtimeConnection.Find(context.Context) is not { } connection) return;
        using var _ = tenantSetter.BeginScope(connection.Tenant);
        await next(context, exception);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Hub connection refused: {Reason}")]
    private static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Hub rate limit reached in tenant {TenantId} calling {Method}")]
    private static partial void RateLimited(ILogger logger, string tenantId, string method);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Hub call {Method} failed in tenant {TenantId}")]
    private static partial void Unexpected(ILogger logger, Exception ex, string method, string tenantId);
}
