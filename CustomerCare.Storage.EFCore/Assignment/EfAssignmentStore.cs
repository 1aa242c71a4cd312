using System.Globalization;
using CustomerCare.Assignment;
using CustomerCare.Errors;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerCare.Storage.EFCore.Assignment;

/// <summary>The assignment queue and lock on EF Core. The lock is the tenant's row in <c>cc_assignment_state</c>.</summary>
internal sealed class EfAssignmentStore(CustomerCareDbContext db) : IAssignmentStore
{
    public async Task<IAssignmentSession> BeginAsync(CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            // One upsert takes the row lock (PostgreSQL) or the write lock (SQLite) until commit, so
            // batches of one tenant run one at a time on every host instance.
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText =
                """
                INSERT INTO "cc_assignment_state" ("TenantId", "Epoch") VALUES (@tenant, 1)
                ON CONFLICT ("TenantId") DO UPDATE SET "Epoch" = "cc_assignment_state"."Epoch" + 1
                RETURNING "LastAssignedAgentId"
                """;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@tenant";
            parameter.Value = db.CurrentTenantId ?? throw new TenantMismatchException("Cannot assign tickets without a current tenant.");
            command.Parameters.Add(parameter);
            var last = await command.ExecuteScalarAsync(cancellationToken);
            return new Session(db, transaction, last as string);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken) => Loads(db, cancellationToken);

    public Task<int> CountQueuedAsync(CancellationToken cancellationToken)
        => db.Tickets.CountAsync(t => t.AssigneeId == null && t.Status == TicketStatus.New, cancellationToken);

    private static async Task<IReadOnlyDictionary<string, int>> Loads(CustomerCareDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Tickets
            .Where(t => t.AssigneeId != null && (t.Status == TicketStatus.Open || t.Status == TicketStatus.Pending))
            .GroupBy(t => t.AssigneeId!)
            .Select(g => new { Agent = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Agent, r => r.Count, StringComparer.Ordinal);
    }

    private sealed class Session(CustomerCareDbContext db, IDbContextTransaction transaction, string? lastAssigned) : IAssignmentSession
    {
        private bool _committed;

        public string? LastAssignedAgentId => lastAssigned;

        public Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken) => Loads(db, cancellationToken);

        public async Task<IReadOnlyList<Ticket>> GetQueuedAsync(int skip, int limit, CancellationToken cancellationToken)
            => await db.Tickets.AsNoTracking()
                .Where(t => t.AssigneeId == null && t.Status == TicketStatus.New)
                .OrderByDescending(t => t.Priority).ThenBy(t => t.Number)
                .Skip(skip).Take(limit)
                .ToListAsync(cancellationToken);

        private readonly List<CustomerCare.Notifications.OutboxNotification> _notifications = [];

        public void Assign(Ticket ticket, long expectedVersion, TicketEvent assignedEvent, IReadOnlyList<CustomerCare.Notifications.OutboxNotification>? notifications = null)
        {
            if (notifications is not null) _notifications.AddRange(notifications);
            var entry = db.Tickets.Attach(ticket);
            entry.State = EntityState.Modified;
            entry.Property(t => t.Version).OriginalValue = expectedVersion;
            db.TicketEvents.Add(assignedEvent);
        }

        public async Task CommitAsync(string? lastAssignedAgentId, CancellationToken cancellationToken)
        {
            try
            {
                var state = new AssignmentState { TenantId = db.CurrentTenantId!, LastAssignedAgentId = lastAssignedAgentId };
                db.Attach(state).Property(s => s.LastAssignedAgentId).IsModified = true;
                await Notifications.OutboxWriter.AddAsync(db, _notifications, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                _committed = true;
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ConcurrencyConflictException();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_committed) await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await transaction.DisposeAsync();
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>Per-tenant assignment state: the lock row and the round-robin cursor.</summary>
internal sealed class AssignmentState
{
    public string TenantId { get; set; } = "";
    public string? LastAssignedAgentId { get; set; }
    public long Epoch { get; set; }
}
