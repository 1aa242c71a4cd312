using CustomerCare.Notifications.MailKit.Tests.Infrastructure;
using CustomerCare.Storage.EFCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace CustomerCare.Notifications.MailKit.Tests;

/// <summary>
/// Nothing lost, nothing sent twice, with real failures: the SMTP server (aiosmtpd, the test's own)
/// goes down and comes back; the host process is killed with SIGKILL in the middle of a backlog and
/// started again; two dispatchers share one PostgreSQL outbox.
/// </summary>
public sealed class FaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, List<MimeMessage>> ByMessageId(IEnumerable<MimeMessage> mails)
        => mails.GroupBy(m => m.MessageId ?? "(none)").ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task Mail_written_while_the_SMTP_server_is_down_all_arrives_once_it_is_back_and_none_twice()
    {
        await using var sink = await SmtpSink.StartOwnAsync();
        await sink.StopAsync();
        await using var desk = await DeskHost.CreateAsync(sink);
        await desk.StartAsync();

        for (var i = 0; i < 10; i++) await desk.CreateTicketAsync($"Problem {i}");

        // Every notification is tried against the dead server and scheduled again; none is lost or dead.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<OutboxNotification> rows;
        do
        {
            rows = await desk.OutboxAsync();
            if (rows.Count == 20 && rows.All(r => r.Attempts >= 2)) break;
            await Task.Delay(100, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.True(r.Attempts >= 2, $"{r.Id} was tried {r.Attempts} time(s)");
            Assert.NotEqual(NotificationStatus.Sent, r.Status);
            Assert.NotEqual(NotificationStatus.Dead, r.Status);
            Assert.NotNull(r.LastError);
        });
        Assert.Empty(sink.Messages());

        await sink.StartAsync();
        var sent = await desk.WaitUntilAllSentAsync(expected: 20);

        var arrived = ByMessageId(sink.Messages());
        Assert.Equal(sent.Select(r => $"{r.Id:D}@bank.example").Order(), arrived.Keys.Order());
        Assert.All(arrived, pair => Assert.True(pair.Value.Count == 1, $"{pair.Key} arrived {pair.Value.Count} times"));
    }

    [Fact]
    public async Task A_host_killed_in_the_middle_of_dispatching_and_restarted_delivers_everything_and_repeats_at_most_the_mail_in_flight()
    {
        await using var sink = await SmtpSink.StartOwnAsync();
        // The outbox is filled by this process (as the web requests would), then drained by the child host.
        await using var desk = await DeskHost.CreateAsync(sink, o => o.RunDispatcher = false);
        const int tickets = 60;
        for (var i = 0; i < tickets; i++) await desk.CreateTicketAsync($"Backlog {i}");
        // Each ticket wrote one activity; who is told is worked out here, so that the child host only delivers.
        while (await desk.Services.GetRequiredService<NotificationDispatcher>().PlanActivitiesAsync(Ct) > 0) { }
        var expected = (await desk.OutboxAsync()).Select(r => r.Id).ToHashSet();
        Assert.Equal(tickets * 2, expected.Count);
        var database = desk.Services.GetRequiredService<CustomerCareDbContext>().Database.GetDbConnection().DataSource;
        var environment = new Dictionary<string, string>
        {
            ["CC_TEST_SQLITE"] = Path.GetFullPath(database),
            ["CC_TEST_SMTP_PORT"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CC_TEST_SEND_DELAY"] = "15",
            ["CC_TEST_TENANTS"] = desk.Tenant.Id,
        };

        // First run: killed with SIGKILL once a third of the backlog has arrived.
        await using (var first = await ChildHost.StartAsync(environment))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sink.Messages().Count < expected.Count / 3)
            {
                Assert.False(first.HasExited, first.Output);
                Assert.True(DateTime.UtcNow < deadline, $"Only {sink.Messages().Count} mails arrived in 30 s.\n{first.Output}");
                await Task.Delay(20, Ct);
            }
            await first.KillAsync();
        }
        var atKill = await desk.OutboxAsync();
        var arrivedAtKill = sink.Messages().Count;
        Assert.True(arrivedAtKill < expected.Count, "The backlog was already drained when the host was killed; the test proves nothing.");
        // The killed host usually held claims that nobody released (unless it died between two batches).
        var heldAtKill = atKill.Where(r => r.Status == NotificationStatus.Sending).Select(r => r.Id).ToHashSet();

        // Second run: the expired claims are taken again and the rest is delivered.
        await using (var second = await ChildHost.StartAsync(environment))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await desk.OutboxAsync()).Any(r => r.Status != NotificationStatus.Sent))
            {
                Assert.False(second.HasExited, second.Output);
                Assert.True(DateTime.UtcNow < deadline, $"The backlog was not delivered within 60 s after the restart.\n{second.Output}");
                await Task.Delay(100, Ct);
            }
        }

        // Claims the dead host held were taken again once their lease expired: a second attempt sent them.
        var final = await desk.OutboxAsync();
        Assert.All(final.Where(r => heldAtKill.Contains(r.Id)), r => Assert.True(r.Attempts >= 2, $"{r.Id} was held by the killed host but sent on attempt {r.Attempts}."));

        // Every notification arrived. A mail the SMTP server had accepted just before the kill, but whose
        // "sent" mark the killed host never wrote, is sent again after the restart: SMTP cannot tell the
        // host it arrived. It carries the same Message-ID (the notification id), so it is recognisably the
        // same mail. Sending is one mail at a time, so at most that one mail can arrive twice.
        var arrived = ByMessageId(sink.Messages());
        Assert.Equal(expected.Select(id => $"{id:D}@bank.example").Order(), arrived.Keys.Order());
        var repeated = arrived.Where(pair => pair.Value.Count > 1).ToList();
        Assert.True(repeated.Count <= 1, $"{repeated.Count} mails arrived more than once: {string.Join(", ", repeated.Select(r => r.Key))}");
        Assert.All(repeated, pair =>
        {
            Assert.Equal(2, pair.Value.Count);
            Assert.Equal(pair.Value[0].Subject, pair.Value[1].Subject);
            Assert.Equal(pair.Value[0].TextBody, pair.Value[1].TextBody);
        });
        // And every notification that was marked sent before the kill went out exactly once.
        foreach (var sentBefore in atKill.Where(r => r.Status == NotificationStatus.Sent))
            Assert.Single(arrived[$"{sentBefore.Id:D}@bank.example"]);
    }

    [Fact]
    public async Task Two_dispatchers_on_one_PostgreSQL_outbox_never_send_the_same_notification_twice()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var sink = await SmtpSink.StartOwnAsync();
        var tenant = DeskHost.BankTenant();
        var sentBy = new[] { 0, 0 };
        await using var a = await DeskHost.CreateAsync(sink, o => o.BatchSize = 5, database.ConnectionString, tenant,
            services => Counting(services, () => Interlocked.Increment(ref sentBy[0])));
        await using var b = await DeskHost.CreateAsync(sink, o => o.BatchSize = 5, database.ConnectionString, tenant,
            services => Counting(services, () => Interlocked.Increment(ref sentBy[1])), seed: false);

        const int tickets = 100;
        for (var i = 0; i < tickets; i++) await a.CreateTicketAsync($"Busy {i}");
        await Task.WhenAll(a.StartAsync(), b.StartAsync());

        var rows = await a.WaitUntilAllSentAsync(expected: tickets * 2, seconds: 60);
        var arrived = ByMessageId(sink.Messages());
        Assert.Equal(rows.Select(r => $"{r.Id:D}@bank.example").Order(), arrived.Keys.Order());
        Assert.All(arrived, pair => Assert.True(pair.Value.Count == 1, $"{pair.Key} arrived {pair.Value.Count} times"));
        Assert.Equal(tickets * 2, sentBy[0] + sentBy[1]);
        Assert.True(sentBy[0] > 0 && sentBy[1] > 0, $"Both dispatchers should have taken part: {sentBy[0]} and {sentBy[1]}.");
    }

    private static void Counting(IServiceCollection services, Action sent)
    {
        services.RemoveAll<INotificationChannel>();
        services.AddSingleton<INotificationChannel>(sp => new CountingChannel(sp, sent));
    }

    /// <summary>The host's real SMTP channel, counting what this host sent and pacing it like a real server, so that both hosts get work.</summary>
    private sealed class CountingChannel(IServiceProvider services, Action sent) : INotificationChannel
    {
        private readonly SmtpNotificationChannel _inner = services.GetRequiredService<SmtpNotificationChannel>();

        public string Name => _inner.Name;

        public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            await _inner.SendAsync(notification, cancellationToken);
            sent();
        }
    }
}
