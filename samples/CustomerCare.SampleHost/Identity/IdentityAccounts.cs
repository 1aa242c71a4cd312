using System.Text;
using CustomerCare.Customers;
using CustomerCare.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace CustomerCare.SampleHost.Identity;

/// <summary>
/// Creates the Identity account of a staff member an admin adds, and mails them a link to set a
/// password (the reset-password flow of the Identity API).
/// </summary>
internal sealed class IdentityStaffAccountProvisioner(UserManager<SampleUser> users, IEmailSender<SampleUser> mail, IHttpContextAccessor http)
    : IStaffAccountProvisioner
{
    public async Task<string> ProvisionAsync(string tenantId, string email, string displayName, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new SampleUser { TenantId = tenantId, UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
                throw new CustomerCare.Errors.ValidationException("email", string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
        var request = http.HttpContext?.Request;
        var tenantSlug = http.HttpContext?.GetRouteValue("tenant") as string ?? tenantId;
        var link = request is null
            ? $"code: {token}"
            : $"{request.Scheme}://{request.Host}/t/{tenantSlug}/reset-password?email={Uri.EscapeDataString(email)}&code={token}\n\n"
              + $"(API clients: {request.Scheme}://{request.Host}/t/{tenantSlug}/api/auth/resetPassword (POST {{\"email\":\"{email}\",\"resetCode\":\"{token}\",\"newPassword\":\"...\"}}))";
        await mail.SendPasswordResetLinkAsync(user, email, link);
        return user.Id;
    }
}

/// <summary>Deletes the Identity account of a person whose personal data is erased.</summary>
internal sealed class IdentityAccountEraser(UserManager<SampleUser> users) : IUserAccountEraser
{
    public async Task EraseAccountAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is not null && user.TenantId == tenantId) await users.DeleteAsync(user);
    }
}
