using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace CustomerCare.SampleHost.Identity;

/// <summary>One successful sign-in, as the account page lists it.</summary>
internal sealed record SignInRecord(DateTimeOffset At, string Device, string? Address, bool NewDevice);

/// <summary>
/// The last few sign-ins of a user, kept as an Identity authentication token (no schema change): the
/// account page shows them so that people notice a sign-in that was not theirs.
/// </summary>
internal static class SignInHistory
{
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
