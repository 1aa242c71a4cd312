using System.Text;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>The link from the confirmation mail.</summary>
public sealed class ConfirmEmailModel(UserManager<SampleUser> users) : TenantPageModel
{
    /// <inheritdoc />
    protected override bool RequiresSignIn => false;

    /// <summary>Whether the email is confirmed now.</summary>
    public bool Confirmed { get; private set; }

    /// <summary>Confirms the email of <paramref name="userId"/> with <paramref name="code"/>.</summary>
    public async Task OnGetAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Confirmed = user.EmailConfirmed || (await users.ConfirmEmailAsync(user, token)).Succeeded;
        if (!Confirmed) Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
