using System.Collections.Concurrent;
using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore;
using CustomerCare.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Notifications;

/// <summary>
/// A channel standing in for the remote server (SMTP, webhook). The real SMTP channel is tested against
/// a real SMTP server in CustomerCare.Notifications.MailKit.Tests; here it records, or fails on demand.
/// </summary>
public sealed class RecordingChannel : INotificationChannel
{
    public string Name => "email";

    public ConcurrentQueue<RenderedNotification> Sent { get; } = new();

    /// <summary>When set, every send throws what it returns (null: succeed).</summary>
    public Func<RenderedNotification, Exception?>? Fail { get; set; }

    public int Calls;

    public Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (Fail?.Invoke(notification) is { } error) throw error;
        Sent.Enqueue(notification);
        return Task.CompletedTask;
    }
}

/// <summary>The Core fixture with a recording email channel, a 2-minute batch window and 3 attempts.</summary>
public sealed class NotificationFixture : CareFixture
{
    public RecordingChannel Channel { get; } = new();

    protected override void Configure(CustomerCareBuilder builder)
    {
        builder.Services.AddSingleton<INotificationChannel>(Channel);
        builder.ConfigureNotifications(o =>
        {
            o.MessageBatchWindow = TimeSpan.FromMinutes(2);
            o.MaxAttempts = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(30);
            o.ClaimLease = TimeSpan.FromMinutes(2);
        });
    }

    /// <summary>Every outbox row of the tenant, oldest first (read directly), once the waiting activities are worked out.</summary>
    public async Task<List<OutboxNotification>> OutboxAsync(Desk desk)
    {
        while (await Dispatcher.PlanActivitiesAsync(TestContext.Current.CancellationToken) > 0) { }
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>();
        return await db.Set<OutboxNotification>().IgnoreQueryFilters().AsNoTracking()
            .Where(n => n.TenantId == desk.Tenant.Id).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync();
    }

    public NotificationDispatcher Dispatcher => Services.GetRequiredService<NotificationDispatcher>();

    /// <summary>Runs the dispatcher until nothing is due now.</summary>
    public async Task<int> DrainAsync()
    {
        var total = 0;
        for (var i = 0; i < 100; i++)
        {
            var n = await Dispatcher.DispatchDueAsync(TestContext.Current.CancellationToken);
            if (n == 0) return total;
            total += n;
        }
        throw new InvalidOperationException("The outbox did not drain.");
    }

    public IEnumerable<RenderedNotification> SentTo(Desk desk, string address)
        => Channel.Sent.Where(n => n.Tenant.Id == desk.Tenant.Id && n.Notification.RecipientAddress == address);
}
