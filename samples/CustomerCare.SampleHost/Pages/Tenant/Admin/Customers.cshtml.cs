using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant.Admin;

/// <summary>Admins: customers with tickets raised / resolved and notifications sent; delete erases personal data.</summary>
public sealed class CustomersModel(CustomerManager customers) : TenantPageModel
{
    /// <inheritdoc />
    protected override ActorRole[]? Roles => [ActorRole.Admin];

    /// <summary>Paging cursor.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    /// <summary>The page's customers.</summary>
    public IReadOnlyList<CustomerSummary> Items { get; private set; } = [];

    /// <summary>Next page's cursor.</summary>
    public string? NextCursor { get; private set; }

    /// <summary>Lists.</summary>
    public async Task OnGetAsync()
    {
        var page = await customers.ListAsync(Me, Cursor, 50, HttpContext.RequestAborted);
        Items = page.Items;
        NextCursor = page.NextCursor;
    }

    /// <summary>Erases a customer.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string userId)
    {
        await customers.EraseAsync(Me, userId, HttpContext.RequestAborted);
        Flash = "The customer was deleted. Their tickets stay, under \"deleted user\".";
        return Redirect(Path("/admin/customers"));
    }
}
