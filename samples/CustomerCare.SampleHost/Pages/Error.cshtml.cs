using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using CustomerCare.SampleHost.Web;

namespace CustomerCare.SampleHost.Pages;

/// <summary>
/// What a person sees instead of a bare status code or a stack trace: the status code pages and the
/// exception handler of page requests re-execute here. Branded as the tenant of the original URL.
/// </summary>
[IgnoreAntiforgeryToken]
[DisableRateLimiting]
public sealed class ErrorModel(ITenantStore tenants) : PageModel
{
    /// <summary>The tenant of the page that failed, for its name and colour.</summary>
    public TenantInfo? Brand { get; private set; }

    /// <summary>The page's heading.</summary>
    public string Heading { get; private set; } = "";

    /// <summary>What happened and what to do.</summary>
    public string Message { get; private set; } = "";

    /// <summary>Where the link goes.</summary>
    public string Home { get; private set; } = "/";

    /// <summary>The link's text.</summary>
    public string HomeText { get; private set; } = "Go to the start page";

    /// <summary>Renders the page for <paramref name="code"/>.</summary>
    public Task OnGetAsync(int code) => RenderAsync(code);

    /// <summary>Failed form posts are re-executed with their method.</summary>
    public Task OnPostAsync(int code) => RenderAsync(code);

    private async Task RenderAsync(int code)
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
            ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path;
        var slug = WebApp.TenantSlug(original);
        var tenant = slug is null ? null : await tenants.FindByIdentifierAsync(slug, HttpContext.RequestAborted);
        if (tenant is not null)
        {
            Brand = tenant;
            Home = $"/t/{tenant.Identifier}";
            HomeText = $"Go to the {tenant.Name} help centre";
        }
        if (code is < 400 or > 599) code = 404;
        Response.StatusCode = code;
        (Heading, Message) = code switch
        {
            400 => ("This form has expired", "The page was open for too long, or you signed in or out in another tab. Go back, reload the page and try again."),
            401 => ("Please sign in", "You need to sign in to see this page."),
            403 => ("Not allowed", "Your account is not allowed to do this. If you think it should be, ask your administrator."),
            404 when slug is not null && tenant is null => ("Organisation not found", $"There is no organisation called \"{slug}\" on this site. Check the address."),
            404 => ("Page not found", "We could not find this page. The ticket or page may not exist, or your account may not have access to it."),
            413 => ("Too much text", "What you sent is too large. Shorten it and try again."),
            429 => ("Slow down, please", $"You sent too many requests in a short time. Wait {RetryAfter()} and try again."),
            503 when tenant is { Status: TenantStatus.Suspended } => ("Temporarily unavailable", $"The {tenant.Name} help centre is temporarily unavailable. Please try again later."),
            503 => ("Temporarily unavailable", "This service is temporarily unavailable. Please try again later."),
            >= 500 => ("Something went wrong", "Something went wrong on our side. Your last change may not have been saved. Please try again in a moment."),
            _ => ("That did not work", "The request could not be completed. Go back and try again."),
        };
        if (tenant is { Status: TenantStatus.Suspended })
        {
            Home = "/";
            HomeText = "Go to the start page";
        }
    }

    private string RetryAfter()
        => int.TryParse(Response.Headers.RetryAfter.ToString(), out var seconds) ? (seconds == 1 ? "a second" : $"{seconds} seconds") : "a minute";
}
