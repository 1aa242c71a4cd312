using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.Identity;

/// <summary>The sample's ASP.NET Core Identity: accounts belong to one tenant; lockout; password reset by mail.</summary>
public sealed class TenantScopedAccountTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Bank = "acme-bank";
    private const string Insurer = "safe-insurance";

    [Fact]
    public async Task The_same_email_registers_separately_in_two_tenants_with_independent_passwords()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("pat");
        const string bankPassword = "Bank-pass-2026!";
        const string insurerPassword = "Insurer-pass-2026!";

        var bankToken = await api.NewCustomerAsync(Bank, email, bankPassword);
        var insurerToken = await api.NewCustomerAsync(Insurer, email, insurerPassword);

        // Two accounts: two confirmation mails, two different user ids.
        Assert.Equal(2, host.Mail.WaitFor(email, m => m.Subject == "Confirm your email", count: 2).Count);
        var bankMe = await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/me", HttpStatusCode.OK, token: bankToken);
        var insurerMe = await api.ExpectAsync(HttpMethod.Get, $"/t/{Insurer}/api/me", HttpStatusCode.OK, token: insurerToken);
        Assert.Equal(Bank, (string?)bankMe["tenant"]);
        Assert.Equal(Insurer, (string?)insurerMe["tenant"]);
        Assert.NotEqual((string?)bankMe["userId"], (string?)insurerMe["userId"]);

        // Each password only opens its own tenant's account.
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Bank, email, insurerPassword), HttpStatusCode.Unauthorized, detail: "Failed");
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Insurer, email, bankPassword), HttpStatusCode.Unauthorized, detail: "Failed");
    }

    [Fact]
    public async Task A_bearer_token_of_one_tenant_is_refused_by_another_tenant()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("robin");
        var token = await api.NewCustomerAsync(Bank, email);
        await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/me", HttpStatusCode.OK, token: token);
        await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/tickets", HttpStatusCode.OK, token: token);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/me", null),
            (HttpMethod.Get, "/tickets", null),
            (HttpMethod.Post, "/tickets", new { subject = "Hello", description = "Crossing tenants", customFields = new { policyNumber = "INS-1" } }),
            (HttpMethod.Get, "/agents", null),
        })
        {
            var response = await api.SendAsync(method, $"/t/{Insurer}/api{path}", body, token);
            await Api.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "urn:customercare:problem:unauthorized");
        }

        // Identity's own endpoints do not find the user in the other tenant either.
        var info = await api.GetAsync($"/t/{Insurer}/api/auth/manage/info", token);
        Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
        var ownInfo = await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/auth/manage/info", HttpStatusCode.OK, token: token);
        Assert.Equal(email, (string?)ownInfo["email"]);
    }

    [Fact]
    public async Task A_cookie_of_one_tenant_is_refused_by_another_tenant()
    {
        using var api = host.CookieApi();
        var email = Api.UniqueEmail("sky");
        await api.RegisterAsync(Bank, email, Api.StrongPassword);
        await api.ConfirmFromMailAsync(Bank, email);
        var login = await api.PostAsync($"/t/{Bank}/api/auth/login?useCookies=true", new { email, password = Api.StrongPassword });
        await Api.ExpectAsync(login, HttpStatusCode.OK);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));

        var me = await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/me", HttpStatusCode.OK);
        Assert.Equal("customer", (string?)me["role"]);
        await Api.ExpectProblemAsync(await api.GetAsync($"/t/{Insurer}/api/me"), HttpStatusCode.Unauthorized, "urn:customercare:problem:unauthorized");
    }

    [Fact]
    public async Task Signing_in_to_another_tenant_with_an_accounts_credentials_fails()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("alex");
        await api.NewCustomerAsync(Bank, email);
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Insurer, email, Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "Failed");

        // The seeded accounts too: the bank's admin cannot sign in to the insurer.
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Insurer, "admin@acme-bank.example", "Demo-pass-2026"), HttpStatusCode.Unauthorized, detail: "Failed");
        await api.LoginAsync(Bank, "admin@acme-bank.example", "Demo-pass-2026");
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_account_so_the_right_password_is_refused()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("lee");
        await api.NewCustomerAsync(Bank, email);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var failed = await api.TryLoginAsync(Bank, email, "Wrong-pass-2026!");
            // The fifth failure is the one that locks the account.
            await Api.ExpectProblemAsync(failed, HttpStatusCode.Unauthorized, detail: attempt < 5 ? "Failed" : "LockedOut");
        }
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Bank, email, Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "LockedOut");
    }

    [Fact]
    public async Task Four_failed_logins_do_not_lock_the_account()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("kim");
        await api.NewCustomerAsync(Bank, email);
        for (var attempt = 1; attempt <= 4; attempt++)
            await Api.ExpectProblemAsync(await api.TryLoginAsync(Bank, email, "Wrong-pass-2026!"), HttpStatusCode.Unauthorized, detail: "Failed");
        await api.LoginAsync(Bank, email, Api.StrongPassword);
    }

    [Fact]
    public async Task A_reset_code_from_the_mail_sets_a_new_password_and_the_old_one_stops_working()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("jo");
        await api.NewCustomerAsync(Bank, email);

        await api.ExpectAsync(HttpMethod.Post, $"/t/{Bank}/api/auth/forgotPassword", HttpStatusCode.OK, new { email });
        var mail = host.Mail.Single(email, "Your Acme Bank password");
        Assert.Contains("/t/acme-bank/api/auth/resetPassword", mail.Body, StringComparison.Ordinal);
        var code = api.ResetCodeFromMail(email, "Your Acme Bank password");

        // A wrong code is refused and changes nothing.
        var wrong = await api.PostAsync($"/t/{Bank}/api/auth/resetPassword", new { email, resetCode = code + "x", newPassword = "New-pass-2026!" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        await api.LoginAsync(Bank, email, Api.StrongPassword);

        await api.ExpectAsync(HttpMethod.Post, $"/t/{Bank}/api/auth/resetPassword", HttpStatusCode.OK, new { email, resetCode = code, newPassword = "New-pass-2026!" });
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Bank, email, Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "Failed");
        await api.LoginAsync(Bank, email, "New-pass-2026!");

        // The code was for this tenant's account only, and it is used up.
        var again = await api.PostAsync($"/t/{Bank}/api/auth/resetPassword", new { email, resetCode = code, newPassword = "Third-pass-2026!" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task Forgot_password_for_an_account_of_another_tenant_sends_no_mail()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("ash");
        await api.NewCustomerAsync(Bank, email);
        // Identity answers 200 either way (no account oracle) but only mails existing, confirmed accounts of this tenant.
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Insurer}/api/auth/forgotPassword", HttpStatusCode.OK, new { email });
        Assert.DoesNotContain(host.Mail.To(email), m => m.Subject == "Your Acme Bank password");
    }

    [Theory]
    [InlineData("/auth/register")]
    [InlineData("/auth/login")]
    [InlineData("/auth/forgotPassword")]
    public async Task The_identity_api_outside_a_tenant_is_a_404_problem(string path)
    {
        using var api = host.Api();
        var response = await api.PostAsync(path, new { email = Api.UniqueEmail("nowhere"), password = Api.StrongPassword });
        await Api.ExpectProblemAsync(response, HttpStatusCode.NotFound, "urn:customercare:problem:tenant-not-found");
    }

    [Fact]
    public async Task The_identity_api_also_finds_the_tenant_in_the_X_Tenant_header()
    {
        using var api = host.Api();
        var email = Api.UniqueEmail("hdr");
        await api.NewCustomerAsync(Bank, email);
        var headers = new Dictionary<string, string> { ["X-Tenant"] = Bank };
        var login = await api.SendAsync(HttpMethod.Post, "/auth/login", new { email, password = Api.StrongPassword }, headers: headers);
        var token = (string?)(await Api.ExpectAsync(login, HttpStatusCode.OK))?["accessToken"];
        await api.ExpectAsync(HttpMethod.Get, $"/t/{Bank}/api/me", HttpStatusCode.OK, token: token);
        headers["X-Tenant"] = Insurer;
        await Api.ExpectProblemAsync(await api.SendAsync(HttpMethod.Post, "/auth/login", new { email, password = Api.StrongPassword }, headers: headers),
            HttpStatusCode.Unauthorized, detail: "Failed");
    }
}
