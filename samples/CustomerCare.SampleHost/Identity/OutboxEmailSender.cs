using System.Net;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using Microsoft.AspNetCore.Identity;

namespace CustomerCare.SampleHost.Identity;

/// <summary>
/// Identity's mail (email confirmation, password reset) goes through CustomerCare's outbox like every
/// other notification: written to the database first, then delivered by the dispatcher through the
/// configured channel (SMTP, or the pickup folder in development), with retries and dead letters, and
/// rendered with the tenant's sender and templates. Reset codes are erased from the outbox once sent.
/// </summary>
/// <remarks>A singleton (Identity's endpoints resolve the sender once); each mail is written in a scope of its own.</remarks>
internal sealed class OutboxEmailSender(IServiceScopeFactory scopes, ITenantContextAccessor tenant) : IEmailSender<SampleUser>
{
    public Task SendConfirmationLinkAsync(SampleUser user, string email, string confirmationLink)
        => EnqueueAsync(NotificationKind.EmailConfirmation, user, email, "confirm.link", WebUtility.HtmlDecode(confirmationLink));

    public Task SendPasswordResetLinkAsync(SampleUser user, string email, string resetLink)
        => EnqueueAsync(NotificationKind.PasswordReset, user, email, "reset.instructions", $"Set your password here:\n\n{WebUtility.HtmlDecode(resetLink)}");

    public Task SendPasswordResetCodeAsync(SampleUser user, string email, string resetCode)
        => EnqueueAsync(NotificationKind.PasswordReset, user, email, "reset.instructions",
            $"Your password reset code is:\n\n{resetCode}\n\nPOST it with your email and new password to /t/{tenant.Current?.Tenant.Identifier}/api/auth/resetPassword.");

    // IEmailSender has no cancellation token; the write is one short transaction.
    private async Task EnqueueAsync(NotificationKind kind, SampleUser user, string email, string key, string value)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<INotificationOutbox>().EnqueueAsync(new NotificationRequest(kind, user.Id, email)
        {
            RecipientName = user.DisplayName ?? email,
            Values = new Dictionary<string, string> { [key] = value },
        }, CancellationToken.None);
    }
}
