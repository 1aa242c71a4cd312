using CustomerCare.Notifications.MailKit.Tests.Infrastructure;
using CustomerCare.Tickets;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CustomerCare.Notifications.MailKit.Tests;

/// <summary>
/// Mail as it arrives at a real SMTP server (aiosmtpd on loopback), parsed with MimeKit: who gets
/// what, one mail per event, headers, per-ticket threading, text and HTML parts, List-Unsubscribe,
/// batching of chat bursts.
/// </summary>
public sealed class MailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Kind(MimeMessage m) => m.Headers["X-CustomerCare-Kind"] ?? "";

    [Fact]
    public async Task Every_event_is_one_mail_to_the_right_people_threaded_by_ticket()
    {
        var sink = SmtpSink.Shared();
        await using var desk = await DeskHost.CreateAsync(sink);
        await desk.StartAsync();
        var p = desk.People;

        var ticket = await desk.CreateTicketAsync("Card blocked abroad");
        await desk.Tickets(m => m.AssignAsync(p.Admin, ticket.Id, p.Agent.UserId, null, Ct));
        await desk.Tickets(m => m.PostMessageAsync(p.Agent, ticket.Id, new PostMessageRequest { Body = "We are on it <b>now</b>." }, null, Ct));
        await desk.Tickets(m => m.PostMessageAsync(p.Agent, ticket.Id, new PostMessageRequest { Body = "Internal: customer travels a lot", Visibility = MessageVisibility.Internal }, null, Ct));
        await desk.Tickets(m => m.PostMessageAsync(p.Customer, ticket.Id, new PostMessageRequest { Body = "Thank you!" }, null, Ct));
        await desk.Tickets(m => m.ResolveAsync(p.Agent, ticket.Id, null, Ct));

        var rows = await desk.WaitUntilAllSentAsync(expected: 7);
        Assert.Equal(7, rows.Count);

        var toCustomer = sink.To(p.Customer.Email!).OrderBy(m => m.Date).ThenBy(m => m.MessageId).ToList();
        var toAgent = sink.To(p.Agent.Email!);
        var toAdmin = sink.To(p.Admin.Email!);
        Assert.Equal(["message-posted", "ticket-assigned", "ticket-received", "ticket-status-changed"], toCustomer.Select(Kind).Order());
        Assert.Equal(["message-posted", "ticket-assigned"], toAgent.Select(Kind).Order());
        Assert.Equal(["ticket-created"], toAdmin.Select(Kind));

        var all = toCustomer.Concat(toAgent).Concat(toAdmin).ToList();
        // One mail per outbox row, with the row's id as Message-ID.
        Assert.Equal(rows.Select(r => $"{r.Id:D}@bank.example").Order(), all.Select(m => m.MessageId).Order());
        foreach (var mail in all)
        {
            Assert.Equal("Acme Bank Support", mail.From.Mailboxes.Single().Name);
            Assert.Equal("support@bank.example", mail.From.Mailboxes.Single().Address);
            Assert.StartsWith("[BANK-1001] ", mail.Subject, StringComparison.Ordinal);
            Assert.Equal($"ticket-{ticket.Id:D}@bank.example", mail.InReplyTo);
            Assert.Equal([$"ticket-{ticket.Id:D}@bank.example"], mail.References);
            Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
            var alternative = Assert.IsType<MultipartAlternative>(mail.Body);
            Assert.Equal(["text/plain", "text/html"], alternative.Select(part => part.ContentType.MimeType));
            var optional = Kind(mail) is "message-posted" or "ticket-status-changed";
            Assert.Equal(optional, mail.Headers.Contains("List-Unsubscribe"));
            if (optional) Assert.Equal($"<mailto:support@bank.example?subject=unsubscribe%20{Kind(mail)}>", mail.Headers["List-Unsubscribe"]);
        }

        var received = toCustomer.Single(m => Kind(m) == "ticket-received");
        Assert.Contains("BANK-1001", received.TextBody!, StringComparison.Ordinal);
        Assert.Contains("Hello Carol Customer", received.TextBody!, StringComparison.Ordinal);
        Assert.Equal("Carol Customer", received.To.Mailboxes.Single().Name);

        var reply = toCustomer.Single(m => Kind(m) == "message-posted");
        Assert.Contains("We are on it <b>now</b>.", reply.TextBody!, StringComparison.Ordinal);
        Assert.Contains("We are on it &lt;b&gt;now&lt;/b&gt;.", reply.HtmlBody!, StringComparison.Ordinal);
        Assert.DoesNotContain(toCustomer, m => m.TextBody!.Contains("Internal", StringComparison.Ordinal) || m.HtmlBody!.Contains("Internal", StringComparison.Ordinal));
        Assert.Contains("Thank you!", toAgent.Single(m => Kind(m) == "message-posted").TextBody!, StringComparison.Ordinal);
        Assert.Contains("resolved", toCustomer.Single(m => Kind(m) == "ticket-status-changed").Subject, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_burst_of_chat_messages_within_the_window_arrives_as_one_mail()
    {
        var sink = SmtpSink.Shared();
        await using var desk = await DeskHost.CreateAsync(sink, o => o.MessageBatchWindow = TimeSpan.FromSeconds(1.5));
        await desk.StartAsync();
        var p = desk.People;
        var ticket = await desk.CreateTicketAsync();
        await desk.Tickets(m => m.AssignAsync(p.Admin, ticket.Id, p.Agent.UserId, null, Ct));

        for (var i = 1; i <= 4; i++)
            await desk.Tickets(m => m.PostMessageAsync(p.Agent, ticket.Id, new PostMessageRequest { Body = $"Step {i} done." }, null, Ct));
        await desk.WaitUntilAllSentAsync(expected: 5);

        var chat = Assert.Single(sink.To(p.Customer.Email!), m => Kind(m) == "message-posted");
        for (var i = 1; i <= 4; i++) Assert.Contains($"Step {i} done.", chat.TextBody!, StringComparison.Ordinal);
        Assert.Contains("Alan Agent:", chat.TextBody!, StringComparison.Ordinal);

        // After the batch went out, the next message is a mail of its own, in the same thread.
        await desk.Tickets(m => m.PostMessageAsync(p.Agent, ticket.Id, new PostMessageRequest { Body = "All fixed." }, null, Ct));
        await desk.WaitUntilAllSentAsync(expected: 6);
        var chats = sink.To(p.Customer.Email!).Where(m => Kind(m) == "message-posted").ToList();
        Assert.Equal(2, chats.Count);
        Assert.Single(chats, m => m.TextBody!.Contains("All fixed.", StringComparison.Ordinal) && !m.TextBody!.Contains("Step 1", StringComparison.Ordinal));
        Assert.All(chats, m => Assert.Equal($"ticket-{ticket.Id:D}@bank.example", m.InReplyTo));
    }

    [Fact]
    public async Task Security_mail_a_host_enqueues_has_no_thread_and_no_unsubscribe_and_its_secret_leaves_the_outbox()
    {
        var sink = SmtpSink.Shared();
        await using var desk = await DeskHost.CreateAsync(sink);
        await desk.StartAsync();
        var to = desk.People.Customer;

        await desk.RunAsync(async sp =>
        {
            await sp.GetRequiredService<INotificationOutbox>().EnqueueAsync(new NotificationRequest(NotificationKind.PasswordReset, to.UserId, to.Email!)
            {
                RecipientName = to.DisplayName,
                Values = new Dictionary<string, string> { ["reset.instructions"] = "Your reset code is 774411." },
            }, Ct);
            return 0;
        });
        var row = Assert.Single(await desk.WaitUntilAllSentAsync(expected: 1));

        var mail = Assert.Single(sink.To(to.Email!));
        Assert.Equal("Your Acme Bank password", mail.Subject);
        Assert.Contains("Your reset code is 774411.", mail.TextBody!, StringComparison.Ordinal);
        Assert.False(mail.Headers.Contains("List-Unsubscribe"));
        Assert.Null(mail.InReplyTo);
        Assert.Equal($"{row.Id:D}@bank.example", mail.MessageId);
        Assert.DoesNotContain("774411", row.DataJson, StringComparison.Ordinal);
    }
}
