using System.Security.Claims;
using CustomerCare.MultiTenancy;

namespace CustomerCare.Actors;

/// <summary>The role of a person in one tenant.</summary>
public enum ActorRole
{
    /// <summary>Raises tickets and chats about their own tickets.</summary>
    Customer = 0,

    /// <summary>Works the tickets assigned to them.</summary>
    Agent = 1,

    /// <summary>Sees everything in the tenant, assigns tickets, manages staff and customers.</summary>
    Admin = 2,
}

/// <summary>Who is calling: a host user in one tenant with a role there.</summary>
/// <param name="TenantId">The tenant the actor acts in.</param>
/// <param name="UserId">The host's user id (from the principal).</param>
/// <param name="Role">The role in this tenant.</param>
/// <param name="DisplayName">Name shown to others.</param>
/// <param name="Email">Email address, when known.</param>
public sealed record Actor(string TenantId, string UserId, ActorRole Role, string DisplayName, string? Email)
{
    /// <summary>Whether the actor is an agent or an admin.</summary>
    public bool IsStaff => Role is ActorRole.Agent or ActorRole.Admin;
}

/// <summary>
/// Turns an authenticated principal into an <see cref="Actor"/> of the current tenant.
/// Replace it (<c>builder.ReplaceActorResolver&lt;T&gt;()</c>) to map a host's own claims.
/// </summary>
public interface IActorResolver
{
    /// <summary>
    /// Resolves the actor, or returns <c>null</c> when the principal is not signed in or does not
    /// belong to <paramref name="tenant"/> (a token issued for another tenant).
    /// </summary>
    Task<Actor?> ResolveAsync(ClaimsPrincipal principal, TenantContext tenant, CancellationToken cancellationToken);
}
