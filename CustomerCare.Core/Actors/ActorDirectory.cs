using CustomerCare.Customers;
using CustomerCare.Staff;

namespace CustomerCare.Actors;

/// <summary>What the tenant's records say about a user: their staff entry and their customer profile, each if any.</summary>
internal sealed record DirectoryEntry(bool IsStaff, ActorRole Role, bool IsActive, string DisplayName, string? Email, bool IsErased);

/// <summary>
/// Looks a caller up in the staff directory and the customer profiles of the current tenant. The default asks the two
/// stores one after the other; the EF Core store answers both in one query, so a caller who is not cached costs one
/// round trip instead of two.
/// </summary>
internal interface IActorDirectory
{
    /// <summary>The user's staff entry and customer profile that exist (none, one or both).</summary>
    Task<IReadOnlyList<DirectoryEntry>> FindAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>The directory over any <see cref="IStaffStore"/> and <see cref="ICustomerStore"/>.</summary>
internal sealed class StoreActorDirectory(IStaffStore staff, ICustomerStore customers) : IActorDirectory
{
    public async Task<IReadOnlyList<DirectoryEntry>> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var member = await staff.FindAsync(userId, cancellationToken);
        if (member is { IsActive: true }) return [new DirectoryEntry(true, member.Role, true, member.DisplayName, member.Email, false)];
        var profile = await customers.FindAsync(userId, cancellationToken);
        var entries = new List<DirectoryEntry>(2);
        if (member is not null) entries.Add(new DirectoryEntry(true, member.Role, false, member.DisplayName, member.Email, false));
        if (profile is not null) entries.Add(new DirectoryEntry(false, ActorRole.Customer, true, profile.DisplayName, profile.Email, profile.ErasedAt is not null));
        return entries;
    }
}
