using System.Security.Claims;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
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
internal sealed class ClaimsActorResolver(IActorDirectory directory, CustomerManager customers, ActorCache cache, IOptions<CustomerCareOptions> options) : IActorResolver
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

        if (cache.TryGet(tenant.TenantId, userId, out var cached)) return cached;
        var version = cache.Version;

        var email = principal.FindFirst(claims.EmailClaimType)?.Value;
        var name = principal.FindFirst(claims.NameClaimType)?.Value ?? email ?? userId;

        Actor actor;
        var entries = await directory.FindAsync(userId, cancellationToken);
        var member = entries.FirstOrDefault(e => e.IsStaff);
        var customer = entries.FirstOrDefault(e => !e.IsStaff);
        if (member is { IsActive: true })
        {
            actor = new Actor(tenant.TenantId, userId, member.Role, member.DisplayName, member.Email);
        }
        else if (customer is not null)
        {
            // An existing profile is used as stored (claims do not rename it), so the actor depends on the user id alone.
            if (customer.IsErased) return null;
            actor = new Actor(tenant.TenantId, userId, ActorRole.Customer, customer.DisplayName, customer.Email);
        }
        else
        {
            // First call: record the customer so admins can list them.
            var profile = await customers.EnsureProfileAsync(userId, Truncate(name, 200), email is null ? null : Truncate(email, 254), cancellationToken);
            if (profile.ErasedAt is not null) return null;
            actor = new Actor(tenant.TenantId, userId, ActorRole.Customer, profile.DisplayName, profile.Email);
        }
        cache.Set(actor, version);
        return actor;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>
/// Callers resolved by <see cref="ClaimsActorResolver"/>, per tenant and user id, for <see cref="CacheOptions.ActorDuration"/>.
/// Staff changes and customer erasure made through this host clear the affected entries at once.
/// </summary>
internal sealed class ActorCache(TimeProvider time, IOptions<CustomerCareOptions> options)
{
    private readonly Caching.ExpiringCache<(string TenantId, string UserId), Actor> _entries = new(time, options.Value.Caching.MaxActors);

    /// <summary>Take before reading the directory, pass to <see cref="Set"/>.</summary>
    public long Version => _entries.Version;

    public bool TryGet(string tenantId, string userId, out Actor actor) => _entries.TryGet((tenantId, userId), out actor);

    public void Set(Actor actor, long versionBeforeRead) => _entries.Set((actor.TenantId, actor.UserId), actor, options.Value.Caching.ActorDuration, versionBeforeRead);

    /// <summary>Forgets one caller (erased, or their staff entry changed).</summary>
    public void Invalidate(string tenantId, string userId) => _entries.Remove((tenantId, userId));

    /// <summary>Forgets every caller of a tenant (its staff directory changed).</summary>
    public void InvalidateTenant(string tenantId) => _entries.RemoveWhere(key => string.Equals(key.TenantId, tenantId, StringComparison.Ordinal));
}
