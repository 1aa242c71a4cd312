using CustomerCare.Actors;
using CustomerCare.AspNetCore;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CustomerCare.SampleHost.Web;

/// <summary>
/// Base of the pages under <c>/t/{tenant}/</c>: resolves the actor the way CustomerCare's endpoints do
/// (<see cref="IActorResolver"/>: tenant claim, staff directory, customer profile), sends people who are
/// not signed in to this tenant to its sign-in page, checks the page's roles, and turns CustomerCare's
/// errors into pages a person understands (404, 403) or messages next to the fields (validation).
/// </summary>
public abstract class TenantPageModel : PageModel
{
    /// <summary>Application cookie name (Identity's default), used to tell an expired session from no session.</summary>
    internal const string SessionCookie = ".AspNetCore.Identity.Application";

    /// <summary>The tenant of this request (resolved by the tenancy middleware from the route).</summary>
    public TenantInfo Tenant { get; private set; } = null!;

    /// <summary>The signed-in actor of this tenant, or <c>null</c>.</summary>
    public Actor? Actor { get; private set; }

    /// <summary>The actor of a page that requires sign-in.</summary>
    protected Actor Me => Actor ?? throw new InvalidOperationException("This page requires a signed-in actor.");

    /// <summary>Field errors to show next to the fields (keys as CustomerCare's validation uses them).</summary>
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A message for the whole form (a conflict, a refused action).</summary>
    public string? FormError { get; set; }

    /// <summary>A one-time message after a redirect ("Ticket closed.").</summary>
    [TempData]
    public string? Flash { get; set; }

    /// <summary>Whether the page needs a signed-in actor (sign-in and registration pages do not).</summary>
    protected virtual bool RequiresSignIn => true;

    /// <summary>Roles that may open the page, or <c>null</c> for every signed-in role.</summary>
    protected virtual ActorRole[]? Roles => null;

    /// <summary>A path inside this tenant, e.g. <c>Path("/tickets")</c> → <c>/t/acme-bank/tickets</c>.</summary>
    public string Path(string path) => $"/t/{Tenant.Identifier}{path}";

    /// <summary>The first error of <paramref name="field"/>, or <c>null</c>.</summary>
    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) && messages.Length > 0 ? string.Join(" ", messages) : null;

    /// <inheritdoc />
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var tenant = HttpContext.GetCustomerCareTenant();
        if (tenant is null)
        {
            context.Result = NotFound();
            return;
        }
        Tenant = tenant.Tenant;
        Actor = await HttpContext.RequestServices.GetRequiredService<IActorResolver>().ResolveAsync(User, tenant, HttpContext.RequestAborted);
        if (Actor is not null) HttpContext.Features.Set(Actor);

        if (RequiresSignIn && Actor is null)
        {
            var reason = User.Identity?.IsAuthenticated == true ? "other-tenant"
                : Request.Cookies.ContainsKey(SessionCookie) ? "expired" : "signin";
            var returnUrl = Request.Path + Request.QueryString;
            context.Result = Redirect($"{Path("/login")}?reason={reason}&returnUrl={Uri.EscapeDataString(HttpMethods.IsGet(Request.Method) ? returnUrl : Request.Path.Value ?? "")}");
            return;
        }
        if (Actor is not null && Roles is { } roles && !roles.Contains(Actor.Role))
        {
            context.Result = StatusCode(StatusCodes.Status403Forbidden);
            return;
        }

        var executed = await next();
        if (executed.Exception is CustomerCareException error && !executed.ExceptionHandled)
        {
            executed.ExceptionHandled = true;
            executed.Result = error switch
            {
                NotFoundException => NotFound(),
                ForbiddenException => StatusCode(StatusCodes.Status403Forbidden),
                _ => await FormFailureAsync(error),
            };
        }
    }

    /// <summary>Re-renders the page with the error (validation next to the fields, anything else on top).</summary>
    private Task<IActionResult> FormFailureAsync(CustomerCareException error)
    {
        if (error is ValidationException validation)
        {
            foreach (var (key, messages) in validation.Errors) Errors[key] = messages;
        }
        else
        {
            FormError = error switch
            {
                PreconditionFailedException or ConcurrencyConflictException => "Someone else changed this at the same time. Please look again and retry.",
                _ => error.Message,
            };
        }
        return OnFailureAsync();
    }

    /// <summary>What to show after a refused form: the page again (with its data reloaded by the page), by default a redirect to the same page.</summary>
    protected virtual Task<IActionResult> OnFailureAsync()
    {
        Flash = FormError ?? string.Join(" ", Errors.Values.SelectMany(v => v));
        return Task.FromResult<IActionResult>(Redirect(CurrentUrl()));
    }

    /// <summary>This page's URL without the <c>handler</c> of a form post (where to go back after one).</summary>
    protected string CurrentUrl()
    {
        var query = Request.Query.Where(q => !string.Equals(q.Key, "handler", StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"));
        var text = string.Join("&", query);
        return Request.Path + (text.Length > 0 ? "?" + text : "");
    }

    /// <summary>The home page of the actor's role.</summary>
    protected string HomeFor(Actor actor) => Path("/tickets");

    /// <summary>Redirects to a local path of this tenant only (never elsewhere: no open redirect).</summary>
    protected IActionResult RedirectInTenant(string? returnUrl, string fallback)
        => LocalRedirect(returnUrl is { Length: > 0 } && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith(Path("/"), StringComparison.Ordinal) ? returnUrl : fallback);
}
