using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>The signed-in person's account: phone, password, recent sign-ins, delete (customers).</summary>
public sealed class AccountModel(UserManager<SampleUser> users, SignInManager<SampleUser> signIn, CustomerManager customers) : TenantPageModel
{
    /// <summary>The phone number.</summary>
    public string? Phone { get; private set; }

    /// <summary>Recent sign-ins, newest first.</summary>
    public IReadOnlyList<SignInRecord> SignIns { get; private set; } = [];

    /// <summary>Shows the account.</summary>
    public Task OnGetAsync() => LoadAsync();

    /// <summary>Changes the phone number (customers: also the helpdesk profile, validated by Core).</summary>
    public async Task<IActionResult> OnPostPhoneAsync(string? phone)
    {
        var user = await CurrentUserAsync();
        phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        if (Me.Role == ActorRole.Customer)
        {
            var profile = await customers.UpdateOwnAsync(Me, new UpdateProfileRequest { Phone = phone }, HttpContext.RequestAborted);
            phone = profile.Phone;
        }
        else if (phone is { Length: > 30 } || (phone is not null && !phone.All(c => char.IsDigit(c) || c is '+' or ' ' or '-' or '(' or ')')))
        {
            throw new Errors.ValidationException("phone", "Phone must be in international form, e.g. +44 20 7946 0958.");
        }
        user.PhoneNumber = phone;
        await users.UpdateAsync(user);
        Flash = phone is null ? "Your phone number was removed." : "Your phone number was saved.";
        return Redirect(Path("/account"));
    }

    /// <summary>Changes the password (the current one is required) and keeps this session.</summary>
    public async Task<IActionResult> OnPostPasswordAsync(string? currentPassword, string? newPassword)
    {
        var user = await CurrentUserAsync();
        if (string.IsNullOrEmpty(currentPassword)) Errors["currentPassword"] = ["Enter your current password."];
        if (string.IsNullOrEmpty(newPassword)) Errors["newPassword"] = ["Choose a new password."];
        if (Errors.Count == 0)
        {
            var result = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
            if (result.Succeeded)
            {
                signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
                HttpContext.Items[SignInHistory.RefreshOnly] = true;
                await signIn.RefreshSignInAsync(user);
                Flash = "Your password was changed.";
                return Redirect(Path("/account"));
            }
            foreach (var error in result.Errors)
            {
                var field = error.Code == "PasswordMismatch" ? "currentPassword" : "newPassword";
                var message = error.Code == "PasswordMismatch" ? "The current password is not right." : error.Description;
                Errors[field] = [.. (Errors.TryGetValue(field, out var before) ? before : []), message];
            }
        }
        return await OnFailureAsync();
    }

    /// <summary>Deletes the customer's own account and signs out.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(bool confirm)
    {
        if (!confirm)
        {
            Errors["confirm"] = ["Tick the box to confirm that you want to delete your account."];
            return await OnFailureAsync();
        }
        await customers.EraseOwnAsync(Me, HttpContext.RequestAborted);
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        await signIn.SignOutAsync();
        return Redirect($"{Path("/login")}?reason=deleted");
    }

    /// <inheritdoc />
    protected override async Task<IActionResult> OnFailureAsync()
    {
        await LoadAsync();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<SampleUser> CurrentUserAsync()
        => await users.FindByIdAsync(Me.UserId) ?? throw new Errors.NotFoundException("account");

    private async Task LoadAsync()
    {
        var user = await CurrentUserAsync();
        Phone = Me.Role == ActorRole.Customer ? (await customers.GetOwnAsync(Me, HttpContext.RequestAborted))?.Phone : user.PhoneNumber;
        SignIns = await SignInHistory.GetAsync(users, user);
    }
}
