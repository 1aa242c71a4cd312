using System.Security.Claims;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using Microsoft.Extensions.Options;

namespace CustomerCare.Actors;

/// <summary>Which claims of the host's principal CustomerCare reads.</summary>
public sealed class ActorClaimOptions
{
    /// <summary>
    /// Claim naming the tenant a token was issued for. When the principal carries it and it names
    /// another tenant, the caller is treated as not signed in (a token of tenant A is rejected on B).
    /// </summary>
    public string TenantClaimType { get; set; } = "customercare:tenant";

    /// <summary>Whether a principal without the tenant claim is rejected. Turn on when every token carries it.</summary>
    public bool RequireTenantClaim { get; set; }

    /// <summary>Claims holding the user id, first match wins.</summary>
    public IList<string> UserIdClaimTypes { get; } = [ClaimTypes.NameIdentifier, "sub"];

    /// <summary>Claim holding the display name.</summary>
    public string NameClaimType { get; set; } = ClaimTypes.Name;

    /// <summary>Claim holding the email address.</summary>
    public string EmailClaimType { get; set; } = ClaimTypes.Email;
}

/// <summary>
/// The default actor resolver: staff roles come from the tenant's staff directory, everyone else
/// signed in to the tenant is a customer (recorded on first call).
/// </summary>
internal sealed class ClaimsActorResolver(IStaffStore staff, CustomerManager customers, IOptions<CustomerCareOptions> options) : IActorResolver
{
    public async Task<Actor?> ResolveAsync(ClaimsPrincipal principal, TenantContext tenant, CancellationToken cancellationToken)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        var claims = options.Value.Claims;
        var tenantClaim = principal.FindFirst(claims.TenantClaimType)?.Value;
        if (tenantClaim is null ? claims.RequireTenantClaim : !string.Equals(tenantClaim, tenant.TenantId, StringComparison.Ordinal))
            return null;

        string? userId = null;
        foreach (var type in claims.UserIdClaimTypes)
        {
            userId = principal.FindFirst(type)?.Value;
            if (!string.IsNullOrEmpty(userId)) break;
        }
        if (string.IsNullOrEmpty(userId) || userId.Length > 200) return null;

        var email = principal.FindFirst(claims.EmailClaimType)?.Value;
        var name = principal.FindFirst(claims.NameClaimType)?.Value ?? email ?? userId;

        var member = await staff.FindAsync(userId, cancellationToken);
        if (member is { IsActive: true })
            return new Actor(tenant.TenantId, userId, member.Role, member.DisplayName, member.Email);

        var profile = await customers.EnsureProfileAsync(userId, Truncate(name, 200), email is null ? null : Truncate(email, 254), cancellationToken);
        if (profile.ErasedAt is not null) return null;
        return new Actor(tenant.TenantId, userId, ActorRole.Customer, profile.DisplayName, profile.Email);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
