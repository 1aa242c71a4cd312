using CustomerCare.Actors;
using CustomerCare.SampleHost.Web;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>A customer raises a ticket: subject, description, category, priority and the tenant's custom fields, validated by Core.</summary>
public sealed class NewTicketModel(TicketManager tickets) : TenantPageModel
{
    /// <inheritdoc />
    protected override ActorRole[]? Roles => [ActorRole.Customer];

    /// <summary>Subject.</summary>
    [BindProperty]
    public string? Subject { get; set; }

    /// <summary>Description.</summary>
    [BindProperty]
    public string? Description { get; set; }

    /// <summary>Category.</summary>
    [BindProperty]
    public string? Category { get; set; }

    /// <summary>Priority.</summary>
    [BindProperty]
    public TicketPriority? Priority { get; set; }

    /// <summary>The tenant's custom fields by key.</summary>
    [BindProperty]
    public Dictionary<string, string?> Fields { get; set; } = [];

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Raises the ticket and opens it; field errors come back next to the fields.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var known = Tenant.Settings.CustomFields.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var fields = Fields.Where(f => known.Contains(f.Key) && !string.IsNullOrWhiteSpace(f.Value)).ToDictionary(f => f.Key, f => (string?)f.Value!.Trim());
        var created = await tickets.CreateAsync(Me, new CreateTicketRequest
        {
            Subject = Subject,
            Description = Description,
            Category = string.IsNullOrEmpty(Category) ? null : Category,
            Priority = Priority,
            CustomFields = fields,
            Channel = TicketChannel.Web,
        }, null, HttpContext.RequestAborted);
        Flash = $"Ticket {created.Value.Reference} raised. We will get back to you here and by email.";
        return Redirect(Path($"/tickets/{created.Value.Id}"));
    }

    /// <inheritdoc />
    protected override Task<IActionResult> OnFailureAsync()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.FromResult<IActionResult>(Page());
    }
}
