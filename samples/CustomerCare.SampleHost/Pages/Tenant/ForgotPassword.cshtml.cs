using System.Text;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>Mails a link to the reset-password page (the same answer whether or not the account exists).</summary>
public sealed class ForgotPasswordModel(UserManager<SampleUser> users, IEmailSender<SampleUser> mail) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>The email typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Whether the answer is shown.</summary>
    public bool Sent { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Sends the link when the account exists and is confirmed.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Email = Email?.Trim();
        if (string.IsNullOrEmpty(Email))
        {
            Errors["email"] = ["Enter your email."];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (await users.FindByEmailAsync(Email) is { EmailConfirmed: true } user)
        {
            var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
            await mail.SendPasswordResetLinkAsync(user, Email, $"{Request.Scheme}://{Request.Host}{Path("/reset-password")}?email={Uri.EscapeDataString(Email)}&code={code}");
        }
        Sent = true;
        return Page();
    }
}
