using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CustomerCare.AspNetCore.MultiTenancy;

/// <summary>Finds the tenant identifier of a request (route value, header, host name, …).</summary>
public interface ITenantResolutionStrategy
{
    /// <summary>Returns the identifier, or <c>null</c> when this strategy finds none.</summary>
    ValueTask<string?> GetIdentifierAsync(HttpContext context);
}

/// <summary>Reads the identifier from a route value such as <c>/t/{tenant}/api</c>.</summary>
public sealed class RouteTenantStrategy(string parameterName) : ITenantResolutionStrategy
{
    /// <inheritdoc />
    public ValueTask<string?> GetIdentifierAsync(HttpContext context)
        => ValueTask.FromResult(context.GetRouteValue(parameterName) as string);
}

/// <summary>Reads the identifier from a request header such as <c>X-Tenant</c>.</summary>
public sealed class HeaderTenantStrategy(string headerName) : ITenantResolutionStrategy
{
    /// <inheritdoc />
    public ValueTask<string?> GetIdentifierAsync(HttpContext context)
    {
        var value = context.Request.Headers[headerName].ToString();
        return ValueTask.FromResult(string.IsNullOrWhiteSpace(value) ? null : value.Trim());
    }
}

/// <summary>
/// Reads the identifier from the host name with a template such as <c>{tenant}.helpdesk.example</c>:
/// the label in the template's <c>{tenant}</c> position.
/// </summary>
public sealed class HostTenantStrategy : ITenantResolutionStrategy
{
    private readonly string[] _labels;
    private readonly int _index;

    /// <summary>Creates the strategy for a host template containing <c>{tenant}</c> as one label.</summary>
    public HostTenantStrategy(string template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        _labels = template.ToLowerInvariant().Split('.');
        _index = Array.IndexOf(_labels, "{tenant}");
        if (_index < 0) throw new ArgumentException("The host template must contain {tenant} as one label, e.g. {tenant}.helpdesk.example.", nameof(template));
    }

    /// <inheritdoc />
    public ValueTask<string?> GetIdentifierAsync(HttpContext context)
    {
        var labels = context.Request.Host.Host.ToLowerInvariant().Split('.');
        if (labels.Length != _labels.Length) return ValueTask.FromResult<string?>(null);
        for (var i = 0; i < labels.Length; i++)
        {
            if (i != _index && _labels[i] != "*" && labels[i] != _labels[i]) return ValueTask.FromResult<string?>(null);
        }
        return ValueTask.FromResult<string?>(labels[_index]);
    }
}
