using System.Text.RegularExpressions;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerCare.SampleHost.Tests.Browser;

/// <summary>The whole helpdesk in a real browser: register, confirm, raise, assign, chat live, close.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JourneyTests(BrowserFixture browser)
{
    private const string Tenant = "globe-telecom";
    private const string DemoPassword = "Demo-pass-2026";

    [Fact]
    public async Task Customer_registers_confirms_raises_a_ticket_the_admin_assigns_the_agent_replies_live_and_the_customer_closes_it()
    {
        var customer = await browser.NewPageAsync();
        var email = Api.UniqueEmail("jane");

        // Register; the confirmation mail's link confirms the email.
        await customer.GotoAsync($"/t/{Tenant}/register");
        await Expect(customer.Locator("header")).ToContainTextAsync("Globe Telecom");
        await customer.GetByLabel("Your name").FillAsync("Jane Doe");
        await customer.GetByLabel("Email").FillAsync(email);
        await customer.GetByLabel("Password").FillAsync(Api.StrongPassword);
        await customer.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(customer.Locator("#register-done")).ToContainTextAsync(email);

        // Not confirmed yet: signing in is refused with a message that says what to do.
        await customer.GotoAsync($"/t/{Tenant}/login");
        await customer.GetByLabel("Email").FillAsync(email);
        await customer.GetByLabel("Password").FillAsync(Api.StrongPassword);
        await customer.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(customer.Locator("#login-notice")).ToContainTextAsync("confirm your email");

        var mail = browser.Host.Mail.WaitFor(email, m => m.Subject == "Confirm your email").Single();
        var link = PickupMailbox.Link(mail);
        Assert.StartsWith($"{browser.BaseUrl}/t/{Tenant}/confirm-email?", link, StringComparison.Ordinal);
        await customer.GotoAsync(link);
        await Expect(customer.Locator("#confirm-result")).ToContainTextAsync("Thank you for confirming your email");
        await BrowserFixture.SignInAsync(customer, Tenant, email, Api.StrongPassword);
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "My tickets" })).ToBeVisibleAsync();

        // Raise a ticket: the telecom's bill number is required, and the error shows next to the field.
        await customer.GetByRole(AriaRole.Link, new() { Name = "Raise a new ticket" }).ClickAsync();
        await customer.GetByLabel("Subject").FillAsync("Charged twice for roaming");
        await customer.GetByLabel("Description").FillAsync("My November bill shows the roaming bundle twice.");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Raise ticket" }).ClickAsync();
        await Expect(customer.Locator("#error-cf-billNumber")).ToHaveTextAsync("Bill number is required.");
        await Expect(customer.GetByLabel("Bill number")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(customer.GetByLabel("Subject")).ToHaveValueAsync("Charged twice for roaming");
        await customer.GetByLabel("Bill number").FillAsync("TEL-2026-0042");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Raise ticket" }).ClickAsync();
        await customer.WaitForURLAsync(new Regex($"/t/{Tenant}/tickets/[0-9a-f-]{{36}}$"));
        var ticketUrl = new Uri(customer.Url).AbsolutePath;
        await Expect(customer.Locator("#ticket-status")).ToHaveTextAsync("new");
        await Expect(customer.Locator("#ticket")).ToHaveAttributeAsync("data-live", "connected");
        await customer.EvaluateAsync("() => window.__notReloaded = true");

        // The admin assigns it to Alex Agent; the customer's open page shows it without reload.
        var admin = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, Tenant, $"admin@{Tenant}.example", DemoPassword);
        await admin.GotoAsync($"/t/{Tenant}/tickets?assignee=none");
        await admin.GetByRole(AriaRole.Link, new() { Name = "TEL-" }).First.WaitForAsync();
        var row = admin.Locator("tr", new() { HasText = "Charged twice for roaming" });
        await row.GetByRole(AriaRole.Combobox).SelectOptionAsync(new SelectOptionValue { Label = "Alex Agent" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(admin.Locator("#flash")).ToContainTextAsync("assigned to Alex Agent");
        await Expect(customer.Locator("#ticket-assignee")).ToHaveTextAsync("Alex Agent");
        await Expect(customer.Locator("#ticket-status")).ToHaveTextAsync("open");

        // The agent finds it in their queue and replies; the reply appears on the customer's page live.
        var agent = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, Tenant, $"agent1@{Tenant}.example", DemoPassword);
        await agent.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^TEL-") }).First.WaitForAsync();
        await agent.Locator("tr", new() { HasText = "Charged twice for roaming" }).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(agent.Locator("#ticket")).ToHaveAttributeAsync("data-live", "connected");
        Assert.Equal(ticketUrl, new Uri(agent.Url).AbsolutePath);
        await agent.GetByLabel("Your message").PressSequentiallyAsync("Sorry");
        await Expect(customer.Locator("#typing")).ToContainTextAsync("Alex Agent is typing");
        await agent.GetByLabel("Your message").FillAsync("Sorry about that — the duplicate charge is refunded.");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(customer.Locator("#messages li")).ToContainTextAsync(["Sorry about that — the duplicate charge is refunded."]);
        Assert.True(await customer.EvaluateAsync<bool>("() => window.__notReloaded === true"), "The customer's page was reloaded.");
        await Expect(customer.Locator("#ticket-status")).ToHaveTextAsync("pending");

        // An internal note reaches the agent's page but never the customer's.
        await agent.GetByLabel("Visible to").SelectOptionAsync("internal");
        await agent.GetByLabel("Your message").FillAsync("Refund reference R-77.");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(agent.Locator("#messages li.internal")).ToContainTextAsync(["Refund reference R-77."]);

        // The customer answers through the hub too, and the agent sees it live.
        await customer.GetByLabel("Your message").FillAsync("Thank you!");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(agent.Locator("#messages li").Last).ToContainTextAsync("Thank you!");
        await Expect(customer.Locator("#messages")).Not.ToContainTextAsync("R-77");

        // The customer closes the ticket: the chat box is disabled with the reason, on both pages.
        await customer.GetByRole(AriaRole.Button, new() { Name = "Close ticket" }).ClickAsync();
        await Expect(customer.Locator("#flash")).ToContainTextAsync("closed");
        await Expect(customer.Locator("#ticket-status")).ToHaveTextAsync("closed");
        await Expect(customer.GetByLabel("Your message")).ToBeDisabledAsync();
        await Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeDisabledAsync();
        await Expect(customer.Locator("#chat-closed")).ToBeVisibleAsync();
        await Expect(customer.Locator("#chat-closed")).ToContainTextAsync("closed, so the chat is disabled");
        await Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Reopen ticket" })).ToBeVisibleAsync();
        await Expect(agent.Locator("#ticket-status")).ToHaveTextAsync("closed");
        await Expect(agent.GetByLabel("Your message")).ToBeDisabledAsync();
        await Expect(agent.Locator("#chat-closed")).ToBeVisibleAsync();
        await Expect(customer.Locator("#messages li")).ToHaveCountAsync(2);

        foreach (var page in new[] { customer, admin, agent })
        {
            Assert.Empty(browser.ErrorsOf(page));
            await page.Context.CloseAsync();
        }
    }
}
