using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CustomerCare.Notifications.MailKit;

/// <summary>Where the pickup-folder channel writes mail, validated when the host starts.</summary>
public sealed class PickupFolderNotificationOptions
{
    /// <summary>The folder (created when missing) that receives one <c>.eml</c> file per notification (required).</summary>
    public string Folder { get; set; } = "";

    /// <summary>Sender address for tenants that set none.</summary>
    public string DefaultSenderAddress { get; set; } = "helpdesk@localhost";

    /// <summary>Right-hand side of <c>Message-ID</c>s; default: the domain of the tenant's sender address.</summary>
    public string? MessageIdDomain { get; set; }
}

internal sealed class PickupFolderNotificationOptionsValidator : IValidateOptions<PickupFolderNotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, PickupFolderNotificationOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Folder)) failures.Add("CustomerCare pickup folder: Folder is required.");
        if (!System.Net.Mail.MailAddress.TryCreate(options.DefaultSenderAddress, out _)) failures.Add("CustomerCare pickup folder: DefaultSenderAddress must be an email address.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Development mail: writes each notification as an <c>.eml</c> file (exactly the MIME message the SMTP
/// channel would send) to a folder instead of sending it. The file is named by the notification id, so a
/// resend after a crash replaces the file instead of adding a second one.
/// </summary>
public sealed partial class PickupFolderNotificationChannel(IOptions<PickupFolderNotificationOptions> options, ILogger<PickupFolderNotificationChannel> logger) : INotificationChannel
{
    /// <inheritdoc />
    public string Name => SmtpNotificationChannel.ChannelName;

    /// <inheritdoc />
    public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var settings = options.Value;
        using var message = SmtpNotificationChannel.CreateMessage(notification, new SmtpNotificationOptions
        {
            DefaultSenderAddress = settings.DefaultSenderAddress,
            MessageIdDomain = settings.MessageIdDomain,
        });
        message.Prepare(EncodingConstraint.EightBit);
        Directory.CreateDirectory(settings.Folder);
        var n = notification.Notification;
        var file = Path.Combine(settings.Folder, $"{n.CreatedAt.UtcDateTime:yyyyMMddHHmmssfff}-{n.Id:N}.eml");
        var temporary = file + ".tmp";
        await message.WriteToAsync(temporary, cancellationToken);
        // Readers never see a half-written file.
        File.Move(temporary, file, overwrite: true);
        Written(logger, NotificationKinds.Name(n.Kind), file);
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Mail ({Kind}) written to {File}")]
    private static partial void Written(ILogger logger, string kind, string file);
}
