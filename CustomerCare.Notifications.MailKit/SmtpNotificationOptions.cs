using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace CustomerCare.Notifications.MailKit;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text (only for a local relay or a test server).</summary>
    None = 0,

    /// <summary>Connect in plain text, then upgrade with STARTTLS (required: refuses servers without it). Usually port 587.</summary>
    StartTls = 1,

    /// <summary>TLS from the first byte (implicit TLS). Usually port 465.</summary>
    Ssl = 2,
}

/// <summary>The SMTP server notifications are sent through, validated when the host starts.</summary>
public sealed class SmtpNotificationOptions
{
    /// <summary>Host name of the SMTP server (required).</summary>
    public string Host { get; set; } = "";

    /// <summary>Port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Transport security. Default <see cref="SmtpTlsMode.StartTls"/>.</summary>
    public SmtpTlsMode Tls { get; set; } = SmtpTlsMode.StartTls;

    /// <summary>User name, when the server requires authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>Password of <see cref="UserName"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Sender address for tenants that set none (<c>TenantSettings.SenderAddress</c>).</summary>
    public string DefaultSenderAddress { get; set; } = "helpdesk@localhost";

    /// <summary>
    /// Right-hand side of <c>Message-ID</c>s and of the per-ticket thread id (<c>&lt;ticket-{id}@{domain}&gt;</c>).
    /// Default: the domain of the tenant's sender address.
    /// </summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>
    /// Where recipients turn off optional mail (<c>List-Unsubscribe</c>); <c>{tenant}</c> is replaced by the tenant's
    /// identifier, e.g. <c>https://help.example.com/t/{tenant}/preferences</c>. Default: a <c>mailto:</c> to the sender.
    /// </summary>
    public string? UnsubscribeUrl { get; set; }

    /// <summary>Timeout of each SMTP operation. Default 30 seconds (keep it well below the dispatcher's claim lease).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class SmtpNotificationOptionsValidator : IValidateOptions<SmtpNotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpNotificationOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host)) failures.Add("CustomerCare SMTP: Host is required (e.g. smtp.example.com).");
        if (options.Port is < 1 or > 65535) failures.Add("CustomerCare SMTP: Port must be between 1 and 65535.");
        if (!Enum.IsDefined(options.Tls)) failures.Add("CustomerCare SMTP: Tls must be None, StartTls or Ssl.");
        if (string.IsNullOrEmpty(options.UserName) != string.IsNullOrEmpty(options.Password))
            failures.Add("CustomerCare SMTP: give both UserName and Password, or neither.");
        if (!MailAddress.TryCreate(options.DefaultSenderAddress, out _)) failures.Add("CustomerCare SMTP: DefaultSenderAddress must be an email address.");
        if (options.MessageIdDomain is { } domain && (domain.Length == 0 || domain.Any(c => char.IsWhiteSpace(c) || c is '<' or '>' or '@')))
            failures.Add("CustomerCare SMTP: MessageIdDomain must be a domain name such as example.com.");
        if (options.UnsubscribeUrl is { } url && !Uri.TryCreate(url.Replace("{tenant}", "t", StringComparison.Ordinal), UriKind.Absolute, out _))
            failures.Add("CustomerCare SMTP: UnsubscribeUrl must be an absolute URL.");
        if (options.Timeout <= TimeSpan.Zero) failures.Add("CustomerCare SMTP: Timeout must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
