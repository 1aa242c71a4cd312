using System.Net.Mail;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant.Admin;

/// <summary>Admins: the tenant's name, colour and mail sender.</summary>
public sealed class SettingsModel(ITenantStore store) : TenantPageModel
{
    /// <inheritdoc />
    protected override ActorRole[]? Roles => [ActorRole.Admin];

    /// <summary>Name.</summary>
    [BindProperty]
    public string? Name { get; set; }

    /// <summary>Colour (#rrggbb).</summary>
    [BindProperty]
    public string? Color { get; set; }

    /// <summary>Sender name.</summary>
    [BindProperty]
    public string? SenderName { get; set; }

    /// <summary>Sender address.</summary>
    [BindProperty]
    public string? SenderAddress { get; set; }

    /// <summary>Shows the current settings.</summary>
    public void OnGet()
    {
        Name = Tenant.Name;
        Color = WebApp.BrandColor(Tenant) is { Length: 7 } c ? c : "#37474f";
        SenderName = Tenant.Settings.SenderName;
        SenderAddress = Tenant.Settings.SenderAddress;
    }

    /// <summary>Validates and saves.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Name = Name?.Trim();
        SenderName = string.IsNullOrWhiteSpace(SenderName) ? null : SenderName.Trim();
        SenderAddress = string.IsNullOrWhiteSpace(SenderAddress) ? null : SenderAddress.Trim();
        if (string.IsNullOrEmpty(Name)) Errors["name"] = ["Enter the organisation's name."];
        else if (Name.Length > 100) Errors["name"] = ["The name must be at most 100 characters."];
        if (Color is null || !WebApp.ColorPattern().IsMatch(Color)) Errors["color"] = ["Choose a colour like #0b5394."];
        if (SenderName is { Length: > 100 }) Errors["senderName"] = ["The sender name must be at most 100 characters."];
        if (SenderAddress is not null && (SenderAddress.Length > 254 || !MailAddress.TryCreate(SenderAddress, out var parsed) || parsed.Address != SenderAddress))
            Errors["senderAddress"] = ["Enter an address like support@example.com."];
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var tenant = await store.FindByIdAsync(Tenant.Id, HttpContext.RequestAborted) ?? throw new Errors.NotFoundException("tenant");
        tenant.Name = Name!;
        tenant.Settings.Color = Color!.ToLowerInvariant();
        tenant.Settings.SenderName = SenderName;
        tenant.Settings.SenderAddress = SenderAddress;
        await store.UpdateAsync(tenant, HttpContext.RequestAborted);
        Flash = "Settings saved.";
        return Redirect(Path("/admin/settings"));
    }
}
