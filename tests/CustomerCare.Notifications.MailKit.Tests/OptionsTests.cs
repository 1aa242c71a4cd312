using CustomerCare.Notifications.MailKit;
using CustomerCare.Notifications.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.Notifications.MailKit.Tests;

/// <summary>SMTP and webhook options are validated when the host starts, with messages that say what to fix and never echo a secret.</summary>
public sealed class OptionsTests
{
    /// <summary>Starts a host that must fail; returns the messages of every options validation failure.</summary>
    private static async Task<(string Message, int Failures)> StartFailsAsync(Action<CustomerCareBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        configure(builder.Services.AddCustomerCare());
        using var host = builder.Build();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));
        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions.ToList() : [error];
        Assert.All(failures, f => Assert.IsType<OptionsValidationException>(f));
        return (string.Join("\n", failures.Select(f => f.Message)), failures.Count);
    }

    [Fact]
    public async Task Smtp_options_are_validated_on_start_without_echoing_the_password()
    {
        var (error, _) = await StartFailsAsync(cc => cc.AddSmtpNotifications(o =>
        {
            o.Host = "";
            o.Port = 70000;
            o.Password = "s3cret-Pa55word";
            o.Tls = (SmtpTlsMode)9;
            o.DefaultSenderAddress = "not an address";
        }));

        Assert.Contains("Host is required", error, StringComparison.Ordinal);
        Assert.Contains("Port must be between 1 and 65535", error, StringComparison.Ordinal);
        Assert.Contains("both UserName and Password", error, StringComparison.Ordinal);
        Assert.Contains("Tls must be", error, StringComparison.Ordinal);
        Assert.Contains("DefaultSenderAddress", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55word", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_options_and_notification_options_are_validated_on_start()
    {
        var (error, failures) = await StartFailsAsync(cc => cc.AddWebhookNotifications(o => { o.Url = "ftp://example.test/hook"; o.Secret = "short"; })
            .ConfigureNotifications(o => { o.MaxAttempts = 0; o.MessageBatchWindow = TimeSpan.FromHours(2); }));

        Assert.Contains("Url must be an absolute http or https URL", error, StringComparison.Ordinal);
        Assert.Contains("Secret must be at least 16 characters", error, StringComparison.Ordinal);
        Assert.Equal(2, failures);
        Assert.DoesNotContain("\"short\"", error, StringComparison.Ordinal);

        var (core, _) = await StartFailsAsync(cc => cc.ConfigureNotifications(o => { o.MaxAttempts = 0; o.MessageBatchWindow = TimeSpan.FromHours(2); }));
        Assert.Contains("MaxAttempts must be between 1 and 100", core, StringComparison.Ordinal);
        Assert.Contains("MessageBatchWindow must be between 0 and 1 hour", core, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_smtp_options_pass()
    {
        var result = new SmtpNotificationOptionsValidator().Validate(null, new SmtpNotificationOptions
        {
            Host = "smtp.example.com", Port = 465, Tls = SmtpTlsMode.Ssl, UserName = "mailer", Password = "pw", UnsubscribeUrl = "https://help.example.com/t/{tenant}/preferences",
        });
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
