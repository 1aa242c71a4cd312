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
}
