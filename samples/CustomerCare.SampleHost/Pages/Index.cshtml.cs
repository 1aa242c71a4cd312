using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CustomerCare.SampleHost.Pages;

/// <summary>The landing page: links to every tenant of the host.</summary>
public sealed class IndexModel(ITenantStore tenants) : PageModel
{
    /// <summary>Tenants of the host.</summary>
    public IReadOnlyList<TenantInfo> Tenants { get; private set; } = [];

    /// <summary>Lists the tenants.</summary>
    public async Task OnGetAsync() => Tenants = await tenants.GetAllAsync(HttpContext.RequestAborted);
}
