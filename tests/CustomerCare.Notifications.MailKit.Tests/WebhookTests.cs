using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications.MailKit.Tests.Infrastructure;
using CustomerCare.Notifications.Webhooks;
using CustomerCare.Storage.EFCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CustomerCare.Notifications.MailKit.Tests;

/// <summary>
/// The webhook channel against a real HTTP receiver (Kestrel on loopback) that checks the HMAC-SHA256
/// signature: signed POSTs, the same id on every retry, 5xx retried with the outbox's backoff, a 4xx
/// dead-lettered at once.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "test-webhook-secret-0123456789";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<(string Id, string Body, bool Valid)> _received = new();
    private readonly ConcurrentQueue<HttpStatusCode> _answers = new();
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"cc-webhook-{Guid.NewGuid():N}.db");
    private readonly TenantInfo _tenant = DeskHost.BankTenant();
    private WebApplication? _receiver;
    private ServiceProvider? _services;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var valid = WebhookSignature.Verify(Secret, context.Request.Headers[WebhookSignature.TimestampHeader], body,
                context.Request.Headers[WebhookSignature.SignatureHeader], _time.GetUtcNow(), TimeSpan.FromMinutes(5));
            _received.Enqueue((context.Request.Headers[WebhookSignature.IdHeader].ToString(), body, valid));
            return Results.StatusCode((int)(_answers.TryDequeue(out var status) ? status : HttpStatusCode.OK));
        });
        await _receiver.StartAsync(Ct);
        var url = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddCustomerCare(o =>
            {
                o.Notifications.RetryBaseDelay = TimeSpan.FromSeconds(10);
                o.Notifications.MaxAttempts = 5;
            })
            .UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={_database}"))
            .AddInMemoryTenants(_tenant)
            .AddWebhookNotifications(o => { o.Url = url; o.Secret = Secret; });
        _services = services.BuildServiceProvider();
        await _services.MigrateCustomerCareDatabaseAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        if (_receiver is not null) await _receiver.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(_database + suffix); } catch (IOException) { }
        }
    }

    private async Task<OutboxNotification> EnqueueAsync(string address)
    {
        var services = _services!;
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(_tenant));
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<INotificationOutbox>().EnqueueAsync(new NotificationRequest(NotificationKind.NewDeviceLogin, "user-7", address)
        {
            RecipientName = "Uma User",
            Values = new Dictionary<string, string> { ["device.description"] = "Safari on iPhone" },
        }, Ct);
        return await RowAsync(address);
    }

    private async Task<OutboxNotification> RowAsync(string address)
    {
        await using var scope = _services!.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>().Set<OutboxNotification>().IgnoreQueryFilters().AsNoTracking()
            .SingleAsync(n => n.RecipientAddress == address, Ct);
    }

    private Task DispatchAsync() => _services!.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(Ct);

    [Fact]
    public async Task Webhooks_are_signed_retried_with_the_same_id_after_a_5xx_and_delivered()
    {
        var row = await EnqueueAsync("uma@example.test");
        Assert.Equal("webhook", row.Channel);

        _answers.Enqueue(HttpStatusCode.ServiceUnavailable);
        await DispatchAsync();
        var failed = await RowAsync("uma@example.test");
        Assert.Equal(NotificationStatus.Pending, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("503", failed.LastError, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(10));
        await DispatchAsync();
        Assert.Equal(NotificationStatus.Sent, (await RowAsync("uma@example.test")).Status);

        var received = _received.ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, r =>
        {
            Assert.True(r.Valid, "The signature did not verify.");
            Assert.Equal(row.Id.ToString("D"), r.Id);
        });
        using var json = JsonDocument.Parse(received[1].Body);
        Assert.Equal("new-device-login", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(_tenant.Identifier, json.RootElement.GetProperty("tenant").GetString());
        Assert.Equal("uma@example.test", json.RootElement.GetProperty("recipient").GetProperty("address").GetString());
        Assert.Contains("Safari on iPhone", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.GetProperty("optional").GetBoolean());

        // A tampered body or a stale timestamp does not verify.
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var signature = WebhookSignature.Sign(Secret, timestamp, received[1].Body);
        Assert.True(WebhookSignature.Verify(Secret, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Body, signature, _time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Body.Replace("Safari", "Chrome", StringComparison.Ordinal), signature, _time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Body, signature, _time.GetUtcNow().AddMinutes(10), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("another-secret-0123456789", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Body, signature, _time.GetUtcNow(), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_4xx_answer_is_permanent_and_dead_letters_the_webhook_at_once()
    {
        await EnqueueAsync("gone@example.test");
        _answers.Enqueue(HttpStatusCode.Gone);

        await DispatchAsync();

        var dead = await RowAsync("gone@example.test");
        Assert.Equal(NotificationStatus.Dead, dead.Status);
        Assert.Equal(1, dead.Attempts);
        Assert.Contains("410", dead.LastError, StringComparison.Ordinal);
    }
}
