using CustomerCare.Actors;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.Customers;

/// <summary>
/// The caller's staff entry and customer profile in one query (<c>UNION ALL</c> of the two tables, each by its primary key),
/// so resolving a caller who is not cached is one round trip.
/// </summary>
internal sealed class EfActorDirectory(CustomerCareDbContext db) : IActorDirectory
{
    public async Task<IReadOnlyList<DirectoryEntry>> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var staff = db.Staff.AsNoTracking().Where(s => s.UserId == userId)
            .Select(s => new Row { IsStaff = true, Role = s.Role, IsActive = s.IsActive, DisplayName = s.DisplayName, Email = s.Email, IsErased = false });
        var customers = db.Customers.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new Row { IsStaff = false, Role = ActorRole.Customer, IsActive = true, DisplayName = c.DisplayName, Email = c.Email, IsErased = c.ErasedAt != null });
        var rows = await staff.Concat(customers).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new DirectoryEntry(r.IsStaff, r.Role, r.IsActive, r.DisplayName, r.Email, r.IsErased))];
    }

    private sealed class Row
    {
        public bool IsStaff { get; init; }
        public ActorRole Role { get; init; }
        public bool IsActive { get; init; }
        public string DisplayName { get; init; } = "";
        public string? Email { get; init; }
        public bool IsErased { get; init; }
    }
}
