using CustomerCare.Customers;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Staff;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Notifications;

/// <summary>Who is told what, decided in Core when the change is made and written in the same transaction.</summary>
public sealed class WhoGetsWhatTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Desk> DeskAsync(Action<TenantSettings>? configure = null)
    {
        var desk = await fixture.CreateDeskAsync(configure);
        foreach (var customer in new[] { desk.Customer, desk.Customer2 })
            await desk.Customers(m => m.EnsureProfileAsync(customer.UserId, customer.DisplayName, customer.Email, Ct));
        return desk;
    }

    private static string Who(OutboxNotification n) => $"{NotificationKinds.Name(n.Kind)}->{n.RecipientAddress}";

    private static IEnumerable<OutboxNotification> Since(List<OutboxNotification> rows, int skip) => rows.Skip(skip);

    [Fact]
    public async Task A_new_ticket_acknowledges_the_customer_with_its_number_and_tells_the_admins()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAsync();

        var rows = await fixture.OutboxAsync(desk);
        Assert.Equal(["ticket-created->ada@example.test", "ticket-received->carol@example.test"], rows.Select(Who).Order());
        Assert.All(rows, n =>
        {
            Assert.Equal(NotificationStatus.Pending, n.Status);
            Assert.Equal(ticket.Id, n.TicketId);
            Assert.Equal("ACME-1001", n.TicketReference);
            Assert.Equal("email", n.Channel);
            Assert.Equal(7, n.Id.Version);
            Assert.Equal(0, n.Attempts);
        });
        Assert.Equal("customer-1", rows.Single(n => n.Kind == NotificationKind.TicketReceived).RecipientUserId);
    }

    [Fact]
    public async Task Automatic_assignment_tells_the_assigned_agent_and_the_customer_instead_of_the_admins()
    {
        var desk = await DeskAsync(s => s.AssignmentStrategy = RoundRobinAssignmentStrategyName);
        var ticket = await desk.CreateAsync();
        var assignee = (await desk.ReloadAsync(ticket.Id)).AssigneeId;
        Assert.NotNull(assignee);

        var rows = await fixture.OutboxAsync(desk);
        var agentEmail = assignee == desk.Agent.UserId ? desk.Agent.Email : desk.Agent2.Email;
        Assert.Equal(["ticket-assigned->" + agentEmail, "ticket-assigned->carol@example.test", "ticket-received->carol@example.test"], rows.Select(Who).Order());
    }

    private const string RoundRobinAssignmentStrategyName = "round-robin";

    [Fact]
    public async Task Assignment_tells_the_agent_and_the_customer_but_not_the_admin_who_did_it()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAsync();
        var before = (await fixture.OutboxAsync(desk)).Count;

        await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);

        var rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        Assert.Equal(["ticket-assigned->alan@example.test", "ticket-assigned->carol@example.test"], rows.Select(Who).Order());
        Assert.All(rows, n => Assert.Equal("Alan Agent", n.ReadData().Values["agent.name"]));
    }

    [Fact]
    public async Task A_message_goes_to_the_other_side_and_internal_notes_never_reach_the_customer()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        var before = (await fixture.OutboxAsync(desk)).Count;

        await desk.PostAsync(desk.Customer, ticket.Id, "My card still does not work.");
        var afterCustomer = Since(await fixture.OutboxAsync(desk), before).ToList();
        Assert.Equal(["message-posted->alan@example.test"], afterCustomer.Select(Who));

        await desk.PostAsync(desk.Agent, ticket.Id, "Internal: escalate to cards team.", MessageVisibility.Internal);
        await desk.PostAsync(desk.Admin, ticket.Id, "Internal: approved.", MessageVisibility.Internal);
        var rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        Assert.DoesNotContain(rows, n => n.RecipientAddress == "carol@example.test");
        // The admin's note reached the assigned agent (batched with the customer's message: same recipient, ticket and kind).
        var toAgent = Assert.Single(rows);
        var messages = toAgent.ReadData().Messages!;
        Assert.Equal(["My card still does not work.", "Internal: approved."], messages.Select(m => m.Body));
        Assert.True(messages[1].Internal);

        await desk.PostAsync(desk.Agent, ticket.Id, "We sent you a new card.");
        rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        var toCustomer = Assert.Single(rows, n => n.RecipientAddress == "carol@example.test");
        Assert.Equal(["We sent you a new card."], toCustomer.ReadData().Messages!.Select(m => m.Body));
        Assert.DoesNotContain("Internal", toCustomer.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_of_messages_within_the_window_is_one_notification_and_later_ones_start_a_new_one()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await fixture.DrainAsync();
        var before = (await fixture.OutboxAsync(desk)).Count;

        for (var i = 1; i <= 5; i++) await desk.PostAsync(desk.Agent, ticket.Id, $"Update {i}");
        var rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        var batch = Assert.Single(rows);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"Update {i}"), batch.ReadData().Messages!.Select(m => m.Body));
        Assert.True(batch.NextAttemptAt >= batch.CreatedAt + TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));

        // Not due yet: nothing goes out within the window.
        await fixture.DrainAsync();
        Assert.DoesNotContain(fixture.SentTo(desk, "carol@example.test"), m => m.Notification.Kind == NotificationKind.MessagePosted);
        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        await fixture.DrainAsync();
        var mail = Assert.Single(fixture.SentTo(desk, "carol@example.test"), m => m.Notification.Kind == NotificationKind.MessagePosted);
        Assert.Contains("Update 1", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Update 5", mail.Text, StringComparison.Ordinal);
        Assert.StartsWith("[ACME-1001] ", mail.Subject, StringComparison.Ordinal);

        // Once sent, the next message starts a new batch.
        await desk.PostAsync(desk.Agent, ticket.Id, "One more thing");
        rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["One more thing"], rows[1].ReadData().Messages!.Select(m => m.Body));
    }

    [Fact]
    public async Task Resolve_close_and_reopen_tell_the_customer_and_the_agent_except_whoever_did_it()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        var before = (await fixture.OutboxAsync(desk)).Count;

        await desk.ResolveAsync(desk.Agent, ticket.Id);
        await desk.CloseAsync(desk.Customer, ticket.Id);
        await desk.ReopenAsync(desk.Admin, ticket.Id);

        var rows = Since(await fixture.OutboxAsync(desk), before).ToList();
        Assert.Equal([
            "ticket-status-changed->carol@example.test",   // resolved by the agent
            "ticket-status-changed->alan@example.test",    // closed by the customer
            "ticket-status-changed->carol@example.test", "ticket-status-changed->alan@example.test", // reopened by an admin
        ], rows.Select(Who));
        Assert.Equal(["resolved", "closed", "open", "open"], rows.Select(r => r.ReadData().Values["status.to"]));
    }

    [Fact]
    public async Task Opted_out_users_get_no_optional_notifications_but_still_get_required_ones()
    {
        var desk = await DeskAsync();
        var prefs = await desk.RunAsync(sp => sp.GetRequiredService<NotificationManager>().SetPreferencesAsync(desk.Customer,
            new UpdatePreferencesRequest { OptedOut = ["message-posted", "ticket-status-changed"] }, Ct));
        Assert.Equal(["message-posted", "ticket-status-changed"], prefs.OptedOut);

        var ticket = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Agent, ticket.Id, "Reply the customer refused");
        await desk.ResolveAsync(desk.Agent, ticket.Id);

        var toCustomer = (await fixture.OutboxAsync(desk)).Where(n => n.RecipientUserId == desk.Customer.UserId).Select(n => n.Kind).ToList();
        Assert.Equal([NotificationKind.TicketReceived, NotificationKind.TicketAssigned], toCustomer);

        // The agent did not opt out: the customer's reply still reaches them.
        await desk.ReopenAsync(desk.Customer, ticket.Id);
        Assert.Contains(await fixture.OutboxAsync(desk), n => n.RecipientUserId == desk.Agent.UserId && n.Kind == NotificationKind.TicketStatusChanged);

        var refused = await Assert.ThrowsAsync<ValidationException>(() => desk.RunAsync(sp => sp.GetRequiredService<NotificationManager>()
            .SetPreferencesAsync(desk.Customer, new UpdatePreferencesRequest { OptedOut = ["password-reset", "nonsense"] }, Ct)));
        Assert.Contains("required", refused.Errors["optedOut"][0], StringComparison.Ordinal);
        Assert.Contains("Unknown", refused.Errors["optedOut"][0], StringComparison.Ordinal);
        var unchanged = await desk.RunAsync(sp => sp.GetRequiredService<NotificationManager>().GetPreferencesAsync(desk.Customer, Ct));
        Assert.Equal(["message-posted", "ticket-status-changed"], unchanged.OptedOut);
    }

    [Fact]
    public async Task Adding_an_agent_writes_the_account_notification_with_the_staff_member()
    {
        var desk = await DeskAsync();
        var member = await desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = "new.agent@example.test", DisplayName = "Nia New" }, Ct));

        var row = Assert.Single(await fixture.OutboxAsync(desk));
        Assert.Equal(NotificationKind.StaffAccountCreated, row.Kind);
        Assert.Equal(member.UserId, row.RecipientUserId);
        Assert.Equal("new.agent@example.test", row.RecipientAddress);

        // A refused add (duplicate) writes nothing.
        await Assert.ThrowsAsync<ConflictException>(() => desk.Staff(m => m.AddAsync(desk.Admin, new AddStaffRequest { Email = "new.agent@example.test", DisplayName = "Nia" }, Ct)));
        Assert.Single(await fixture.OutboxAsync(desk));
    }

    [Fact]
    public async Task A_host_enqueues_security_notifications_that_opt_outs_cannot_stop()
    {
        var desk = await DeskAsync();
        await desk.RunAsync(async sp =>
        {
            var outbox = sp.GetRequiredService<INotificationOutbox>();
            await outbox.EnqueueAsync(new NotificationRequest(NotificationKind.PasswordReset, desk.Customer.UserId, desk.Customer.Email!)
            {
                RecipientName = desk.Customer.DisplayName,
                Values = new Dictionary<string, string> { ["reset.instructions"] = "Your code is 123456." },
            }, Ct);
            await outbox.EnqueueAsync(new NotificationRequest(NotificationKind.NewDeviceLogin, desk.Customer.UserId, desk.Customer.Email!)
            {
                Values = new Dictionary<string, string> { ["device.description"] = "Firefox on Linux", ["login.time"] = "09:00 UTC" },
            }, Ct);
        });
        await fixture.DrainAsync();

        var sent = fixture.SentTo(desk, "carol@example.test").ToList();
        Assert.Equal([NotificationKind.PasswordReset, NotificationKind.NewDeviceLogin], sent.Select(n => n.Notification.Kind));
        Assert.Contains("Your code is 123456.", sent[0].Text, StringComparison.Ordinal);
        Assert.Contains("Firefox on Linux", sent[1].Html, StringComparison.Ordinal);
        // Secrets do not stay in the outbox once delivered.
        var stored = (await fixture.OutboxAsync(desk)).Single(n => n.Kind == NotificationKind.PasswordReset);
        Assert.Equal(NotificationStatus.Sent, stored.Status);
        Assert.DoesNotContain("123456", stored.DataJson, StringComparison.Ordinal);
        Assert.Contains("Firefox", (await fixture.OutboxAsync(desk)).Single(n => n.Kind == NotificationKind.NewDeviceLogin).DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_a_customer_drops_their_undelivered_notifications_and_scrubs_the_delivered_ones()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await fixture.DrainAsync();
        await desk.PostAsync(desk.Agent, ticket.Id, "Please send us your address.");   // batched: still pending
        Assert.Contains(await fixture.OutboxAsync(desk), n => n.RecipientUserId == desk.Customer.UserId && n.Status == NotificationStatus.Pending);

        await desk.RunAsync(sp => sp.GetRequiredService<CustomerManager>().EraseAsync(desk.Admin, desk.Customer.UserId, Ct));

        var rows = (await fixture.OutboxAsync(desk)).Where(n => n.RecipientUserId == desk.Customer.UserId).ToList();
        Assert.Equal(2, rows.Count);   // received, assigned: delivered before the erasure
        Assert.All(rows, n =>
        {
            Assert.Equal(NotificationStatus.Sent, n.Status);
            Assert.Equal("", n.RecipientAddress);
            Assert.Null(n.RecipientName);
            Assert.Equal("{}", n.DataJson);
        });
        Assert.Contains(await fixture.OutboxAsync(desk), n => n.RecipientUserId == desk.Admin.UserId && n.RecipientAddress == "ada@example.test");
    }

    [Fact]
    public async Task The_customer_list_counts_notifications_sent_to_each_customer()
    {
        var desk = await DeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.ResolveAsync(desk.Agent, ticket.Id);
        var pendingOnly = await desk.Customers(m => m.ListAsync(desk.Admin, null, null, Ct));
        Assert.Equal(0, pendingOnly.Items.Single(c => c.Profile.UserId == desk.Customer.UserId).NotificationsSent);

        await fixture.DrainAsync();
        var page = await desk.Customers(m => m.ListAsync(desk.Admin, null, null, Ct));
        Assert.Equal(3, page.Items.Single(c => c.Profile.UserId == desk.Customer.UserId).NotificationsSent);   // received, assigned, resolved
        Assert.Equal(0, page.Items.Single(c => c.Profile.UserId == desk.Customer2.UserId).NotificationsSent);
    }
}
