using System.Net;
using System.Text.RegularExpressions;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace CustomerCare.SampleHost.Tests.Web;

/// <summary>The web app's HTTP contract without a browser: landing page, headers, cookies, limits.</summary>
public sealed partial class WebAppTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_landing_page_links_every_demo_tenant()
    {
        using var api = host.Api();
        var response = await api.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        foreach (var tenant in new[] { "acme-bank", "globe-telecom", "safe-insurance" })
            Assert.Contains($"href=\"/t/{tenant}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_send_a_content_security_policy_have_no_inline_script_and_set_protected_cookies()
    {
        using var api = host.Api();
        var response = await api.GetAsync("/t/acme-bank/login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);

        var antiforgery = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".customercare.antiforgery=", StringComparison.Ordinal));
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
        var token = AntiforgeryField().Match(html).Groups[1].Value;

        using var form = new HttpRequestMessage(HttpMethod.Post, "/t/acme-bank/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = "customer@acme-bank.example",
                ["password"] = "Demo-pass-2026",
                ["__RequestVerificationToken"] = token,
            }),
        };
        form.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var signedIn = await api.Client.SendAsync(form, Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_with_a_page_that_says_what_to_do()
    {
        using var api = host.Api();
        using var form = new HttpRequestMessage(HttpMethod.Post, "/t/acme-bank/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "customer@acme-bank.example", ["password"] = "Demo-pass-2026" }),
        };
        var response = await api.Client.SendAsync(form, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("This form has expired", html, StringComparison.Ordinal);
        Assert.Contains("Acme Bank", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_API_keeps_problem_details_while_pages_get_html()
    {
        using var api = host.Api();
        var problem = await api.GetAsync("/t/no-such-tenant/api/me");
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        var page = await api.GetAsync("/t/no-such-tenant/tickets");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>A host whose pages allow three requests a minute per person.</summary>
public sealed class StrictlyLimitedHost : SampleHostFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Web:RateLimit:PermitsPerMinute", "3");
    }
}

public sealed class WebRateLimitTests(StrictlyLimitedHost host) : IClassFixture<StrictlyLimitedHost>
{
    [Fact]
    public async Task Pages_past_the_rate_limit_get_a_429_page_with_Retry_After()
    {
        using var api = host.Api();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/t/acme-bank/login")).StatusCode);
        var limited = await api.GetAsync("/t/acme-bank/login");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "No Retry-After.");
        var html = await limited.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Slow down, please", html, StringComparison.Ordinal);
        Assert.Contains("Acme Bank", html, StringComparison.Ordinal);
        // The JSON API has limits of its own and is not affected.
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/t/acme-bank/api/me")).StatusCode);
    }
}
