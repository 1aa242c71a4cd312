using CustomerCare.Customers;
using CustomerCare.Notifications;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.Customers;

/// <summary>Customers on EF Core.</summary>
internal sealed class EfCustomerStore(CustomerCareDbContext db) : ICustomerStore
{
    public Task<CustomerProfile?> FindAsync(string userId, CancellationToken cancellationToken)
        => db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == userId, cancellationToken);

    public async Task AddIfMissingAsync(CustomerProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            db.Customers.Add(profile);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Tickets.EfTicketStore.IsUniqueViolation(ex))
        {
            // A concurrent first request of the same customer created the profile.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task UpdateAsync(CustomerProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            db.Customers.Update(profile);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task<IReadOnlyList<CustomerSummary>> ListAsync(string? afterUserId, int limit, CancellationToken cancellationToken)
    {
        var q = db.Customers.AsNoTracking().Where(c => c.ErasedAt == null);
        if (afterUserId is not null) q = q.Where(c => string.Compare(c.UserId, afterUserId) > 0);
        var rows = await q
            .OrderBy(c => c.UserId)
            .Take(limit)
            .Select(c => new
            {
                Profile = c,
                Raised = db.Tickets.Count(t => t.CustomerId == c.UserId),
                Resolved = db.Tickets.Count(t => t.CustomerId == c.UserId && (t.Status == TicketStatus.Resolved || t.Status == TicketStatus.Closed)),
                Sent = db.Notifications.Count(n => n.RecipientUserId == c.UserId && n.Status == NotificationStatus.Sent),
            })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new CustomerSummary(r.Profile, r.Raised, r.Resolved, r.Sent))];
    }

    public async Task EraseAsync(CustomerProfile profile, string replacementName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var userId = profile.UserId;
            profile.DisplayName = replacementName;
            profile.Email = null;
            profile.Phone = null;
            profile.ErasedAt = now;
            db.Customers.Update(profile);
            await db.SaveChangesAsync(cancellationToken);
            await db.Tickets.Where(t => t.CustomerId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.CustomerName, replacementName).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
            await db.Messages.Where(m => m.AuthorId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.AuthorName, replacementName), cancellationToken);
            // Notifications to the person: undelivered ones are dropped, delivered ones keep no address, name or content.
            await db.Notifications.Where(n => n.RecipientUserId == userId && (n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Sending))
                .ExecuteDeleteAsync(cancellationToken);
            await db.Notifications.Where(n => n.RecipientUserId == userId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(n => n.RecipientAddress, "")
                    .SetProperty(n => n.RecipientName, (string?)null)
                    .SetProperty(n => n.DataJson, "{}"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
