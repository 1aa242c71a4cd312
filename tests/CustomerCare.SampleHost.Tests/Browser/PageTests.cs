using System.Net;
using System.Text.RegularExpressions;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerCare.SampleHost.Tests.Browser;

/// <summary>Every page in a real browser: accessibility (axe), branding, isolation, errors, admin and account pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PageTests(BrowserFixture browser)
{
    private const string DemoPassword = "Demo-pass-2026";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens <paramref name="path"/>, checks the tenant's branding, runs axe and writes a screenshot.</summary>
    private async Task VisitAsync(IPage page, string path, string screenshot, List<string> violations, string? brand = "Acme Bank")
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        if (brand is not null)
        {
            await Expect(page.Locator("header .brand-name")).ToContainTextAsync(brand);
        }
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(page));
        await browser.ScreenshotAsync(page, screenshot);
    }

    [Fact]
    public async Task Every_page_has_no_serious_or_critical_accessibility_violations_and_carries_the_tenants_branding()
    {
        var violations = new List<string>();

        var anonymous = await browser.NewPageAsync();
        await VisitAsync(anonymous, "/", "landing", violations, brand: null);
        await VisitAsync(anonymous, "/t/acme-bank/login", "login", violations);
        // The header is the tenant's colour (from /t/acme-bank/theme.css; no inline style under the CSP).
        Assert.Equal("rgb(11, 83, 148)", await anonymous.Locator("header").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await VisitAsync(anonymous, "/t/acme-bank/register", "register", violations);
        await anonymous.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();   // empty: errors next to the fields
        await Expect(anonymous.Locator("#error-email")).ToBeVisibleAsync();
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(anonymous));
        await VisitAsync(anonymous, "/t/acme-bank/forgot-password", "forgot-password", violations);
        await VisitAsync(anonymous, "/t/acme-bank/reset-password?email=x%40example.test&code=abc", "reset-password", violations);
        await VisitAsync(anonymous, "/t/acme-bank/confirm-email?userId=nobody&code=abc", "confirm-email-invalid", violations);
        await VisitAsync(anonymous, "/t/acme-bank/no-such-page", "not-found", violations);
        await VisitAsync(anonymous, "/t/globe-telecom/login", "login-globe-telecom", violations, brand: "Globe Telecom");

        var customer = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(customer, "acme-bank", "customer@acme-bank.example", DemoPassword);
        await VisitAsync(customer, "/t/acme-bank/tickets", "customer-tickets", violations);
        await VisitAsync(customer, "/t/acme-bank/tickets/new", "customer-new-ticket", violations);
        await customer.GetByRole(AriaRole.Button, new() { Name = "Raise ticket" }).ClickAsync();
        await Expect(customer.Locator("#error-subject")).ToBeVisibleAsync();
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(customer));
        await browser.ScreenshotAsync(customer, "customer-new-ticket-errors");
        await customer.GotoAsync("/t/acme-bank/tickets");
        await customer.GetByRole(AriaRole.Link, new() { Name = "BANK-1001" }).ClickAsync();
        await Expect(customer.Locator("#ticket")).ToHaveAttributeAsync("data-live", "connected");
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(customer));
        await browser.ScreenshotAsync(customer, "customer-ticket");
        await VisitAsync(customer, "/t/acme-bank/account", "customer-account", violations);

        var phone = await browser.NewPageAsync(phone: true);
        await BrowserFixture.SignInAsync(phone, "acme-bank", "customer@acme-bank.example", DemoPassword);
        await phone.GetByRole(AriaRole.Link, new() { Name = "BANK-1001" }).ClickAsync();
        await Expect(phone.Locator("#ticket")).ToHaveAttributeAsync("data-live", "connected");
        // Usable at phone width: nothing wider than the screen.
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The ticket page scrolls sideways at 390 px.");
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(phone));
        await browser.ScreenshotAsync(phone, "phone-customer-ticket");

        var agent = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "acme-bank", "agent1@acme-bank.example", DemoPassword);
        await VisitAsync(agent, "/t/acme-bank/tickets", "agent-queue", violations);
        // The queue's live connection says when it is up (what benchmarks/ waits for to call the queue interactive).
        await Expect(agent.Locator("#live-notice")).ToHaveAttributeAsync("data-live", "connected");
        await agent.GetByRole(AriaRole.Link, new() { Name = "BANK-1001" }).ClickAsync();
        await Expect(agent.Locator("#ticket")).ToHaveAttributeAsync("data-live", "connected");
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(agent));
        await browser.ScreenshotAsync(agent, "agent-ticket");

        var admin = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, "acme-bank", "admin@acme-bank.example", DemoPassword);
        await VisitAsync(admin, "/t/acme-bank/tickets", "admin-tickets", violations);
        await admin.GetByRole(AriaRole.Link, new() { Name = "BANK-1003" }).ClickAsync();
        violations.AddRange(await BrowserFixture.SeriousAccessibilityViolationsAsync(admin));
        await browser.ScreenshotAsync(admin, "admin-ticket");
        await VisitAsync(admin, "/t/acme-bank/admin/agents", "admin-agents", violations);
        await VisitAsync(admin, "/t/acme-bank/admin/customers", "admin-customers", violations);
        await VisitAsync(admin, "/t/acme-bank/admin/settings", "admin-settings", violations);
        await VisitAsync(admin, "/t/acme-bank/account", "admin-account", violations);

        Assert.True(violations.Count == 0, "Serious or critical accessibility violations:\n" + string.Join("\n", violations));
        foreach (var page in new[] { anonymous, customer, phone, agent, admin })
        {
            Assert.Empty(browser.ErrorsOf(page));
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_customer_cannot_open_another_customers_ticket()
    {
        var owner = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(owner, "acme-bank", "customer@acme-bank.example", DemoPassword);
        var href = await owner.GetByRole(AriaRole.Link, new() { Name = "BANK-1001" }).GetAttributeAsync("href");
        Assert.NotNull(href);

        var email = Api.UniqueEmail("mallory");
        await browser.CreateCustomerAsync("acme-bank", email, "Mallory Customer");
        var other = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(other, "acme-bank", email, Api.StrongPassword);
        await Expect(other.Locator("#no-tickets")).ToBeVisibleAsync();
        var response = await other.GotoAsync(href);
        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Expect(other.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await Expect(other.Locator("body")).Not.ToContainTextAsync("charged twice");
        await Expect(other.Locator("header")).ToContainTextAsync("Acme Bank");
        // A ticket id that does not exist looks exactly the same (no existence oracle).
        var missing = await other.GotoAsync($"/t/acme-bank/tickets/{Guid.NewGuid()}");
        Assert.Equal((int)HttpStatusCode.NotFound, missing!.Status);
        await Expect(other.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();

        await owner.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task A_session_of_another_tenant_does_not_carry_over()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "globe-telecom", "customer@globe-telecom.example", DemoPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My tickets" })).ToBeVisibleAsync();

        // Acme Bank's pages send the Globe Telecom session to Acme Bank's sign-in page.
        await page.GotoAsync("/t/acme-bank/tickets");
        await page.WaitForURLAsync(new Regex("/t/acme-bank/login\\?reason=other-tenant"));
        await Expect(page.Locator("#login-notice")).ToContainTextAsync("signed in to another organisation");
        await Expect(page.Locator("header")).ToContainTextAsync("Acme Bank");
        await Expect(page.Locator("header")).Not.ToContainTextAsync("Casey Customer");

        // Nor do Acme Bank's API and hub accept it.
        Assert.Equal(401, await page.EvaluateAsync<int>("() => fetch('/t/acme-bank/api/me').then(r => r.status)"));
        Assert.Equal(401, await page.EvaluateAsync<int>("() => fetch('/t/acme-bank/hub/negotiate?negotiateVersion=1', { method: 'POST' }).then(r => r.status)"));
        Assert.Equal(200, await page.EvaluateAsync<int>("() => fetch('/t/globe-telecom/api/me').then(r => r.status)"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Errors_are_pages_a_person_understands()
    {
        var page = await browser.NewPageAsync();

        var unknown = await page.GotoAsync("/t/no-such-bank/login");
        Assert.Equal(404, unknown!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Organisation not found" })).ToBeVisibleAsync();

        // An expired (or tampered) session cookie: back to sign-in with a message, not an error.
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Identity.Application", Value = "expired-session", Url = browser.BaseUrl }]);
        await page.GotoAsync("/t/acme-bank/tickets/new");
        await page.WaitForURLAsync(new Regex("/t/acme-bank/login"));
        await Expect(page.Locator("#login-notice")).ToHaveTextAsync("Your session has expired. Please sign in again.");
        await page.GetByLabel("Email").FillAsync("customer@acme-bank.example");
        await page.GetByLabel("Password").FillAsync(DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/t/acme-bank/tickets/new$"));   // back where they were going

        // A form whose antiforgery token no longer matches (e.g. signed out in another tab).
        await page.Context.ClearCookiesAsync(new() { Name = ".customercare.antiforgery" });
        await page.GetByLabel("Subject").FillAsync("Stale form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Raise ticket" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This form has expired" })).ToBeVisibleAsync();

        // Bad input: the wrong password is a message, not an error page.
        var other = await browser.NewPageAsync();
        await other.GotoAsync("/t/acme-bank/login");
        await other.GetByLabel("Email").FillAsync("customer@acme-bank.example");
        await other.GetByLabel("Password").FillAsync("wrong-password");
        await other.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(other.Locator("#login-notice")).ToHaveTextAsync("The email or password is not right.");

        // A suspended tenant: a 503 page naming it, while the others keep working.
        using var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Operator-Key", SampleHostFactory.OperatorKey);
        (await http.PostAsync("/ops/tenants/safe-insurance/suspend", null, Ct)).EnsureSuccessStatusCode();
        try
        {
            var suspended = await other.GotoAsync("/t/safe-insurance/login");
            Assert.Equal(503, suspended!.Status);
            await Expect(other.Locator("#error-message")).ToContainTextAsync("temporarily unavailable");
            await Expect(other.Locator("body")).Not.ToContainTextAsync("Exception");
            var working = await other.GotoAsync("/t/acme-bank/login");
            Assert.Equal(200, working!.Status);
        }
        finally
        {
            (await http.PostAsync("/ops/tenants/safe-insurance/resume", null, Ct)).EnsureSuccessStatusCode();
        }

        Assert.Empty(browser.ErrorsOf(page));
        await page.Context.CloseAsync();
        await other.Context.CloseAsync();
    }
}
