using System.Net.Mail;
using System.Text;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>Registers a customer of this tenant and mails a link to confirm the email.</summary>
public sealed class RegisterModel(UserManager<SampleUser> users, IEmailSender<SampleUser> mail) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>Display name.</summary>
    [BindProperty]
    public string? Name { get; set; }

    /// <summary>Email.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Password.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Whether the confirmation mail went out.</summary>
    public bool Sent { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Creates the account (unconfirmed) and mails the confirmation link.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Name = Name?.Trim();
        Email = Email?.Trim();
        if (string.IsNullOrEmpty(Name)) Errors["name"] = ["Enter your name."];
        else if (Name.Length > 100) Errors["name"] = ["Your name must be at most 100 characters."];
        if (string.IsNullOrEmpty(Email)) Errors["email"] = ["Enter your email."];
        else if (Email.Length > 254 || !MailAddress.TryCreate(Email, out var parsed) || parsed.Address != Email) Errors["email"] = ["Enter an email address like name@example.com."];
        if (string.IsNullOrEmpty(Password)) Errors["password"] = ["Choose a password."];
        if (Errors.Count == 0)
        {
            var existing = await users.FindByEmailAsync(Email!);
            if (existing is null)
            {
                var user = new SampleUser { UserName = Email, Email = Email, DisplayName = Name };
                var created = await users.CreateAsync(user, Password!);
                if (!created.Succeeded)
                {
                    foreach (var error in created.Errors)
                    {
                        var field = error.Code.Contains("Password", StringComparison.Ordinal) ? "password"
                            : error.Code.Contains("Email", StringComparison.Ordinal) || error.Code.Contains("UserName", StringComparison.Ordinal) ? "email" : "name";
                        Errors[field] = [.. (Errors.TryGetValue(field, out var before) ? before : []), error.Description];
                    }
                }
                else
                {
                    var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
                    var link = $"{Request.Scheme}://{Request.Host}{Path("/confirm-email")}?userId={Uri.EscapeDataString(user.Id)}&code={code}";
                    await mail.SendConfirmationLinkAsync(user, Email!, link);
                }
            }
            // An address that already has an account gets the same answer (no account oracle).
        }
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Sent = true;
        return Page();
    }
}
