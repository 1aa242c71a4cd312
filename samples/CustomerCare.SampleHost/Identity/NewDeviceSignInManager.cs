using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CustomerCare.Notifications;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CustomerCare.SampleHost.Identity;

/// <summary>
/// Identity's sign-in manager that also recognises devices: each successful sign-in remembers a hash
/// of the browser's User-Agent for the user, and a sign-in from a device not seen before (after the
/// first one) writes a <see cref="NotificationKind.NewDeviceLogin"/> notification to the outbox.
/// </summary>
internal sealed class NewDeviceSignInManager(
    UserManager<SampleUser> users,
    IHttpContextAccessor http,
    IUserClaimsPrincipalFactory<SampleUser> claims,
    IOptions<IdentityOptions> options,
    ILogger<SignInManager<SampleUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<SampleUser> confirmation,
    INotificationOutbox outbox,
    TimeProvider time)
    : SignInManager<SampleUser>(users, http, claims, options, logger, schemes, confirmation)
{
    private const string Provider = "CustomerCare";

    public override async Task SignInWithClaimsAsync(SampleUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
        if (Context.Items.ContainsKey(SignInHistory.RefreshOnly)) return;
        var request = Context.Request;
        var agent = request.Headers.UserAgent.ToString();
        var device = "device:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agent)))[..32];
        var seen = await UserManager.GetAuthenticationTokenAsync(user, Provider, device) is not null;
        var description = string.IsNullOrWhiteSpace(agent) ? "an unknown browser" : agent.Length > 200 ? agent[..200] : agent;
        var address = Context.Connection.RemoteIpAddress?.ToString();
        var known = await UserManager.GetAuthenticationTokenAsync(user, Provider, "devices");
        await SignInHistory.AddAsync(UserManager, user, new SignInRecord(time.GetUtcNow(), description, address, NewDevice: !seen && known is not null));
        if (seen) return;

        await UserManager.SetAuthenticationTokenAsync(user, Provider, device, "1");
        await UserManager.SetAuthenticationTokenAsync(user, Provider, "devices", known is null ? "1" : "2");
        if (known is null || string.IsNullOrEmpty(user.Email)) return;   // The first device is not news.

        await outbox.EnqueueAsync(new NotificationRequest(NotificationKind.NewDeviceLogin, user.Id, user.Email)
        {
            RecipientName = user.DisplayName ?? user.Email,
            Values = new Dictionary<string, string>
            {
                ["device.description"] = address is null ? description : $"{description} (from {address})",
                ["login.time"] = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            },
        }, Context.RequestAborted);
    }
}
