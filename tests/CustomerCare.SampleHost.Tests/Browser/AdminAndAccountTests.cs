using System.Text.RegularExpressions;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerCare.SampleHost.Tests.Browser;

/// <summary>The admin's pages (agents, customers, settings, filters) and everyone's account page, in a real browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminAndAccountTests(BrowserFixture browser)
{
    private const string DemoPassword = "Demo-pass-2026";

    [Fact]
    public async Task Admin_adds_an_agent_who_sets_a_password_from_the_mail_then_removes_them()
    {
        var admin = await browser.NewPageAsync();
        admin.Dialog += (_, dialog) => dialog.AcceptAsync();
        await BrowserFixture.SignInAsync(admin, "acme-bank", "admin@acme-bank.example", DemoPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Agents" }).ClickAsync();
        var email = Api.UniqueEmail("morgan");
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync("Morgan Agent");
        await admin.GetByLabel("Email").FillAsync(email);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(admin.Locator("#flash")).ToContainTextAsync("Morgan Agent was added as agent");
        await Expect(admin.Locator("#agent-list")).ToContainTextAsync(email);

        // The mail links to the web page that sets the password.
        var mail = browser.Host.Mail.WaitFor(email, m => m.Subject == "Your Acme Bank password").Single();
        var link = PickupMailbox.Link(mail);
        Assert.StartsWith($"{browser.BaseUrl}/t/acme-bank/reset-password?", link, StringComparison.Ordinal);
        var agent = await browser.NewPageAsync();
        await agent.GotoAsync(link);
        await agent.GetByLabel("New password").FillAsync("short");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Save password" }).ClickAsync();
        await Expect(agent.Locator("#error-password")).ToContainTextAsync("at least 10 characters");
        await agent.GetByLabel("New password").FillAsync("Agent-pass-2026!");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Save password" }).ClickAsync();
        await Expect(agent.Locator("#login-notice")).ToContainTextAsync("Your password was changed");
        await BrowserFixture.SignInAsync(agent, "acme-bank", email, "Agent-pass-2026!");
        await Expect(agent.GetByRole(AriaRole.Heading, new() { Name = "My queue" })).ToBeVisibleAsync();

        // Removing asks first, then takes them off the list.
        await admin.GetByRole(AriaRole.Button, new() { Name = "Remove Morgan Agent" }).ClickAsync();
        await Expect(admin.Locator("#flash")).ToContainTextAsync("Removed");
        await Expect(admin.Locator("#agent-list")).Not.ToContainTextAsync(email);

        // Filters: only resolved tickets.
        await admin.GotoAsync("/t/acme-bank/tickets");
        await admin.GetByLabel("Status").SelectOptionAsync("resolved");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(admin.Locator("#ticket-list")).ToContainTextAsync("BANK-1002");
        await Expect(admin.Locator("#ticket-list")).Not.ToContainTextAsync("BANK-1001");

        await admin.Context.CloseAsync();
        await agent.Context.CloseAsync();
    }

    [Fact]
    public async Task The_agents_queue_shows_unassigned_tickets_where_the_tenant_allows_with_filters_and_paging()
    {
        // Globe Telecom, by a customer of its own: the other tests click seeded tickets on the first page of Acme Bank's lists.
        var prefix = "Paging " + Guid.NewGuid().ToString("N")[..6];
        var email = Api.UniqueEmail("paige");
        await browser.CreateCustomerAsync("globe-telecom", email, "Paige Pager");
        await browser.RaiseTicketsAsync("globe-telecom", email, 23, prefix);
        var agent = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "globe-telecom", "agent2@globe-telecom.example", DemoPassword);

        // Globe Telecom lets agents see the unassigned queue: the new tickets are in it.
        await agent.GetByLabel("Assigned to").SelectOptionAsync("none");
        await agent.GetByLabel("Search").FillAsync(prefix);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        var rows = agent.Locator("#ticket-list tbody tr");
        await Expect(rows).ToHaveCountAsync(20);
        await Expect(rows.First).ToContainTextAsync($"{prefix} 23");   // newest first
        await agent.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Last).ToContainTextAsync($"{prefix} 01");
        await Expect(agent.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);
        await agent.GetByRole(AriaRole.Link, new() { Name = "First page" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(20);

        // Assigned to me: none of them.
        await agent.GetByLabel("Assigned to").SelectOptionAsync("me");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(agent.Locator("#no-tickets")).ToBeVisibleAsync();
        await agent.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_sees_customers_with_their_counts_and_deletes_one()
    {
        var email = Api.UniqueEmail("dana");
        await browser.CreateCustomerAsync("acme-bank", email, "Dana Deleted");
        var customer = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(customer, "acme-bank", email, Api.StrongPassword);

        var admin = await browser.NewPageAsync();
        admin.Dialog += (_, dialog) => dialog.AcceptAsync();
        await BrowserFixture.SignInAsync(admin, "acme-bank", "admin@acme-bank.example", DemoPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        var casey = admin.Locator("tr", new() { HasText = "customer@acme-bank.example" });
        await Expect(casey.Locator("td").Nth(3)).ToHaveTextAsync(new Regex("^[3-9]|[1-9][0-9]+$"));   // tickets raised
        await admin.GetByRole(AriaRole.Button, new() { Name = "Delete Dana Deleted" }).ClickAsync();
        await Expect(admin.Locator("#flash")).ToContainTextAsync("The customer was deleted");
        await Expect(admin.Locator("#customer-list")).Not.ToContainTextAsync(email);

        // Their session ends with the account.
        await customer.ReloadAsync();
        await customer.WaitForURLAsync(new Regex("/t/acme-bank/login"));

        await admin.Context.CloseAsync();
        await customer.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_changes_the_tenants_name_and_colour_and_every_page_shows_them()
    {
        var admin = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, "safe-insurance", "admin@safe-insurance.example", DemoPassword);
        await admin.GotoAsync("/t/safe-insurance/admin/settings");
        try
        {
            await admin.GetByLabel("Organisation name").FillAsync("");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
            await Expect(admin.Locator("#error-name")).ToHaveTextAsync("Enter the organisation's name.");

            await admin.GetByLabel("Organisation name").FillAsync("Safe Insurance Group");
            await admin.GetByLabel("Brand colour").FillAsync("#8b0000");
            await admin.GetByLabel("Mail sender name").FillAsync("Safe Claims Desk");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
            await Expect(admin.Locator("#flash")).ToHaveTextAsync("Settings saved.");
            await Expect(admin.Locator("header .brand-name")).ToContainTextAsync("Safe Insurance Group");
            Assert.Equal("rgb(139, 0, 0)", await admin.Locator("header").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

            var visitor = await browser.NewPageAsync();
            await visitor.GotoAsync("/t/safe-insurance/login");
            await Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Safe Insurance Group" })).ToBeVisibleAsync();
            Assert.Equal("rgb(139, 0, 0)", await visitor.Locator("header").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
            await visitor.Context.CloseAsync();
        }
        finally
        {
            await admin.GotoAsync("/t/safe-insurance/admin/settings");
            await admin.GetByLabel("Organisation name").FillAsync("Safe Insurance");
            await admin.GetByLabel("Brand colour").FillAsync("#2e7d32");
            await admin.GetByLabel("Mail sender name").FillAsync("Safe Insurance Support");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
            await Expect(admin.Locator("#flash")).ToHaveTextAsync("Settings saved.");
            await admin.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_customer_changes_phone_and_password_sees_recent_sign_ins_and_deletes_the_account()
    {
        var email = Api.UniqueEmail("pat");
        await browser.CreateCustomerAsync("globe-telecom", email, "Pat Phone");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "globe-telecom", email, Api.StrongPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();

        await Expect(page.Locator("#sign-ins tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#sign-ins")).ToContainTextAsync("Chrome");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Phone (optional)" }).FillAsync("12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save phone" }).ClickAsync();
        await Expect(page.Locator("#error-phone")).ToContainTextAsync("international form");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Phone (optional)" })).ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Phone (optional)" }).FillAsync("+44 20 7946 0958");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save phone" }).ClickAsync();
        await Expect(page.Locator("#flash")).ToHaveTextAsync("Your phone number was saved.");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Phone (optional)" })).ToHaveValueAsync("+44 20 7946 0958");

        await page.GetByLabel("Current password").FillAsync("not-my-password");
        await page.GetByLabel("New password").FillAsync("Newer-pass-2026!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#error-currentPassword")).ToHaveTextAsync("The current password is not right.");
        await page.GetByLabel("Current password").FillAsync(Api.StrongPassword);
        await page.GetByLabel("New password").FillAsync("Newer-pass-2026!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#flash")).ToHaveTextAsync("Your password was changed.");
        await Expect(page.Locator("#sign-ins tbody tr")).ToHaveCountAsync(1);   // re-issuing the cookie is not a sign-in

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        await BrowserFixture.SignInAsync(page, "globe-telecom", email, "Newer-pass-2026!");

        await page.GotoAsync("/t/globe-telecom/account");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(page.Locator("#error-confirm")).ToContainTextAsync("Tick the box");
        await page.GetByLabel("I understand that this cannot be undone").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(page.Locator("#login-notice")).ToHaveTextAsync("Your account was deleted.");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("Newer-pass-2026!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#login-notice")).ToHaveTextAsync("The email or password is not right.");

        Assert.Empty(browser.ErrorsOf(page));
        await page.Context.CloseAsync();
    }
}
