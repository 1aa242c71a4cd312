using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace CustomerCare.Notifications.Webhooks;

/// <summary>Where webhooks go and how they are signed, validated when the host starts.</summary>
public sealed class WebhookNotificationOptions
{
    /// <summary>The receiver's absolute http(s) URL (required).</summary>
    public string Url { get; set; } = "";

    /// <summary>The shared secret the signature is made with (at least 16 characters). Never logged.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Timeout of one delivery. Default 15 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}

internal sealed class WebhookNotificationOptionsValidator : IValidateOptions<WebhookNotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookNotificationOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            failures.Add("CustomerCare webhooks: Url must be an absolute http or https URL.");
        if (string.IsNullOrEmpty(options.Secret) || options.Secret.Length < 16) failures.Add("CustomerCare webhooks: Secret must be at least 16 characters.");
        if (options.Timeout <= TimeSpan.Zero) failures.Add("CustomerCare webhooks: Timeout must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// How webhooks are signed: <c>X-CustomerCare-Signature: v1={hex HMAC-SHA256 of "{timestamp}.{body}"}</c>
/// with the Unix time of <c>X-CustomerCare-Timestamp</c>. Receivers verify with <see cref="Verify"/>.
/// </summary>
public static class WebhookSignature
{
    /// <summary>Header with the signature.</summary>
    public const string SignatureHeader = "X-CustomerCare-Signature";

    /// <summary>Header with the Unix time (seconds) the request was signed at.</summary>
    public const string TimestampHeader = "X-CustomerCare-Timestamp";

    /// <summary>Header with the notification id (the same on every retry: use it to drop duplicates).</summary>
    public const string IdHeader = "X-CustomerCare-Notification-Id";

    /// <summary>Signs a body: <c>v1=</c> and the hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c>.</summary>
    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return "v1=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>Checks a received webhook: the signature matches (in constant time) and the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string? timestampHeader, string body, string? signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || signatureHeader is null) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > tolerance) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader.Trim()));
    }
}

/// <summary>
/// Delivers notifications as signed JSON POSTs (see <see cref="WebhookSignature"/>) so a host can plug in
/// SMS or chat apps; retries and dead letters are the outbox's. 2xx is delivered; 408, 429 and 5xx are
/// retried; other 4xx are permanent.
/// </summary>
public sealed class WebhookNotificationChannel(IHttpClientFactory httpClients, IOptions<WebhookNotificationOptions> options, TimeProvider time) : INotificationChannel
{
    /// <summary>The channel's name on outbox rows.</summary>
    public const string ChannelName = "webhook";

    /// <summary>The named <see cref="HttpClient"/> the channel uses.</summary>
    public const string HttpClientName = "CustomerCare.Webhooks";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string Name => ChannelName;

    /// <inheritdoc />
    public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification.Notification;
        var body = JsonSerializer.Serialize(new
        {
            id = n.Id,
            tenant = notification.Tenant.Identifier,
            kind = NotificationKinds.Name(n.Kind),
            optional = notification.IsOptional,
            recipient = new { userId = n.RecipientUserId, address = n.RecipientAddress, name = n.RecipientName },
            ticket = n.TicketId is null ? null : new { id = n.TicketId, number = n.TicketReference },
            subject = notification.Subject,
            text = notification.Text,
            createdAt = n.CreatedAt,
        }, Json);
        var settings = options.Value;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.IdHeader, n.Id.ToString("D"));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(settings.Secret, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        var message = $"The webhook receiver answered {status} {response.ReasonPhrase}.";
        if (status is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
            throw new PermanentNotificationException(message);
        throw new HttpRequestException(message, null, response.StatusCode);
    }
}
