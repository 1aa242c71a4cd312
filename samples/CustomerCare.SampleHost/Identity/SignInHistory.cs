using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace CustomerCare.SampleHost.Identity;

/// <summary>One successful sign-in, as the account page lists it.</summary>
/// <param name="At">When.</param>
/// <param name="Device">The browser's User-Agent (shortened).</param>
/// <param name="Address">The client address, when known.</param>
/// <param name="NewDevice">Whether it was a device not seen before (a mail went out).</param>
public sealed record SignInRecord(DateTimeOffset At, string Device, string? Address, bool NewDevice);

/// <summary>
/// The last few sign-ins of a user, kept as an Identity authentication token (no schema change): the
/// account page shows them so that people notice a sign-in that was not theirs.
/// </summary>
internal static class SignInHistory
{
    /// <summary>Set in <c>HttpContext.Items</c> while the cookie is only re-issued (e.g. after a password change): not a sign-in.</summary>
    public const string RefreshOnly = "customercare:refresh-sign-in";

    private const string Provider = "CustomerCare";
    private const string Name = "sign-ins";
    private const int Keep = 10;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IReadOnlyList<SignInRecord>> GetAsync(UserManager<SampleUser> users, SampleUser user)
    {
        var stored = await users.GetAuthenticationTokenAsync(user, Provider, Name);
        if (string.IsNullOrEmpty(stored)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<SignInRecord>>(stored, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static async Task AddAsync(UserManager<SampleUser> users, SampleUser user, SignInRecord record)
    {
        var list = (await GetAsync(users, user)).Prepend(record).Take(Keep).ToList();
        await users.SetAuthenticationTokenAsync(user, Provider, Name, JsonSerializer.Serialize(list, Json));
    }
}
