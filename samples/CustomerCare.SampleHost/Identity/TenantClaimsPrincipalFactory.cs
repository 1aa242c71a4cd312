using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CustomerCare.SampleHost.Identity;

/// <summary>Puts the user's tenant and display name into every token and cookie, so a token of tenant A is refused on tenant B.</summary>
internal sealed class TenantClaimsPrincipalFactory(UserManager<SampleUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<SampleUser>(users, options)
{
    public const string DisplayNameClaim = "customercare:name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(SampleUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim("customercare:tenant", user.TenantId));
        identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName ?? (user.Email ?? user.UserName ?? user.Id).Split('@')[0]));
        return identity;
    }
}
