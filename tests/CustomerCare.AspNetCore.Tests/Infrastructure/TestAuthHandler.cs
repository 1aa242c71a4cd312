using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A stand-in for the host's real authentication. Authentication belongs to the host (DESIGN.md §6):
/// CustomerCare only reads the principal. These library tests therefore "sign in" by headers:
/// <c>X-Test-User</c> is the user id, <c>X-Test-Tenant</c> the tenant the token was issued for
/// (claim <c>customercare:tenant</c>), and <c>X-Test-Name</c> / <c>X-Test-Email</c> the profile claims.
/// No header means anonymous. The sample host's tests cover real ASP.NET Core Identity.
/// </summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string UserHeader = "X-Test-User";
    public const string TenantHeader = "X-Test-Tenant";
    public const string NameHeader = "X-Test-Name";
    public const string EmailHeader = "X-Test-Email";
    public const string TenantClaim = "customercare:tenant";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers[UserHeader].ToString();
        if (string.IsNullOrEmpty(user)) return Task.FromResult(AuthenticateResult.NoResult());

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user),
            new(ClaimTypes.Name, Header(NameHeader) ?? "Name of " + user),
            new(ClaimTypes.Email, Header(EmailHeader) ?? user + "@example.test"),
        };
        if (Header(TenantHeader) is { } tenant) claims.Add(new Claim(TenantClaim, tenant));

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private string? Header(string name)
    {
        var value = Request.Headers[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
