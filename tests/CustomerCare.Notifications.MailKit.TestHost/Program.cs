// A host with nothing but CustomerCare's notification dispatcher, for the fault tests:
//   CC_TEST_SQLITE       path of the SQLite database holding the outbox (already migrated and filled)
//   CC_TEST_SMTP_PORT    port of the SMTP sink on 127.0.0.1
//   CC_TEST_SEND_DELAY   milliseconds to wait before each mail (a slow mail server), default 0
//   CC_TEST_TENANTS      comma-separated tenant ids the outbox rows belong to
// It prints "dispatcher started" once running and runs until killed.
using CustomerCare;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Notifications.MailKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

var database = Environment.GetEnvironmentVariable("CC_TEST_SQLITE") ?? throw new InvalidOperationException("Set CC_TEST_SQLITE.");
var port = int.Parse(Environment.GetEnvironmentVariable("CC_TEST_SMTP_PORT") ?? throw new InvalidOperationException("Set CC_TEST_SMTP_PORT."), System.Globalization.CultureInfo.InvariantCulture);
var delay = int.Parse(Environment.GetEnvironmentVariable("CC_TEST_SEND_DELAY") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
var tenants = (Environment.GetEnvironmentVariable("CC_TEST_TENANTS") ?? "bank").Split(',', StringSplitOptions.RemoveEmptyEntries)
    .Select(id => new TenantInfo { Id = id, Identifier = id, Name = $"Tenant {id}", Settings = { SenderName = "Acme Bank Support", SenderAddress = "support@bank.example" } })
    .ToArray();

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCustomerCare(o =>
    {
        o.Notifications.ClaimLease = TimeSpan.FromSeconds(3);
        o.Notifications.BatchSize = 10;
        o.Notifications.PollInterval = TimeSpan.FromMilliseconds(200);
        o.Notifications.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
        o.Notifications.RetryMaxDelay = TimeSpan.FromSeconds(1);
        o.Notifications.MaxAttempts = 100;
    })
    .UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={database}"))
    .AddInMemoryTenants(tenants);
builder.Services.AddOptions<SmtpNotificationOptions>().Configure(o =>
{
    o.Host = "127.0.0.1";
    o.Port = port;
    o.Tls = SmtpTlsMode.None;
});
builder.Services.AddSingleton<SmtpNotificationChannel>();
builder.Services.AddSingleton<INotificationChannel>(sp => new SlowChannel(sp.GetRequiredService<SmtpNotificationChannel>(), delay));

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("dispatcher started");
await host.WaitForShutdownAsync();

/// <summary>The real SMTP channel behind a delay, so that a test can kill the process in the middle of a backlog.</summary>
internal sealed class SlowChannel(SmtpNotificationChannel inner, int delayMilliseconds) : INotificationChannel
{
    public string Name => inner.Name;

    public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        if (delayMilliseconds > 0) await Task.Delay(delayMilliseconds, cancellationToken);
        await inner.SendAsync(notification, cancellationToken);
    }
}
