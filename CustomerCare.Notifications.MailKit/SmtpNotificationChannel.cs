using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CustomerCare.Notifications.MailKit;

/// <summary>
/// Sends notifications as mail through SMTP with MailKit. Each mail has <c>Message-ID: &lt;{notification id}@{domain}&gt;</c>
/// (the same on a resend after a crash, so mail clients and servers can drop a duplicate),
/// <c>In-Reply-To</c> and <c>References</c> naming the ticket's thread id so all mail of a ticket is one
/// conversation, the ticket number in the subject, a plain-text and an HTML part, the tenant's sender,
/// and <c>List-Unsubscribe</c> on optional kinds. One connection is kept open and reused.
/// </summary>
public sealed partial class SmtpNotificationChannel : INotificationChannel, IAsyncDisposable
{
    /// <summary>The channel's name on outbox rows.</summary>
    public const string ChannelName = "email";

    private readonly SmtpNotificationOptions _options;
    private readonly ILogger<SmtpNotificationChannel> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;
    private int _disposed;

    /// <summary>Creates the channel.</summary>
    public SmtpNotificationChannel(IOptions<SmtpNotificationOptions> options, ILogger<SmtpNotificationChannel> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => ChannelName;

    /// <inheritdoc />
    public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var message = CreateMessage(notification, _options);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = _client is { IsConnected: true };
                try
                {
                    var client = await ConnectedAsync(cancellationToken);
                    await client.SendAsync(message, cancellationToken);
                    return;
                }
                catch (Exception ex) when (reused && attempt == 0 && ex is ServiceNotConnectedException or IOException or SocketException or SmtpProtocolException)
                {
                    // The kept connection went stale while idle (the server closed it): reconnect once.
                    await ResetAsync();
                }
                catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted)
                {
                    await ResetAsync();
                    throw new PermanentNotificationException($"The SMTP server refused the {(ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? "recipient" : "sender")}: {(int)ex.StatusCode} {ex.Message}", ex);
                }
                catch
                {
                    await ResetAsync();
                    throw;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Builds the mail of a rendered notification.</summary>
    internal static MimeMessage CreateMessage(RenderedNotification rendered, SmtpNotificationOptions options)
    {
        var n = rendered.Notification;
        var settings = rendered.Tenant.Settings;
        var senderAddress = string.IsNullOrWhiteSpace(settings.SenderAddress) ? options.DefaultSenderAddress : settings.SenderAddress;
        var sender = new MailboxAddress(settings.SenderName ?? rendered.Tenant.Name, senderAddress);
        var domain = options.MessageIdDomain ?? DomainOf(senderAddress);

        var message = new MimeMessage();
        message.From.Add(sender);
        message.To.Add(new MailboxAddress(n.RecipientName ?? "", n.RecipientAddress));
        var subject = rendered.Subject;
        if (n.TicketReference is { Length: > 0 } reference && !subject.Contains($"[{reference}]", StringComparison.Ordinal))
            subject = $"[{reference}] {subject}";
        message.Subject = subject;
        message.MessageId = $"{n.Id:D}@{domain}";
        message.Date = n.CreatedAt;
        if (n.TicketId is { } ticketId)
        {
            var thread = ThreadId(ticketId, domain);
            message.InReplyTo = thread;
            message.References.Add(thread);
        }
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-CustomerCare-Kind", NotificationKinds.Name(n.Kind));
        if (rendered.IsOptional)
        {
            var url = options.UnsubscribeUrl?.Replace("{tenant}", Uri.EscapeDataString(rendered.Tenant.Identifier), StringComparison.Ordinal);
            message.Headers.Add("List-Unsubscribe", url is null ? $"<mailto:{senderAddress}?subject=unsubscribe%20{NotificationKinds.Name(n.Kind)}>" : $"<{url}>");
            if (url is not null && url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return message;
    }

    /// <summary>The stable id every mail of a ticket refers to (without angle brackets).</summary>
    public static string ThreadId(Guid ticketId, string domain) => $"ticket-{ticketId:D}@{domain}";

    private static string DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        return at >= 0 && at < address.Length - 1 ? address[(at + 1)..] : "customercare.local";
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } connected) return connected;
        await ResetAsync();
        var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        try
        {
            var security = _options.Tls switch
            {
                SmtpTlsMode.Ssl => SecureSocketOptions.SslOnConnect,
                SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(_options.Host, _options.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(_options.UserName))
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? "", cancellationToken);
            Connected(_logger, _options.Host, _options.Port, _options.Tls);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        _client = client;
        return client;
    }

    private async Task ResetAsync()
    {
        var client = _client;
        _client = null;
        if (client is null) return;
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Best effort: the connection is being thrown away.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Closes the kept connection.</summary>
    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a channel: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _gate.WaitAsync();
        try
        {
            await ResetAsync();
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Connected to SMTP server {Host}:{Port} ({Tls})")]
    private static partial void Connected(ILogger logger, string host, int port, SmtpTlsMode tls);
}
