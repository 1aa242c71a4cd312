using System.Text;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>The link from the reset mail: sets a new password.</summary>
public sealed class ResetPasswordModel(UserManager<SampleUser> users) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>The account's email.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Email { get; set; }

    /// <summary>The code from the mail.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    /// <summary>The new password.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Resets the password, then goes to sign-in.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var user = string.IsNullOrWhiteSpace(Email) ? null : await users.FindByEmailAsync(Email.Trim());
        string? token = null;
        try
        {
            if (!string.IsNullOrEmpty(Code)) token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(Code));
        }
        catch (FormatException)
        {
        }
        if (string.IsNullOrEmpty(Password)) Errors["password"] = ["Choose a password."];
        else if (user is null || token is null) Errors["email"] = ["This link is not valid for this email. Ask for a new link."];
        else
        {
            var result = await users.ResetPasswordAsync(user, token, Password);
            if (result.Succeeded) return Redirect($"{Path("/login")}?reason=reset");
            foreach (var error in result.Errors)
            {
                var field = error.Code == "InvalidToken" ? "email" : "password";
                var message = error.Code == "InvalidToken" ? "This link is not valid any more. Ask for a new link." : error.Description;
                Errors[field] = [.. (Errors.TryGetValue(field, out var before) ? before : []), message];
            }
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
