using System.Globalization;
using System.Net;
using System.Text;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Identity;

namespace CustomerCare.SampleHost.Identity;

/// <summary>
/// Development mail: each message is written as an <c>.eml</c> file to a pickup folder instead of
/// being sent, so links and codes can be read without a mail server.
/// </summary>
internal sealed partial class PickupFolderEmailSender(PickupFolder folder, ITenantContextAccessor tenant, TimeProvider time, ILogger<PickupFolderEmailSender> logger)
    : IEmailSender<SampleUser>
{
    public Task SendConfirmationLinkAsync(SampleUser user, string email, string confirmationLink)
        => WriteAsync(email, "Confirm your email",
            $"Welcome! Confirm your email address by opening this link:\n\n{WebUtility.HtmlDecode(confirmationLink)}\n");

    public Task SendPasswordResetLinkAsync(SampleUser user, string email, string resetLink)
        => WriteAsync(email, "Set your password", $"Set your password here:\n\n{WebUtility.HtmlDecode(resetLink)}\n");

    public Task SendPasswordResetCodeAsync(SampleUser user, string email, string resetCode)
        => WriteAsync(email, "Your password reset code",
            $"Your password reset code is:\n\n{resetCode}\n\nPOST it with your email and new password to /t/{tenant.Current?.Tenant.Identifier}/api/auth/resetPassword.\n");

    public async Task WriteAsync(string to, string subject, string body)
    {
        var current = tenant.Current?.Tenant;
        var fromName = current?.Settings.SenderName ?? current?.Name ?? "CustomerCare";
        var fromAddress = current?.Settings.SenderAddress ?? "helpdesk@localhost";
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N");
        var text = new StringBuilder()
            .Append("From: \"").Append(fromName).Append("\" <").Append(fromAddress).Append(">\r\n")
            .Append("To: <").Append(to).Append(">\r\n")
            .Append("Subject: ").Append(subject).Append("\r\n")
            .Append("Date: ").Append(now.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Message-ID: <").Append(id).Append("@customercare.local>\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: 8bit\r\n\r\n")
            .Append(body.Replace("\n", "\r\n", StringComparison.Ordinal))
            .ToString();
        Directory.CreateDirectory(folder.Path);
        var file = Path.Combine(folder.Path, $"{now:yyyyMMddHHmmssfff}-{id}.eml");
        await File.WriteAllTextAsync(file, text, Encoding.UTF8);
        Written(logger, subject, file);
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Mail '{Subject}' written to {File}")]
    private static partial void Written(ILogger logger, string subject, string file);
}

/// <summary>Where development mail is written.</summary>
/// <param name="Path">Absolute folder path.</param>
public sealed record PickupFolder(string Path);
