using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.RateLimiting;

namespace CustomerCare.SampleHost.Web;

/// <summary>
/// The sample host's web app (Razor Pages under <c>/t/{tenant}/</c>): services, security headers, the
/// HTML error pages of page requests and the per-tenant theme stylesheet. The JSON API, the hub and
/// the operator API keep their problem-details errors.
/// </summary>
internal static partial class WebApp
{
    public const string RateLimitPolicy = "web-pages";

    /// <summary>Content-Security-Policy of every response: everything from this origin, no inline script or style.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddSampleWebApp(this IServiceCollection services, IConfiguration configuration)
    {
        // Razor Pages validate the antiforgery token of every POST. The error page is where a refused form
        // is re-executed (with its method), so it must not refuse the same form again.
        services.AddRazorPages(o => o.Conventions.AddPageApplicationModelConvention("/Error", model =>
        {
            foreach (var filter in model.Filters.Where(f => f is Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute).ToList())
                model.Filters.Remove(filter);
            model.Filters.Add(new Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryTokenAttribute());
        }));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".customercare.antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = ".customercare.flash";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // Pages get a fixed window per signed-in user (or per address when anonymous); past it, a 429 page.
        var permits = configuration.GetValue("Web:RateLimit:PermitsPerMinute", 300);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.Identity?.IsAuthenticated == true
                    ? "user:" + context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
                    : "ip:" + context.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = (context, _) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
                context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>Whether a request is for the web app (HTML pages) rather than the JSON API, the hub, OpenAPI or the operator API.</summary>
    public static bool IsPageRequest(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/ops/", StringComparison.Ordinal) || path.StartsWith("/openapi", StringComparison.Ordinal)
            || path.StartsWith("/auth", StringComparison.Ordinal) || path.StartsWith("/lib/", StringComparison.Ordinal)) return false;
        if (context.Request.PathBase.HasValue) return false;   // /t/{tenant}/api/auth/... (TenantAuthPathBase)
        var segments = path.Split('/', 5);
        return !(segments.Length >= 4 && segments[1] == "t" && segments[3] is "api" or "hub");
    }

    /// <summary>The tenant slug of a web-app path (<c>/t/{tenant}/...</c>), or <c>null</c>.</summary>
    public static string? TenantSlug(string? path)
    {
        var segments = (path ?? "").Split('/', 4);
        return segments.Length >= 3 && segments[1] == "t" && segments[2].Length is > 0 and <= 64 ? segments[2] : null;
    }

    /// <summary>Security headers on every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(context);
    });

    /// <summary>
    /// Before the tenancy middleware (which answers problem JSON): a page of an unknown tenant is a 404
    /// page and a page of a suspended tenant a 503 page with <c>Retry-After</c>, rendered by the error page.
    /// </summary>
    public static IApplicationBuilder UseTenantPageGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsPageRequest(context) && TenantSlug(context.Request.Path) is { } slug)
        {
            var tenant = await context.RequestServices.GetRequiredService<ITenantStore>().FindByIdentifierAsync(slug, context.RequestAborted);
            if (tenant is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (tenant.Status == TenantStatus.Suspended)
            {
                context.Response.Headers.RetryAfter = "300";
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
        }
        await next(context);
    });

    /// <summary>Browsers send cookies on a WebSocket to this host from any page: refuse hub requests from another origin.</summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (Realtime.SampleHub.IsHubPath(context.Request.Path) && context.Request.Headers.Origin.ToString() is { Length: > 0 } origin
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return next(context);
    });

    /// <summary>The tenant's colour, only when it is a plain <c>#rgb</c> / <c>#rrggbb</c> value (it ends up in CSS).</summary>
    public static string BrandColor(TenantInfo tenant)
        => tenant.Settings.Color is { } c && ColorPattern().IsMatch(c) ? c.ToLowerInvariant() : "#37474f";

    /// <summary>Black or white, whichever reads better on <paramref name="color"/> (WCAG relative luminance).</summary>
    public static string TextOn(string color)
    {
        var hex = color.TrimStart('#');
        if (hex.Length == 3) hex = string.Concat(hex.Select(ch => new string(ch, 2)));
        double Channel(int i)
        {
            var v = int.Parse(hex.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return v <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        }
        var luminance = 0.2126 * Channel(0) + 0.7152 * Channel(1) + 0.0722 * Channel(2);
        // Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
        return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#000000";
    }

    /// <summary>The query string that makes the theme URL change when the colour does (so it can be cached).</summary>
    public static string ThemeVersion(TenantInfo tenant)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BrandColor(tenant))))[..8];

    /// <summary><c>/t/{tenant}/theme.css</c>: the tenant's colour as CSS variables (style-src 'self' allows no inline style).</summary>
    public static IEndpointRouteBuilder MapTenantTheme(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/t/{tenant}/theme.css", (HttpContext context) =>
        {
            var tenant = context.Features.Get<TenantContext>()?.Tenant;
            if (tenant is null) return Results.NotFound();
            var color = BrandColor(tenant);
            context.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text($":root {{ --brand: {color}; --brand-text: {TextOn(color)}; }}\n", "text/css; charset=utf-8");
        }).ExcludeFromDescription();
        return endpoints;
    }

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    public static partial Regex ColorPattern();
}
