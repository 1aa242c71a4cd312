using CustomerCare.Errors;
using CustomerCare.Notifications;
using CustomerCare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Notifications;

/// <summary>Per-tenant templates: defaults for every kind, syntax and placeholder checks when saved.</summary>
public sealed class TemplateTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_default_template_is_valid_and_ticket_subjects_carry_the_number()
    {
        foreach (var kind in NotificationKinds.All)
        {
            var template = NotificationTemplates.Default(kind);
            Assert.Empty(NotificationTemplates.Validate(kind, template.Subject, template.Text, template.Html));
            if (kind is NotificationKind.TicketReceived or NotificationKind.TicketCreated or NotificationKind.TicketAssigned
                or NotificationKind.MessagePosted or NotificationKind.TicketStatusChanged)
                Assert.StartsWith("[{{ticket.number}}] ", template.Subject, StringComparison.Ordinal);
            Assert.Contains("<html>", template.Html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Hello {{recipient.name", "text", "not closed")]
    [InlineData("Hello recipient.name}}", "text", "closes no placeholder")]
    [InlineData("Hello {{ Recipient Name }}", "text", "not a placeholder name")]
    [InlineData("Your code {{reset.instructions}}", "text", "Unknown placeholder {{reset.instructions}}")]
    [InlineData("{{message.body}}", "html", "Unknown placeholder {{message.body}}")]
    public async Task A_template_with_a_syntax_error_or_an_unknown_placeholder_is_refused(string part, string field, string expected)
    {
        var desk = await fixture.CreateDeskAsync();
        var request = new SaveTemplateRequest
        {
            Subject = "[{{ticket.number}}] Assigned",
            Text = field == "text" ? part : "Hi {{recipient.name}}",
            Html = field == "html" ? part : "<p>Hi {{recipient.name}}</p>",
        };

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.RunAsync(sp =>
            sp.GetRequiredService<NotificationManager>().SaveTemplateAsync(desk.Admin, "ticket-assigned", request, Ct)));

        Assert.Contains(expected, Assert.Single(error.Errors[field]), StringComparison.Ordinal);
        Assert.Equal([field], error.Errors.Keys);
        var views = await desk.RunAsync(sp => sp.GetRequiredService<NotificationManager>().ListTemplatesAsync(desk.Admin, Ct));
        Assert.False(views.Single(v => v.Kind == "ticket-assigned").Custom);
    }

    [Fact]
    public async Task Saved_templates_are_per_tenant_and_can_be_reset()
    {
        var bank = await fixture.CreateDeskAsync();
        var telco = await fixture.CreateDeskAsync();
        var manager = (IServiceProvider sp) => sp.GetRequiredService<NotificationManager>();
        var saved = await bank.RunAsync(sp => manager(sp).SaveTemplateAsync(bank.Admin, "ticket-received", new SaveTemplateRequest
        {
            Subject = "[{{ticket.number}}] Thanks, {{recipient.name}}",
            Text = "We got it.",
            Html = "<p>We got it.</p>",
        }, Ct));
        Assert.True(saved.Custom);

        var bankViews = await bank.RunAsync(sp => manager(sp).ListTemplatesAsync(bank.Admin, Ct));
        var telcoViews = await telco.RunAsync(sp => manager(sp).ListTemplatesAsync(telco.Admin, Ct));
        Assert.Equal(NotificationKinds.All.Count, bankViews.Count);
        Assert.Equal("We got it.", bankViews.Single(v => v.Kind == "ticket-received").Text);
        Assert.False(telcoViews.Single(v => v.Kind == "ticket-received").Custom);

        await Assert.ThrowsAsync<ForbiddenException>(() => bank.RunAsync(sp => manager(sp).ListTemplatesAsync(bank.Agent, Ct)));
        await Assert.ThrowsAsync<NotFoundException>(() => bank.RunAsync(sp => manager(sp).SaveTemplateAsync(bank.Admin, "no-such-kind", new SaveTemplateRequest(), Ct)));

        var reset = await bank.RunAsync(sp => manager(sp).ResetTemplateAsync(bank.Admin, "ticket-received", Ct));
        Assert.False(reset.Custom);
        Assert.Equal(NotificationTemplates.Default(NotificationKind.TicketReceived).Text, reset.Text);
    }
}
