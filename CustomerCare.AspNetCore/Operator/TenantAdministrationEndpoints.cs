using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CustomerCare.AspNetCore.Operator;

/// <summary>A tenant as the operator API shows it.</summary>
public sealed record TenantResponse(string Id, string Identifier, string Name, TenantStatus Status)
{
    internal static TenantResponse From(TenantInfo t) => new(t.Id, t.Identifier, t.Name, t.Status);
}

/// <summary>
/// The operator API of a host: list tenants, suspend one (every request to it answers 503 while the
/// others keep working — the original registry's "emergency shutdown") and resume it. It carries no
/// authorization of its own: the host must protect it (<c>.RequireAuthorization(...)</c>).
/// </summary>
public static class TenantAdministrationEndpoints
{
    /// <summary>Maps <c>GET /</c>, <c>GET /{id}</c>, <c>POST /{id}/suspend</c> and <c>POST /{id}/resume</c> on <paramref name="endpoints"/>.</summary>
    public static RouteGroupBuilder MapCustomerCareTenantAdministration(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("").WithTags("CustomerCare operator");
        group.MapGet("", ListTenants).WithName("CustomerCare.Operator.ListTenants").WithSummary("All tenants with their status.");
        group.MapGet("/{id}", GetTenant).WithName("CustomerCare.Operator.GetTenant").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/suspend", SuspendTenant).WithName("CustomerCare.Operator.SuspendTenant")
            .WithSummary("Emergency shutdown: the tenant answers 503 until resumed.").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/resume", ResumeTenant).WithName("CustomerCare.Operator.ResumeTenant")
            .WithSummary("Resume a suspended tenant.").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    internal static async Task<Ok<IReadOnlyList<TenantResponse>>> ListTenants(ITenantStore store, CancellationToken cancellationToken)
        => TypedResults.Ok<IReadOnlyList<TenantResponse>>([.. (await store.GetAllAsync(cancellationToken)).Select(TenantResponse.From)]);

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetTenant(string id, ITenantStore store, CancellationToken cancellationToken)
    {
        var tenant = await store.FindByIdAsync(id, cancellationToken);
        return tenant is null ? Problems.TenantNotFound() : TypedResults.Ok(TenantResponse.From(tenant));
    }

    internal static Task<Results<Ok<TenantResponse>, ProblemHttpResult>> SuspendTenant(string id, ITenantStore store, CancellationToken cancellationToken)
        => SetStatus(id, TenantStatus.Suspended, store, cancellationToken);

    internal static Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ResumeTenant(string id, ITenantStore store, CancellationToken cancellationToken)
        => SetStatus(id, TenantStatus.Active, store, cancellationToken);

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> SetStatus(string id, TenantStatus status, ITenantStore store, CancellationToken cancellationToken)
    {
        var tenant = await store.FindByIdAsync(id, cancellationToken);
        if (tenant is null) return Problems.TenantNotFound();
        if (tenant.Status == status)
            return Problems.Create(StatusCodes.Status409Conflict, "invalid-transition", "Nothing to change.", $"The tenant is already {status.ToString().ToLowerInvariant()}.");
        tenant.Status = status;
        await store.UpdateAsync(tenant, cancellationToken);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }
}
