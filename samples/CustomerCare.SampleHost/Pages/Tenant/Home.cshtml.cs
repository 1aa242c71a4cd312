using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary><c>/t/{tenant}</c>: the tickets of a signed-in person, otherwise the sign-in page.</summary>
public sealed class HomeModel : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>Redirects.</summary>
    public IActionResult OnGet() => Redirect(Actor is null ? Path("/login") : HomeFor(Actor));
}
