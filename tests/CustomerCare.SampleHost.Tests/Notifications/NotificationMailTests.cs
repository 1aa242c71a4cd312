using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Notifications;

/// <summary>The sample host's notifications as they land in the development pickup folder: ticket mail and new-device alerts.</summary>
public sealed class NotificationMailTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Tenant = "acme-bank";
    private const string Api = "/t/acme-bank/api";

    [Fact]
    public async Task A_new_ticket_is_acknowledged_by_mail_with_its_number_threaded_under_the_ticket()
    {
        using var api = host.Api();
        var email = Infrastructure.Api.UniqueEmail("quinn");
        var token = await api.NewCustomerAsync(Tenant, email);

        var ticket = await api.ExpectAsync(HttpMethod.Post, $"{Api}/tickets", HttpStatusCode.Created,
            new { subject = "Lost my card", description = "I lost my card in Lisbon." }, token);
        var number = (string)ticket["number"]!;
        var id = (string)ticket["id"]!;

        var mail = host.Mail.Single(email, $"[{number}] We received your request: Lost my card");
        Assert.Contains($"given the number {number}", mail.Body, StringComparison.Ordinal);
        Assert.Contains("support@acme-bank.example", mail.From, StringComparison.Ordinal);
        Assert.Contains("Acme Bank Support", mail.From, StringComparison.Ordinal);
        Assert.Equal($"ticket-{id}@acme-bank.example", mail.Message.InReplyTo);
        Assert.EndsWith("@acme-bank.example", mail.Message.MessageId, StringComparison.Ordinal);
        Assert.Contains("Lost my card", mail.Message.HtmlBody, StringComparison.Ordinal);
        // The admins hear of it too (manual assignment in the demo tenants).
        Assert.Contains(host.Mail.WaitFor("admin@acme-bank.example", m => m.Subject == $"[{number}] New ticket: Lost my card"), _ => true);
    }

    [Fact]
    public async Task Signing_in_from_a_new_device_mails_an_alert_once()
    {
        using var api = host.Api();
        var email = Infrastructure.Api.UniqueEmail("robin");
        await api.NewCustomerAsync(Tenant, email);   // the first device (this client) is not news
        const string subject = "New sign-in to your Acme Bank account";

        async Task LoginFromAsync(string agent)
        {
            var response = await api.SendAsync(HttpMethod.Post, $"{Api}/auth/login", new { email, password = Infrastructure.Api.StrongPassword },
                headers: new Dictionary<string, string> { ["User-Agent"] = agent });
            await Infrastructure.Api.ExpectAsync(response, HttpStatusCode.OK);
        }

        await LoginFromAsync("");
        await LoginFromAsync("TestBrowser/2.0 (Linux)");
        var alert = host.Mail.Single(email, subject);
        Assert.Contains("TestBrowser/2.0 (Linux)", alert.Body, StringComparison.Ordinal);

        await LoginFromAsync("TestBrowser/2.0 (Linux)");
        host.Mail.Single(email, subject);
        await Infrastructure.Api.ExpectAsync(await api.TryLoginAsync(Tenant, email, "wrong-password-2026"), HttpStatusCode.Unauthorized);
        Assert.Single(host.Mail.To(email), m => m.Subject == subject);
    }
}
