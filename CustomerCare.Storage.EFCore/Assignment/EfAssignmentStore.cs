using System.Globalization;
using CustomerCare.Assignment;
using CustomerCare.Errors;
using CustomerCare.Storage.EFCore.Tickets;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerCare.Storage.EFCore.Assignment;

/// <summary>The assignment queue and lock on EF Core. The lock is the tenant's row in <c>cc_assignment_state</c>.</summary>
internal sealed class EfAssignmentStore(CustomerCareDbContext db) : IAssignmentStore
{
    /// <summary>Takes the tenant's lock row (creating it the first time); returns the round-robin cursor and the staff version. Tenant is <c>{0}</c>.</summary>
    internal const string LockSql =
        """
        INSERT INTO "cc_assignment_state" ("TenantId", "Epoch", "StaffVersion") VALUES ({0}, 1, 0)
        ON CONFLICT ("TenantId") DO UPDATE SET "Epoch" = "cc_assignment_state"."Epoch" + 1
        RETURNING "LastAssignedAgentId", "StaffVersion", "Epoch"
        """;

    /// <summary>
    /// One statement after the lock: the agents with unresolved tickets and how many (counter rows kept by triggers),
    /// then a row with a <c>NULL</c> agent when a ticket is queued (new, unassigned). The queue is probed through a
    /// scalar subquery ordered as the queue index (<c>TenantId, Status, Priority, Number</c>), so that PostgreSQL walks
    /// that index: as an unordered <c>LIMIT 1</c> (or an <c>EXISTS</c>, which drops the order), once other tenants had
    /// many unassigned tickets its planner expected an early match in a sequential scan and read every tenant's
    /// tickets on each create.
    /// </summary>
    internal const string LoadsAndQueueSql =
        """
        SELECT "AgentId", "OpenTickets" FROM "cc_agent_loads" WHERE "TenantId" = {0} AND "OpenTickets" > 0
        UNION ALL
        SELECT NULL, 0 WHERE (SELECT 1 FROM "cc_tickets" WHERE "TenantId" = {0} AND "Status" = 0 AND "AssigneeId" IS NULL ORDER BY "Priority", "Number" LIMIT 1) IS NOT NULL
        """;

    /// <summary>The command under the lock, for a drain and for a new ticket (which also takes its number).</summary>
    private const string LockOnlySql = LockSql + ";\n" + LoadsAndQueueSql + ";";
    private const string LockForNewTicketSql = LockSql + ";\n" + EfTicketNumbers.NextNumberSql + ";\n" + LoadsAndQueueSql + ";";

    public Task<IAssignmentSession> BeginAsync(CancellationToken cancellationToken) => BeginAsync(false, cancellationToken);

    public Task<IAssignmentSession> BeginForNewTicketAsync(CancellationToken cancellationToken) => BeginAsync(true, cancellationToken);

    /// <summary>
    /// One command: the lock-row upsert (which takes the row lock on PostgreSQL, the write lock on SQLite, until
    /// commit, so batches of one tenant run one at a time on every host instance) returning the round-robin cursor
    /// and the staff version; for a new ticket, its number; then, in one statement (run after the lock is held, so it
    /// sees every commit before it), the agents' loads (counter rows kept by triggers) and whether any ticket is queued.
    /// </summary>
    private async Task<IAssignmentSession> BeginAsync(bool newTicket, CancellationToken cancellationToken)
    {
        var tenantId = db.CurrentTenantId ?? throw new TenantMismatchException("Cannot assign tickets without a current tenant.");
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var sql = newTicket ? LockForNewTicketSql : LockOnlySql;
            string? last;
            long staffVersion, epoch;
            var loads = new Dictionary<string, int>(StringComparer.Ordinal);
            bool queued;
            await using (var reader = await RawCommand.ExecutePreparedReaderAsync(db, sql, [tenantId], cancellationToken))
            {
                var r = reader.DbDataReader;
                await r.ReadAsync(cancellationToken);
                last = await r.IsDBNullAsync(0, cancellationToken) ? null : r.GetString(0);
                staffVersion = r.GetInt64(1);
                epoch = r.GetInt64(2);
                if (newTicket)
                {
                    await r.NextResultAsync(cancellationToken);
                    await r.ReadAsync(cancellationToken);
                    db.ReservedTicketNumber = r.GetInt64(0);
                }
                await r.NextResultAsync(cancellationToken);
                queued = false;
                while (await r.ReadAsync(cancellationToken))
                {
                    if (await r.IsDBNullAsync(0, cancellationToken)) queued = true;
                    else loads[r.GetString(0)] = r.GetInt32(1);
                }
            }
            return new Session(db, transaction, last, staffVersion, epoch, loads, queued);
        }
        catch
        {
            db.ReservedTicketNumber = null;
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Counted from the tickets themselves (the admin API shows this; the engine reads the counter rows under its lock).</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Tickets
            .Where(t => t.AssigneeId != null && (t.Status == TicketStatus.Open || t.Status == TicketStatus.Pending))
            .GroupBy(t => t.AssigneeId!)
            .Select(g => new { Agent = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Agent, r => r.Count, StringComparer.Ordinal);
    }

    public Task<int> CountQueuedAsync(CancellationToken cancellationToken)
        => db.Tickets.CountAsync(t => t.AssigneeId == null && t.Status == TicketStatus.New, cancellationToken);

    /// <summary>
    /// The next new ticket saved through this scope's ticket store is written by <see cref="Notifications.OutboxWriter.CreateGuardedTicketAsync"/>:
    /// one command that advances the tenant's state row only if its epoch and staff version are the expected ones and no
    /// ticket is queued, and writes the ticket, its number, events and activity only if it did.
    /// </summary>
    public IAssignmentGuard? GuardNextNewTicket(long epoch, long staffVersion)
    {
        var guard = new EfAssignmentGuard(db, epoch, staffVersion);
        db.AssignmentGuard = guard;
        return guard;
    }

    private sealed class Session(
        CustomerCareDbContext db,
        IDbContextTransaction transaction,
        string? lastAssigned,
        long staffVersion,
        long epoch,
        IReadOnlyDictionary<string, int> loads,
        bool queued) : IAssignmentSession
    {
        private readonly List<CustomerCare.Notifications.OutboxActivity> _activities = [];
        private bool _committed;
        private bool _assigned;
        private string? _cursorByInsert;

        public string? LastAssignedAgentId => lastAssigned;

        public long? StaffVersion => staffVersion;

        public bool? HasQueuedTickets => queued;

        /// <summary>
        /// The epoch the lock set, plus one for the new ticket inserted assigned (its insert trigger advances the epoch with the
        /// cursor, migration <c>AssignmentEpochTriggers</c>); unknown once the session assigned queued tickets.
        /// </summary>
        public long? EpochAfterCommit => _committed && !_assigned && _cursorByInsert is not null ? epoch + 1 : null;

        public Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken) => Task.FromResult(loads);

        public async Task<IReadOnlyList<Ticket>> GetQueuedAsync(int skip, int limit, CancellationToken cancellationToken)
            => await db.Tickets.AsNoTracking()
                .Where(t => t.AssigneeId == null && t.Status == TicketStatus.New)
                .OrderByDescending(t => t.Priority).ThenBy(t => t.Number)
                .Skip(skip).Take(limit)
                .ToListAsync(cancellationToken);

        public void Assign(Ticket ticket, long expectedVersion, TicketEvent assignedEvent, CustomerCare.Notifications.OutboxActivity? activity = null)
        {
            _assigned = true;
            if (activity is not null) _activities.Add(activity);
            var entry = db.Tickets.Attach(ticket);
            entry.State = EntityState.Modified;
            entry.Property(t => t.Version).OriginalValue = expectedVersion;
            db.TicketEvents.Add(assignedEvent);
        }

        /// <summary>
        /// The new ticket goes in already assigned to <paramref name="lastAssignedAgentId"/>, and inserting an assigned
        /// ticket moves the cursor in the database (trigger of migration <c>AssignmentCursorTrigger</c>): nothing to
        /// write here, and <see cref="CommitAsync"/> need not write it either.
        /// </summary>
        /// <remarks>
        /// On PostgreSQL the new ticket is then the session's last write (the engine commits right after it), so its command
        /// also commits: one round trip fewer. <see cref="CommitAsync"/> refuses to go on if anything is left to write then.
        /// </remarks>
        public void SaveCursorWithNextChange(string? lastAssignedAgentId)
        {
            _cursorByInsert = lastAssignedAgentId;
            db.CommitWithNewTicket = db is NpgsqlCustomerCareDbContext && lastAssignedAgentId is not null && _activities.Count == 0;
        }

        public async Task CommitAsync(string? lastAssignedAgentId, CancellationToken cancellationToken)
        {
            var cursorWritten = lastAssignedAgentId == lastAssigned || (lastAssignedAgentId is not null && lastAssignedAgentId == _cursorByInsert);
            if (db.NewTicketCommitted)
            {
                if (!cursorWritten || _activities.Count > 0 || db.ChangeTracker.HasChanges())
                    throw new InvalidOperationException("The assignment session was committed with its new ticket, but more was written in it afterwards.");
                _committed = true;
                return;
            }
            try
            {
                // The cursor is written unless it is unchanged or the new ticket's insert moved it.
                if (!cursorWritten)
                    db.Attach(new AssignmentState { TenantId = db.CurrentTenantId!, LastAssignedAgentId = lastAssignedAgentId }).Property(s => s.LastAssignedAgentId).IsModified = true;
                db.OutboxActivities.AddRange(_activities);
                if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                _committed = true;
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ConcurrencyConflictException();
            }
            catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected })
            {
                // A drain holds the state row and updates queued tickets; a concurrent write that changes a load (an admin assigning
                // one of those tickets by hand) holds its ticket and, through the load trigger, waits for the state row. PostgreSQL
                // breaks the cycle by failing one of them: for the drain that is contention like any other, and it starts over.
                throw new ConcurrencyConflictException();
            }
        }

        public async ValueTask DisposeAsync()
        {
            db.ReservedTicketNumber = null;
            if (!_committed)
            {
                try
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (InvalidOperationException) when (db.CommitWithNewTicket)
                {
                    // The new ticket's command carried COMMIT and failed after it ran (cancelled while its results were read):
                    // Npgsql then refuses a rollback, and there is nothing left to roll back.
                }
            }
            db.CommitWithNewTicket = false;
            db.NewTicketCommitted = false;
            await transaction.DisposeAsync();
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>An optimistic assignment of the next new ticket (<see cref="EfAssignmentStore.GuardNextNewTicket"/>), read and completed by the ticket store.</summary>
internal sealed class EfAssignmentGuard(CustomerCareDbContext db, long epoch, long staffVersion) : IAssignmentGuard
{
    public long Epoch => epoch;

    public long StaffVersion => staffVersion;

    public long? EpochAfter { get; set; }

    public void Dispose()
    {
        if (ReferenceEquals(db.AssignmentGuard, this)) db.AssignmentGuard = null;
    }
}

/// <summary>Per-tenant assignment state: the lock row, the round-robin cursor and the staff directory's version.</summary>
internal sealed class AssignmentState
{
    public string TenantId { get; set; } = "";
    public string? LastAssignedAgentId { get; set; }
    public long Epoch { get; set; }

    /// <summary>Raised by a trigger on <c>cc_staff</c> whenever a staff row of the tenant is written, so cached directories can tell they are stale.</summary>
    public long StaffVersion { get; set; }
}

/// <summary>An agent's unresolved (open or pending) tickets, kept by triggers on <c>cc_tickets</c> so assignment reads a row per agent instead of counting tickets.</summary>
internal sealed class AgentLoad
{
    public string TenantId { get; set; } = "";
    public string AgentId { get; set; } = "";
    public int OpenTickets { get; set; }
}
