using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>Signs out (POST only, with the antiforgery token).</summary>
public sealed class LogoutModel(SignInManager<SampleUser> signIn) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>Shows the signed-out page.</summary>
    public IActionResult OnGet() => Actor is null ? Page() : Redirect(HomeFor(Actor));

    /// <summary>Removes the cookie.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        await signIn.SignOutAsync();
        return Redirect(Path("/logout"));
    }
}
