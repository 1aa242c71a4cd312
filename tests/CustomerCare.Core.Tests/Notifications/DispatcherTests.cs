using CustomerCare.Errors;
using CustomerCare.Notifications;
using CustomerCare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Notifications;

/// <summary>
/// The dispatcher against a channel that fails on demand (standing in for a remote server that is
/// down) on the fake clock: exponential backoff with jitter, dead letters after the last attempt,
/// an admin's retry, permanent failures, expired claims taken again.
/// </summary>
public sealed class DispatcherTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Desk Desk, OutboxNotification Row)> OneNotificationAsync(string address)
    {
        var desk = await fixture.CreateDeskAsync();
        await desk.RunAsync(sp => sp.GetRequiredService<INotificationOutbox>().EnqueueAsync(
            new NotificationRequest(NotificationKind.NewDeviceLogin, "user-1", address) { Values = new Dictionary<string, string> { ["device.description"] = "curl" } }, Ct));
        return (desk, Assert.Single(await fixture.OutboxAsync(desk)));
    }

    [Fact]
    public async Task Failures_back_off_exponentially_with_jitter_then_dead_letter_and_an_admin_retry_delivers()
    {
        var address = $"down-{Guid.NewGuid():N}@example.test";
        fixture.Channel.Fail = n => n.Notification.RecipientAddress == address ? new IOException("Connection refused by smtp.example.test:25") : null;
        var (desk, row) = await OneNotificationAsync(address);

        // Attempt 1 fails: due again between 15 and 30 seconds later (base 30s, half of it random).
        var t1 = fixture.Time.GetUtcNow();
        await fixture.DrainAsync();
        var after1 = Assert.Single(await fixture.OutboxAsync(desk));
        Assert.Equal(NotificationStatus.Pending, after1.Status);
        Assert.Equal(1, after1.Attempts);
        Assert.InRange(after1.NextAttemptAt - t1, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30.1));
        Assert.Equal("IOException: Connection refused by smtp.example.test:25", after1.LastError);
        Assert.Null(after1.ClaimedBy);

        // Not due yet: nothing happens.
        await fixture.DrainAsync();
        Assert.Equal(1, Assert.Single(await fixture.OutboxAsync(desk)).Attempts);

        // Attempt 2 fails: 30 to 60 seconds (doubled).
        fixture.Time.Advance(after1.NextAttemptAt - fixture.Time.GetUtcNow());
        var t2 = fixture.Time.GetUtcNow();
        await fixture.DrainAsync();
        var after2 = Assert.Single(await fixture.OutboxAsync(desk));
        Assert.Equal(2, after2.Attempts);
        Assert.InRange(after2.NextAttemptAt - t2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60.1));

        // Attempt 3 is the last (MaxAttempts = 3): dead-lettered.
        fixture.Time.Advance(after2.NextAttemptAt - fixture.Time.GetUtcNow());
        await fixture.DrainAsync();
        var dead = Assert.Single(await fixture.OutboxAsync(desk));
        Assert.Equal(NotificationStatus.Dead, dead.Status);
        Assert.Equal(3, dead.Attempts);
        fixture.Time.Advance(TimeSpan.FromHours(2));
        await fixture.DrainAsync();
        Assert.Equal(3, Assert.Single(await fixture.OutboxAsync(desk)).Attempts);

        // The admin sees it and retries it once the server is back; it is delivered exactly once.
        var manager = (IServiceProvider sp) => sp.GetRequiredService<NotificationManager>();
        var letters = await desk.RunAsync(sp => manager(sp).ListDeadLettersAsync(desk.Admin, null, null, Ct));
        Assert.Equal([row.Id], letters.Items.Select(n => n.Id));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.RunAsync(sp => manager(sp).ListDeadLettersAsync(desk.Agent, null, null, Ct)));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.RunAsync(sp => manager(sp).RetryAsync(desk.Customer, row.Id, Ct)));

        fixture.Channel.Fail = null;
        var retried = await desk.RunAsync(sp => manager(sp).RetryAsync(desk.Admin, row.Id, Ct));
        Assert.Equal(NotificationStatus.Pending, retried.Status);
        Assert.Equal(0, retried.Attempts);
        await fixture.DrainAsync();
        Assert.Single(fixture.Channel.Sent, n => n.Notification.Id == row.Id);
        Assert.Equal(NotificationStatus.Sent, Assert.Single(await fixture.OutboxAsync(desk)).Status);
        Assert.Empty((await desk.RunAsync(sp => manager(sp).ListDeadLettersAsync(desk.Admin, null, null, Ct))).Items);

        // Retrying what is not dead is a conflict; another tenant's id is unknown.
        await Assert.ThrowsAsync<ConflictException>(() => desk.RunAsync(sp => manager(sp).RetryAsync(desk.Admin, row.Id, Ct)));
        var other = await fixture.CreateDeskAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => other.RunAsync(sp => manager(sp).RetryAsync(other.Admin, row.Id, Ct)));
    }

    [Fact]
    public async Task A_permanent_failure_is_dead_lettered_at_once()
    {
        var address = $"refused-{Guid.NewGuid():N}@example.test";
        fixture.Channel.Fail = n => n.Notification.RecipientAddress == address ? new PermanentNotificationException("550 mailbox unavailable") : null;
        var (desk, _) = await OneNotificationAsync(address);

        await fixture.DrainAsync();

        var dead = Assert.Single(await fixture.OutboxAsync(desk));
        Assert.Equal(NotificationStatus.Dead, dead.Status);
        Assert.Equal(1, dead.Attempts);
        Assert.Contains("550 mailbox unavailable", dead.LastError, StringComparison.Ordinal);
        fixture.Channel.Fail = null;
    }

    [Fact]
    public async Task A_claim_that_is_never_completed_expires_and_the_notification_is_sent_by_the_next_dispatcher()
    {
        var (desk, row) = await OneNotificationAsync($"lease-{Guid.NewGuid():N}@example.test");

        // A dispatcher claims the row and "crashes" (never marks it).
        var now = fixture.Time.GetUtcNow();
        var claimed = await desk.RunAsync(sp => sp.GetRequiredService<INotificationQueue>().ClaimDueAsync("crashed", 100, now, now + TimeSpan.FromMinutes(2), Ct));
        Assert.Contains(claimed, n => n.Id == row.Id);
        var held = (await fixture.OutboxAsync(desk)).Single();
        Assert.Equal(NotificationStatus.Sending, held.Status);
        Assert.Equal(1, held.Attempts);

        // While the lease holds nobody else takes it.
        await fixture.DrainAsync();
        Assert.DoesNotContain(fixture.Channel.Sent, n => n.Notification.Id == row.Id);

        fixture.Time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        await fixture.DrainAsync();
        var sent = Assert.Single(fixture.Channel.Sent, n => n.Notification.Id == row.Id);
        Assert.Equal(2, sent.Notification.Attempts);
        Assert.Equal(NotificationStatus.Sent, Assert.Single(await fixture.OutboxAsync(desk)).Status);

        // The crashed dispatcher's late mark is refused: its claim is gone.
        var late = await desk.RunAsync(sp => sp.GetRequiredService<INotificationQueue>().MarkSentAsync(row, "crashed", fixture.Time.GetUtcNow(), false, Ct));
        Assert.False(late);
    }

    [Fact]
    public async Task A_tenant_template_renders_its_mail_and_values_are_html_encoded()
    {
        var desk = await fixture.CreateDeskAsync();
        await desk.RunAsync(sp => sp.GetRequiredService<NotificationManager>().SaveTemplateAsync(desk.Admin, "new-device-login", new SaveTemplateRequest
        {
            Subject = "Sign-in alert for {{recipient.name}}",
            Text = "Device: {{device.description}} ({{tenant.name}})",
            Html = "<p>Device: <b>{{device.description}}</b></p>",
        }, Ct));
        await desk.RunAsync(sp => sp.GetRequiredService<INotificationOutbox>().EnqueueAsync(
            new NotificationRequest(NotificationKind.NewDeviceLogin, "u-9", "tpl@example.test")
            {
                RecipientName = "Tom <admin>",
                Values = new Dictionary<string, string> { ["device.description"] = "<script>alert(1)</script>" },
            }, Ct));

        await fixture.DrainAsync();

        var mail = Assert.Single(fixture.SentTo(desk, "tpl@example.test"));
        Assert.Equal("Sign-in alert for Tom <admin>", mail.Subject);
        Assert.Equal($"Device: <script>alert(1)</script> ({desk.Tenant.Name})", mail.Text);
        Assert.Equal("<p>Device: <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>", mail.Html);
    }
}
