using CustomerCare.AspNetCore.MultiTenancy;

namespace CustomerCare.AspNetCore;

/// <summary>Chooses how requests are mapped to tenants; strategies run in the order added, first match wins.</summary>
public sealed class TenancyBuilder
{
    internal List<ITenantResolutionStrategy> Strategies { get; } = [];

    /// <summary>Reads the tenant from a route value (e.g. <c>tenant</c> in <c>/t/{tenant}/api</c>).</summary>
    public TenancyBuilder WithRouteStrategy(string parameterName = "tenant")
    {
        Strategies.Add(new RouteTenantStrategy(parameterName));
        return this;
    }

    /// <summary>Reads the tenant from a header (e.g. <c>X-Tenant</c>).</summary>
    public TenancyBuilder WithHeaderStrategy(string headerName = "X-Tenant")
    {
        Strategies.Add(new HeaderTenantStrategy(headerName));
        return this;
    }

    /// <summary>Reads the tenant from the host name (e.g. <c>{tenant}.helpdesk.example</c>).</summary>
    public TenancyBuilder WithHostStrategy(string template)
    {
        Strategies.Add(new HostTenantStrategy(template));
        return this;
    }

    /// <summary>Adds a custom strategy.</summary>
    public TenancyBuilder WithStrategy(ITenantResolutionStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        Strategies.Add(strategy);
        return this;
    }
}
