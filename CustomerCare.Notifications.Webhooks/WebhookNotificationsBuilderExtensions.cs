using CustomerCare;
using CustomerCare.Notifications;
using CustomerCare.Notifications.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Delivers CustomerCare's notifications as signed webhooks.</summary>
public static class WebhookNotificationsBuilderExtensions
{
    /// <summary>
    /// Adds the <c>webhook</c> channel: every notification is also POSTed, HMAC-SHA256 signed, to the URL in
    /// <paramref name="configure"/>, with the outbox's retries and dead letters.
    /// </summary>
    public static CustomerCareBuilder AddWebhookNotifications(this CustomerCareBuilder builder, Action<WebhookNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<WebhookNotificationOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookNotificationOptions>, WebhookNotificationOptionsValidator>());
        builder.Services.AddHttpClient(WebhookNotificationChannel.HttpClientName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, WebhookNotificationChannel>());
        return builder;
    }
}
