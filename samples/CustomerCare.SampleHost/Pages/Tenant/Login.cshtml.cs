using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>Signs in with the Identity application cookie; the account is this tenant's (users are tenant-scoped).</summary>
public sealed class LoginModel(SignInManager<SampleUser> signIn) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>The email typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>The password typed.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Where to go after signing in (a path of this tenant).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the person is here (session expired, another tenant's session, sign-in failed).</summary>
    public string? Notice { get; private set; }

    /// <summary>Shows the form, with the reason for being sent here.</summary>
    public IActionResult OnGet(string? reason)
    {
        if (Actor is not null && string.IsNullOrEmpty(reason)) return RedirectInTenant(ReturnUrl, HomeFor(Actor));
        Notice = reason switch
        {
            "expired" => "Your session has expired. Please sign in again.",
            "other-tenant" => $"You are signed in to another organisation. Sign in with your {Tenant.Name} account to continue.",
            "signin" => "Please sign in to continue.",
            "confirmed" => "Thank you for confirming your email. You can sign in now.",
            "reset" => "Your password was changed. Sign in with the new one.",
            "deleted" => "Your account was deleted.",
            _ => null,
        };
        return Page();
    }

    /// <summary>Checks the password; on success goes to the return URL or the role's home.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email)) Errors["email"] = ["Enter your email."];
        if (string.IsNullOrEmpty(Password)) Errors["password"] = ["Enter your password."];
        if (Errors.Count > 0)
        {
            Notice = string.Join(" ", Errors.Values.SelectMany(v => v));
            return Page();
        }
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var result = await signIn.PasswordSignInAsync(Email!.Trim(), Password!, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return RedirectInTenant(ReturnUrl, Path("/tickets"));
        Notice = result.IsLockedOut ? "Too many failed attempts. Your account is locked for 15 minutes; try again later or reset your password."
            : result.IsNotAllowed ? "Please confirm your email first: open the link in the mail we sent you."
            : "The email or password is not right.";
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
