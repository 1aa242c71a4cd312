using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.Staff;

/// <summary>The staff directory on EF Core.</summary>
internal sealed class EfStaffStore(CustomerCareDbContext db) : IStaffStore
{
    public Task<StaffMember?> FindAsync(string userId, CancellationToken cancellationToken)
        => db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);

    public Task<StaffMember?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var lower = email.ToLowerInvariant();
        return db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.Email.ToLower() == lower, cancellationToken);
    }

    public async Task<IReadOnlyList<StaffMember>> ListAsync(bool activeOnly, CancellationToken cancellationToken)
    {
        var q = db.Staff.AsNoTracking();
        if (activeOnly) q = q.Where(s => s.IsActive);
        return await q.OrderBy(s => s.DisplayName).ThenBy(s => s.UserId).ToListAsync(cancellationToken);
    }

    public async Task AddAsync(StaffMember member, CancellationToken cancellationToken)
    {
        try
        {
            db.Staff.Add(member);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Tickets.EfTicketStore.IsUniqueViolation(ex))
        {
            throw new Errors.ConflictException("staff-exists", "This account is already a staff member.");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task AddAsync(StaffMember member, IReadOnlyList<CustomerCare.Notifications.OutboxNotification> notifications, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            db.Staff.Add(member);
            await Notifications.OutboxWriter.AddAsync(db, notifications, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Tickets.EfTicketStore.IsUniqueViolation(ex))
        {
            throw new Errors.ConflictException("staff-exists", "This account is already a staff member.");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task UpdateAsync(StaffMember member, IReadOnlyList<CustomerCare.Notifications.OutboxNotification> notifications, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            db.Staff.Update(member);
            await Notifications.OutboxWriter.AddAsync(db, notifications, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task UpdateAsync(StaffMember member, CancellationToken cancellationToken)
    {
        try
        {
            db.Staff.Update(member);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task DeactivateAsync(StaffMember member, IReadOnlyList<TicketEvent> unassignEvents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            member.IsActive = false;
            db.Staff.Update(member);
            await db.SaveChangesAsync(cancellationToken);
            var userId = member.UserId;
            await db.Tickets
                .Where(t => t.AssigneeId == userId && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.AssigneeId, (string?)null)
                    .SetProperty(t => t.AssigneeName, (string?)null)
                    .SetProperty(t => t.Status, TicketStatus.New)
                    .SetProperty(t => t.UpdatedAt, now)
                    .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
            db.TicketEvents.AddRange(unassignEvents);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
