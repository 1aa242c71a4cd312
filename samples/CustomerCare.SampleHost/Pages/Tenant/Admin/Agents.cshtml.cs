using CustomerCare.Actors;
using CustomerCare.SampleHost.Web;
using CustomerCare.Staff;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant.Admin;

/// <summary>Admins: the staff directory — add an agent or admin (mailed a set-password link), remove one.</summary>
public sealed class AgentsModel(StaffManager staff) : TenantPageModel
{
    /// <inheritdoc />
    protected override ActorRole[]? Roles => [ActorRole.Admin];

    /// <summary>Active staff.</summary>
    public IReadOnlyList<StaffMember> Staff { get; private set; } = [];

    /// <summary>Name typed.</summary>
    [BindProperty]
    public string? DisplayName { get; set; }

    /// <summary>Email typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Lists.</summary>
    public Task OnGetAsync() => LoadAsync();

    /// <summary>Adds a staff member.</summary>
    public async Task<IActionResult> OnPostAddAsync(ActorRole? role)
    {
        var added = await staff.AddAsync(Me, new AddStaffRequest { Email = Email?.Trim(), DisplayName = DisplayName?.Trim(), Role = role ?? ActorRole.Agent }, HttpContext.RequestAborted);
        Flash = $"{added.DisplayName} was added as {added.Role.ToString().ToLowerInvariant()}. We mailed them a link to choose a password.";
        return Redirect(Path("/admin/agents"));
    }

    /// <summary>Removes a staff member (their unresolved tickets go back to the queue).</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string userId)
    {
        await staff.DeactivateAsync(Me, userId, HttpContext.RequestAborted);
        Flash = "Removed. Their open tickets are back in the queue.";
        return Redirect(Path("/admin/agents"));
    }

    /// <inheritdoc />
    protected override async Task<IActionResult> OnFailureAsync()
    {
        await LoadAsync();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadAsync()
        => Staff = [.. (await staff.ListAsync(Me, includeInactive: false, HttpContext.RequestAborted)).OrderBy(s => s.Role).ThenBy(s => s.DisplayName, StringComparer.CurrentCulture)];
}
