using CustomerCare;
using CustomerCare.Notifications;
using CustomerCare.Notifications.MailKit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Sends CustomerCare's notifications by email through SMTP (MailKit).</summary>
public static class SmtpNotificationsBuilderExtensions
{
    /// <summary>
    /// Adds the <c>email</c> channel: notifications are sent through the SMTP server in
    /// <paramref name="configure"/> (host, port, TLS mode, credentials), validated when the host starts.
    /// </summary>
    public static CustomerCareBuilder AddSmtpNotifications(this CustomerCareBuilder builder, Action<SmtpNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<SmtpNotificationOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpNotificationOptions>, SmtpNotificationOptionsValidator>());
        builder.Services.TryAddSingleton<SmtpNotificationChannel>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, SmtpNotificationChannel>(sp => sp.GetRequiredService<SmtpNotificationChannel>()));
        return builder;
    }

    /// <summary>
    /// Adds an <c>email</c> channel for development: each notification is written as an <c>.eml</c> file to a
    /// folder (the same MIME message SMTP would carry) instead of being sent.
    /// </summary>
    public static CustomerCareBuilder AddPickupFolderNotifications(this CustomerCareBuilder builder, Action<PickupFolderNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<PickupFolderNotificationOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PickupFolderNotificationOptions>, PickupFolderNotificationOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, PickupFolderNotificationChannel>());
        return builder;
    }
}
