using System.Data.Common;
using CustomerCare.Errors;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CustomerCare.Storage.EFCore.Tickets;

/// <summary>Tickets, messages, audit trail and request keys on EF Core.</summary>
internal sealed class EfTicketStore(CustomerCareDbContext db) : ITicketStore
{
    public async Task SaveAsync(TicketChangeSet changes, CancellationToken cancellationToken)
    {
        var ticket = changes.Ticket;
        // Inside an assignment session (same scope, same context) the change joins its transaction,
        // so a new ticket and its automatic assignment commit together.
        var joined = db.Database.CurrentTransaction;
        var oneCommand = changes.IsNew && changes.Idempotency is null && changes.Message is null
            && Notifications.OutboxWriter.CanInsertWithNumber(db, ticket, changes.Events, changes.Activities);
        if (db.AssignmentGuard is { } guard)
        {
            // An optimistic assignment (the ticket is already assigned from the engine's snapshot): written only if the
            // snapshot is still current, in one command; otherwise nothing is written and the engine takes the lock.
            db.AssignmentGuard = null;
            if (!(oneCommand && joined is null && db.ReservedTicketNumber is null && ticket.AssigneeId is not null)) throw new ConcurrencyConflictException();
            guard.EpochAfter = await Notifications.OutboxWriter.CreateGuardedTicketAsync(db, ticket, changes.ReferencePrefix ?? "", changes.Events, changes.Activities,
                guard.Epoch, guard.StaffVersion, cancellationToken) ?? throw new ConcurrencyConflictException();
            return;
        }
        if (oneCommand && joined is null && db.ReservedTicketNumber is null)
        {
            // The usual new ticket: one command (atomic by itself on PostgreSQL; in a short transaction on SQLite).
            await Notifications.OutboxWriter.CreateTicketAsync(db, ticket, changes.ReferencePrefix ?? "", changes.Events, changes.Activities, cancellationToken);
            return;
        }
        if (oneCommand && joined is not null && db.ReservedTicketNumber is { } number)
        {
            // A new ticket in an assignment session, numbered with the lock: its rows in one command, in the session's transaction.
            ticket.Number = number;
            ticket.Reference = $"{changes.ReferencePrefix}-{number}";
            db.ReservedTicketNumber = null;
            var commit = db.CommitWithNewTicket;
            await Notifications.OutboxWriter.InsertNumberedTicketAsync(db, ticket, changes.ReferencePrefix ?? "", changes.Events, changes.Activities, commit, cancellationToken);
            db.NewTicketCommitted = commit;
            return;
        }
        if (joined is null && TicketChangeWriter.CanWrite(db, changes))
        {
            // PostgreSQL: a change of an existing ticket (a message, a status change, an assignment) in one statement.
            bool matched;
            try
            {
                matched = await TicketChangeWriter.TryUpdateAsync(db, changes, cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "cc_messages")
            {
                throw new ConcurrencyConflictException();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && changes.Idempotency is not null)
            {
                throw new DuplicateRequestException();
            }
            if (!matched) throw new ConcurrencyConflictException();
            return;
        }
        await using var owned = joined is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            if (changes.IsNew)
            {
                // Under an assignment session the number came with the lock, in the same round trip.
                ticket.Number = db.ReservedTicketNumber ?? await EfTicketNumbers.NextAsync(db, cancellationToken);
                db.ReservedTicketNumber = null;
                ticket.Reference = $"{changes.ReferencePrefix}-{ticket.Number}";
                db.Tickets.Add(ticket);
            }
            else
            {
                // The version check goes out in the same batch as the inserts (one round trip). A concurrent writer's message
                // with the same sequence then fails as a unique violation on the messages' sequence, which is the same
                // conflict and is reported as one (below).
                var entry = db.Tickets.Attach(ticket);
                entry.State = EntityState.Modified;
                entry.Property(t => t.Version).OriginalValue = changes.ExpectedVersion;
            }
            db.TicketEvents.AddRange(changes.Events);
            if (changes.Message is not null) db.Messages.Add(changes.Message);
            foreach (var activity in changes.Activities)
            {
                if (activity.TicketId == ticket.Id) activity.TicketReference = ticket.Reference;
            }
            db.OutboxActivities.AddRange(changes.Activities);
            if (changes.Idempotency is not null) db.IdempotencyRecords.Add(changes.Idempotency);

            await db.SaveChangesAsync(cancellationToken);
            if (owned is not null) await owned.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException();
        }
        catch (DbUpdateException ex) when (changes.Message is not null && IsUniqueViolation(ex, "cc_messages"))
        {
            throw new ConcurrencyConflictException();
        }
        catch (DbUpdateException ex) when (changes.Idempotency is not null && IsUniqueViolation(ex))
        {
            throw new DuplicateRequestException();
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public Task<Ticket?> FindAsync(Guid id, CancellationToken cancellationToken)
        => db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);

    public async Task<IReadOnlyList<Ticket>> QueryAsync(TicketQuery query, CancellationToken cancellationToken)
    {
        var q = db.Tickets.AsNoTracking();
        if (query.CustomerId is not null) q = q.Where(t => t.CustomerId == query.CustomerId);
        if (query.VisibleToAgentId is not null)
        {
            var agent = query.VisibleToAgentId;
            // An agent's filter on their own tickets (or, where they may see them, on unassigned ones) already keeps
            // to what they may see: the assignee condition below is the whole rule then. Adding the OR as well
            // would be redundant, and it costs at scale: PostgreSQL then reads every ticket the agent ever had
            // (bitmap OR over the assignee index) and sorts, instead of walking the filter's own index.
            var implied = query.Unassigned ? query.IncludeUnassignedForAgent : query.AssigneeId == agent;
            if (!implied)
            {
                q = query.IncludeUnassignedForAgent
                    ? q.Where(t => t.AssigneeId == agent || t.AssigneeId == null)
                    : q.Where(t => t.AssigneeId == agent);
            }
        }
        if (query.Statuses is { Count: > 0 } statuses) q = q.Where(t => statuses.Contains(t.Status));
        if (query.Priority is { } priority) q = q.Where(t => t.Priority == priority);
        if (query.Category is not null) q = q.Where(t => t.Category == query.Category);
        if (query.Unassigned) q = q.Where(t => t.AssigneeId == null);
        else if (query.AssigneeId is not null) q = q.Where(t => t.AssigneeId == query.AssigneeId);
        if (query.Text is not null)
        {
            var text = query.Text.ToLowerInvariant();
            q = q.Where(t => t.Reference.ToLower().Contains(text) || t.Subject.ToLower().Contains(text) || t.Description.ToLower().Contains(text));
        }
        if (query.BeforeNumber is { } before) q = q.Where(t => t.Number < before);
        return await q.OrderByDescending(t => t.Number).Take(query.Limit).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TicketMessage>> GetMessagesAsync(Guid ticketId, int afterSequence, int limit, bool includeInternal, CancellationToken cancellationToken)
    {
        var q = db.Messages.AsNoTracking().Where(m => m.TicketId == ticketId && m.Sequence > afterSequence);
        if (!includeInternal) q = q.Where(m => m.Visibility == MessageVisibility.Public);
        return await q.OrderBy(m => m.Sequence).Take(limit).ToListAsync(cancellationToken);
    }

    public Task<TicketMessage?> FindMessageAsync(Guid messageId, CancellationToken cancellationToken)
        => db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId, cancellationToken);

    public async Task<IReadOnlyList<TicketEvent>> GetEventsAsync(Guid ticketId, CancellationToken cancellationToken)
        => TicketEventRows.Expand(await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken));

    public Task<IdempotencyRecord?> FindIdempotencyRecordAsync(string userId, string key, CancellationToken cancellationToken)
        => db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);

    public async Task<IReadOnlyList<Ticket>> GetOpenAssignedAsync(string assigneeId, CancellationToken cancellationToken)
        => await db.Tickets.AsNoTracking()
            .Where(t => t.AssigneeId == assigneeId && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
            .OrderBy(t => t.Number).ToListAsync(cancellationToken);

    internal static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        DbException => false,
        _ => false,
    };

    /// <summary>A unique violation on <paramref name="table"/> (SQLite names it in the message: <c>UNIQUE constraint failed: cc_messages.…</c>).</summary>
    private static bool IsUniqueViolation(DbUpdateException ex, string table) => ex.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains($" {table}.", StringComparison.Ordinal),
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation && postgres.TableName == table,
        _ => false,
    };
}

/// <summary>The tenant's ticket numbers: one upsert on <c>cc_ticket_counters</c> in the caller's transaction.</summary>
internal static class EfTicketNumbers
{
    /// <summary>The upsert, with the tenant as parameter <c>{0}</c>; returns the number.</summary>
    public const string NextNumberSql =
        """
        INSERT INTO "cc_ticket_counters" ("TenantId", "LastNumber") VALUES ({0}, 1001)
        ON CONFLICT ("TenantId") DO UPDATE SET "LastNumber" = "cc_ticket_counters"."LastNumber" + 1
        RETURNING "LastNumber"
        """;

    public static async Task<long> NextAsync(CustomerCareDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = db.CurrentTenantId ?? throw new TenantMismatchException("Cannot number a ticket without a current tenant.");
        await using var reader = await RawCommand.ExecutePreparedReaderAsync(db, NextNumberSql, [tenantId], cancellationToken);
        await reader.DbDataReader.ReadAsync(cancellationToken);
        return reader.DbDataReader.GetInt64(0);
    }
}
