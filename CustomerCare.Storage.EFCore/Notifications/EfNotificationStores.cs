using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore.Assignment;
using CustomerCare.Storage.EFCore.Tickets;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerCare.Storage.EFCore.Notifications;

/// <summary>
/// Writes past the change tracker: a new ticket with its events and outbox activities in one command, and outbox rows
/// inside the caller's transaction (merging into a pending row of the same coalesce key).
/// </summary>
internal static class OutboxWriter
{
    /// <summary>A batch mail carries at most this many messages; the next one starts a new batch.</summary>
    private const int MaxMergedMessages = 50;

    /// <summary>Rows one multi-row insert may carry (parameters stay far below SQLite's and PostgreSQL's limits).</summary>
    private const int MaxRowsPerInsert = 100;

    /// <summary>
    /// Whether <see cref="CreateTicketAsync"/> (or <see cref="InsertNumberedTicketAsync"/>) can write the new ticket's events and
    /// activities with it: a few of each, the activities all about it and in the current tenant.
    /// </summary>
    public static bool CanInsertWithNumber(CustomerCareDbContext db, Ticket ticket, IReadOnlyList<TicketEvent> events, IReadOnlyList<OutboxActivity> activities)
        => events.Count <= MaxRowsPerInsert && activities.Count <= MaxRowsPerInsert
           && activities.All(a => a.TicketId == ticket.Id && a.TenantId == db.CurrentTenantId);

    /// <summary>
    /// Creates a ticket in one command: the number's upsert, then the ticket (its number and reference computed in
    /// SQL), its events and its notification activities. On PostgreSQL the statements of one command run in one implicit
    /// transaction (one Sync), so this is atomic without <c>BEGIN</c> and <c>COMMIT</c>: one round trip in all. On
    /// SQLite the command runs in a transaction of its own, begun only once the command is built, so that the
    /// database's single write lock is held for the statements alone.
    /// </summary>
    public static async Task<long> CreateTicketAsync(CustomerCareDbContext db, Ticket ticket, string prefix, IReadOnlyList<TicketEvent> events, IReadOnlyList<OutboxActivity> activities, CancellationToken cancellationToken)
    {
        var (sql, parameters) = Build(db, prefix, ticket, events, activities);
        long number;
        if (db is NpgsqlCustomerCareDbContext)
        {
            number = await ExecuteAsync(db, sql, parameters, prefix, activities, cancellationToken);
        }
        else
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            number = await ExecuteAsync(db, sql, parameters, prefix, activities, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        ticket.Number = number;
        ticket.Reference = $"{prefix}-{number}";
        return number;
    }

    /// <summary>
    /// Inserts a new ticket whose number the caller's transaction has already taken (an assignment session takes it
    /// with its lock), with its events and activities, in one command past the change tracker, as
    /// <see cref="CreateTicketAsync"/> does for a ticket created on its own, and prepared like it. With
    /// <paramref name="commit"/> (PostgreSQL, the session's last write) the command ends with <c>COMMIT</c>.
    /// </summary>
    public static async Task InsertNumberedTicketAsync(CustomerCareDbContext db, Ticket ticket, string prefix, IReadOnlyList<TicketEvent> events, IReadOnlyList<OutboxActivity> activities,
        bool commit, CancellationToken cancellationToken)
    {
        var (sql, parameters) = Build(db, prefix, ticket, events, activities, takeNumber: false);
        await using (var reader = await RawCommand.ExecutePreparedReaderAsync(db, commit ? sql + ";\nCOMMIT" : sql, parameters, cancellationToken))
        {
            while (await reader.DbDataReader.NextResultAsync(cancellationToken)) { }
        }
        foreach (var activity in activities) activity.TicketReference = ticket.Reference;
    }

    /// <summary>
    /// Creates a new ticket already assigned by the engine from its snapshot of the tenant's assignment state, in one command,
    /// only if that snapshot is still current: the number, the ticket, its events and its activity are written only while the
    /// tenant's state row (locked as a session would lock it) has epoch <paramref name="epoch"/> and staff version
    /// <paramref name="staffVersion"/> and no ticket is queued. Returns the epoch once the command has run (advanced once, with
    /// the cursor), or <c>null</c> when the state had moved and nothing was written.
    /// PostgreSQL: one statement of data-modifying CTEs chained through the state row's update (atomic by itself, one round trip,
    /// prepared); SQLite: the number's upsert reads the state row, the ticket takes its number only if that upsert changed a row
    /// (<c>changes()</c>, which does not count rows written by triggers) and fails on a NULL number otherwise, in a transaction of
    /// its own that is then rolled back.
    /// </summary>
    public static async Task<long?> CreateGuardedTicketAsync(CustomerCareDbContext db, Ticket ticket, string prefix, IReadOnlyList<TicketEvent> events,
        IReadOnlyList<OutboxActivity> activities, long epoch, long staffVersion, CancellationToken cancellationToken)
    {
        var tenantId = db.CurrentTenantId ?? throw new TenantMismatchException("Cannot number a ticket without a current tenant.");
        var postgres = db is NpgsqlCustomerCareDbContext;
        var sql = new System.Text.StringBuilder(postgres ? GuardedHeadPostgres : GuardedHeadSqlite);
        var parameters = new List<object> { tenantId, prefix + "-", epoch, staffVersion };
        if (postgres) parameters.AddRange([ticket.AssigneeId ?? throw new ArgumentException("The ticket is not assigned.", nameof(ticket)), ticket.Id.ToString()]);
        using (var factory = db.Database.GetDbConnection().CreateCommand())
        {
            if (postgres)
            {
                AppendGuardedInsert(db, sql, parameters, factory, "t", [ticket]);
                AppendGuardedInsert(db, sql, parameters, factory, "e", TicketEventRows.Fold(events));
                AppendGuardedInsert(db, sql, parameters, factory, "a", activities);
                sql.Append("\nSELECT \"LastNumber\" FROM n");
            }
            else
            {
                // Plain multi-row inserts, as for a manual create (an INSERT … SELECT … WHERE changes() > 0 took SQLite about
                // 0.02 ms more to run than its VALUES form): when the guard wrote no number, the ticket's number is NULL and its
                // insert fails, which ends the command before anything else is written.
                AppendInsert(db, sql, parameters, factory, "t", [ticket], computed: GuardedComputedSqlite);
                AppendInsert(db, sql, parameters, factory, "e", TicketEventRows.Fold(events));
                AppendInsert(db, sql, parameters, factory, "a", activities);
            }
        }

        long? number = null;
        await using var transaction = postgres ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await using var reader = await RawCommand.ExecutePreparedReaderAsync(db, sql.ToString(), [.. parameters], cancellationToken);
            var r = reader.DbDataReader;
            if (await r.ReadAsync(cancellationToken)) number = r.GetInt64(0);
            // Step through the remaining statements, so that each runs now and its error is thrown here, inside the transaction.
            while (await r.NextResultAsync(cancellationToken)) { }
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (number is null && ex.SqliteExtendedErrorCode == SqliteNotNullViolation)
        {
            // SQLite: the guard wrote no number, so the ticket's insert failed on it (see above); nothing was written.
        }
        if (number is null)
        {
            if (transaction is not null) await transaction.RollbackAsync(cancellationToken);
            return null;
        }
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        ticket.Number = number.Value;
        ticket.Reference = $"{prefix}-{number}";
        foreach (var activity in activities) activity.TicketReference = ticket.Reference;
        // The ticket went in assigned: the epoch moved on once, with the cursor (PostgreSQL: the guard's update; SQLite: the ticket's
        // insert trigger, migration AssignmentEpochTriggers).
        return epoch + 1;
    }

    /// <summary>The queue probe of <see cref="EfAssignmentStore.LoadsAndQueueSql"/>: ordered as the queue index, so PostgreSQL walks it.</summary>
    private const string QueuedProbeSql =
        "(SELECT 1 FROM \"cc_tickets\" WHERE \"TenantId\" = {0} AND \"Status\" = 0 AND \"AssigneeId\" IS NULL ORDER BY \"Priority\", \"Number\" LIMIT 1) IS NULL";

    /// <summary>The guard: the tenant's state row while its epoch and staff version are the expected ones and nothing is queued.</summary>
    private const string GuardWhereSql =
        """
        WHERE "TenantId" = {0} AND "Epoch" = {2} AND "StaffVersion" = {3} AND
        """ + " " + QueuedProbeSql;

    /// <summary>
    /// SQLite: the guard is the number's upsert reading the state row. The transaction holds the database's one write lock from
    /// its start, so what the upsert reads cannot change before commit. The ticket's insert trigger then moves the cursor, the
    /// epoch and the agent's load.
    /// </summary>
    private const string GuardedHeadSqlite =
        """
        INSERT INTO "cc_ticket_counters" ("TenantId", "LastNumber")
        SELECT {0}, 1001 FROM "cc_assignment_state"
        """ + " " + GuardWhereSql + "\n" +
        """
        ON CONFLICT ("TenantId") DO UPDATE SET "LastNumber" = "cc_ticket_counters"."LastNumber" + 1
        RETURNING "LastNumber"
        """;

    /// <summary>
    /// PostgreSQL: the guard is the state row's update: the cursor to the agent (<c>{4}</c>) and the epoch one on. It locks the row
    /// as a session's upsert does; a transaction that held it and moved the epoch makes the row fail the condition once the lock
    /// is granted (READ COMMITTED re-checks the newest version), and then nothing after it is written. The agent's load is raised
    /// here too, and the row names the ticket (<c>{5}</c>) in <c>customercare.assigned_ticket</c> for the rest of the statement's
    /// transaction, so that the ticket's insert trigger does not do the same again (migration
    /// <c>AssignmentInTheGuardedInsert</c>): the two writes cost less as parts of this prepared statement than as the trigger's.
    /// </summary>
    private const string GuardedHeadPostgres =
        "WITH g AS (UPDATE \"cc_assignment_state\" SET \"LastAssignedAgentId\" = {4}, \"Epoch\" = \"Epoch\" + 1 " + GuardWhereSql +
        " RETURNING set_config('customercare.assigned_ticket', {5}, true)),\n" +
        """
        l AS (INSERT INTO "cc_agent_loads" ("TenantId", "AgentId", "OpenTickets") SELECT {0}, {4}, 1 FROM g
        ON CONFLICT ("TenantId", "AgentId") DO UPDATE SET "OpenTickets" = "cc_agent_loads"."OpenTickets" + 1),
        n AS (INSERT INTO "cc_ticket_counters" ("TenantId", "LastNumber") SELECT {0}, 1001 FROM g
        ON CONFLICT ("TenantId") DO UPDATE SET "LastNumber" = "cc_ticket_counters"."LastNumber" + 1
        RETURNING "LastNumber")
        """;

    /// <summary>In one PostgreSQL statement every part sees the snapshot from before it: the new number comes from the upsert's CTE.</summary>
    private static readonly Dictionary<string, string> GuardedComputedPostgres = new()
    {
        [nameof(Ticket.Number)] = "(SELECT \"LastNumber\" FROM n)",
        [nameof(Ticket.Reference)] = "({1} || (SELECT \"LastNumber\" FROM n))",
        [nameof(OutboxActivity.TicketReference)] = "({1} || (SELECT \"LastNumber\" FROM n))",
    };

    /// <summary>PostgreSQL: appends a CTE inserting <paramref name="rows"/> only when the number's CTE returned one (the guard held).</summary>
    private static void AppendGuardedInsert<T>(CustomerCareDbContext db, System.Text.StringBuilder sql, List<object> parameters, System.Data.Common.DbCommand factory,
        string name, IReadOnlyList<T> rows)
    {
        if (rows.Count == 0) return;
        var shape = ShapeOf<T>(db);
        sql.Append($",\n{name} AS (").Append(shape.Into).Append(" SELECT * FROM (VALUES ");
        AppendRows(sql, parameters, factory, name, rows, shape, GuardedComputedPostgres);
        sql.Append(") AS v WHERE EXISTS (SELECT 1 FROM n))");
    }

    /// <summary>SQLITE_CONSTRAINT_NOTNULL.</summary>
    private const int SqliteNotNullViolation = 1299;

    /// <summary>
    /// SQLite: the new ticket's number only if the statement before it (the guard's upsert) wrote one; otherwise NULL, which the
    /// column refuses.
    /// </summary>
    private static readonly Dictionary<string, string> GuardedComputedSqlite = new()
    {
        [nameof(Ticket.Number)] = "(SELECT \"LastNumber\" FROM \"cc_ticket_counters\" WHERE \"TenantId\" = {0} AND changes() > 0)",
    };

    private const string NumberSql = "(SELECT \"LastNumber\" FROM \"cc_ticket_counters\" WHERE \"TenantId\" = {0})";
    private const string ReferenceSql = "({1} || " + NumberSql + ")";

    private static (string Sql, object[] Parameters) Build(CustomerCareDbContext db, string prefix, Ticket ticket, IReadOnlyList<TicketEvent> events,
        IReadOnlyList<OutboxActivity> activities, bool takeNumber = true)
    {
        var tenantId = db.CurrentTenantId ?? throw new TenantMismatchException("Cannot number a ticket without a current tenant.");
        var sql = new System.Text.StringBuilder(takeNumber ? EfTicketNumbers.NextNumberSql : "");
        var parameters = new List<object> { tenantId, prefix + "-" };
        using var factory = db.Database.GetDbConnection().CreateCommand();
        AppendInsert(db, sql, parameters, factory, "t", [ticket]);
        AppendInsert(db, sql, parameters, factory, "e", TicketEventRows.Fold(events));
        AppendInsert(db, sql, parameters, factory, "a", activities);
        if (!takeNumber) sql.Remove(0, 2); // the first INSERT's leading ";\n"
        return (sql.ToString(), [.. parameters]);
    }

    private static async Task<long> ExecuteAsync(CustomerCareDbContext db, string sql, object[] parameters, string prefix, IReadOnlyList<OutboxActivity> activities, CancellationToken cancellationToken)
    {
        long number;
        // A handful of shapes (one or two events, an activity or none), each prepared once per connection on PostgreSQL.
        await using (var reader = await RawCommand.ExecutePreparedReaderAsync(db, sql, parameters, cancellationToken))
        {
            await reader.DbDataReader.ReadAsync(cancellationToken);
            number = reader.DbDataReader.GetInt64(0);
            // Step through the statements after the first, so that each runs now and its error (a constraint, say) is thrown
            // here, inside the transaction, rather than lost when the reader is disposed.
            while (await reader.DbDataReader.NextResultAsync(cancellationToken)) { }
        }
        foreach (var activity in activities) activity.TicketReference = $"{prefix}-{number}";
        return number;
    }

    private static readonly Dictionary<string, string> TicketComputed = new() { [nameof(Ticket.Number)] = NumberSql, [nameof(Ticket.Reference)] = ReferenceSql };
    private static readonly Dictionary<string, string> ActivityComputed = new() { [nameof(OutboxActivity.TicketReference)] = ReferenceSql };

    /// <summary>
    /// What an <c>INSERT</c> of one entity type needs from the model, worked out once per model (a runtime annotation)
    /// rather than on every ticket: the statement's head and, per column, the property with its type mapping or the SQL
    /// that computes it.
    /// </summary>
    internal sealed record InsertShape(string Into, (IProperty Property, RelationalTypeMapping Mapping, System.Reflection.PropertyInfo Info, string? Sql)[] Columns)
    {
        /// <summary>The start of a multi-row <c>INSERT … VALUES</c> that follows another statement.</summary>
        public string Head { get; } = ";\n" + Into + " VALUES ";
    }

    internal static InsertShape ShapeOf<T>(CustomerCareDbContext db)
        => db.Model.GetOrAddRuntimeAnnotationValue("CustomerCare:InsertShape:" + typeof(T).Name, static model =>
        {
            var entity = model!.FindEntityType(typeof(T))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var computed = typeof(T) == typeof(Ticket) ? TicketComputed : typeof(T) == typeof(OutboxActivity) ? ActivityComputed : [];
            // A key the database generates (the activities' sequence) is left out: the database fills it in.
            var properties = entity.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd)).ToList();
            var into = $"INSERT INTO \"{entity.GetTableName()}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName(table)}\""))})";
            return new InsertShape(into, [.. properties.Select(p => (
                (IProperty)p,
                p.GetRelationalTypeMapping(),
                p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name} property {p.Name} has no CLR property."),
                computed.GetValueOrDefault(p.Name)))]);
        }, db.Model);

    /// <summary>
    /// Appends a multi-row <c>INSERT</c> of <paramref name="rows"/>; computed columns (the ticket's number and reference) get
    /// their SQL (or <paramref name="computed"/>'s) instead of a parameter. With <paramref name="valuesOnly"/> it appends only the
    /// rows of a <c>VALUES</c> list, every column a parameter (the caller writes the statement around them).
    /// </summary>
    internal static void AppendInsert<T>(CustomerCareDbContext db, System.Text.StringBuilder sql, List<object> parameters, System.Data.Common.DbCommand factory,
        string name, IReadOnlyList<T> rows, bool valuesOnly = false, IReadOnlyDictionary<string, string>? computed = null)
    {
        if (rows.Count == 0) return;
        var shape = ShapeOf<T>(db);
        if (!valuesOnly) sql.Append(shape.Head);
        AppendRows(sql, parameters, factory, name, rows, shape, computed, valuesOnly);
    }

    /// <summary>
    /// Appends <c>(…), (…)</c>: a parameter per value, or a computed column's SQL (<paramref name="computed"/> overrides the
    /// shape's; with <paramref name="parametersOnly"/> every column is a parameter).
    /// </summary>
    private static void AppendRows<T>(System.Text.StringBuilder sql, List<object> parameters, System.Data.Common.DbCommand factory,
        string name, IReadOnlyList<T> rows, InsertShape shape, IReadOnlyDictionary<string, string>? computed, bool parametersOnly = false)
    {
        for (var row = 0; row < rows.Count; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < shape.Columns.Length; column++)
            {
                if (column > 0) sql.Append(", ");
                var (property, mapping, info, expression) = shape.Columns[column];
                if (expression is not null && !parametersOnly)
                {
                    sql.Append(computed?.GetValueOrDefault(property.Name) ?? expression);
                    continue;
                }
                parameters.Add(mapping.CreateParameter(factory, $"{name}{row}_{column}", info.GetValue(rows[row]), property.IsNullable));
                sql.Append('{').Append(parameters.Count - 1).Append('}');
            }
            sql.Append(')');
        }
    }

    public static async Task AddAsync(CustomerCareDbContext db, IReadOnlyList<OutboxNotification> notifications, CancellationToken cancellationToken)
    {
        foreach (var notification in notifications)
        {
            if (notification.CoalesceKey is { } key)
            {
                var pending = await db.Notifications.AsNoTracking()
                    .Where(n => n.CoalesceKey == key && n.Status == NotificationStatus.Pending && n.Attempts == 0)
                    .OrderByDescending(n => n.CreatedAt)
                    .FirstOrDefaultAsync(cancellationToken);
                if (pending is not null && (pending.ReadData().Messages?.Count ?? 0) < MaxMergedMessages)
                {
                    var before = pending.DataJson;
                    var merged = NotificationData.Merge(before, notification.DataJson);
                    // Only while still pending and unchanged: a dispatcher that claimed it in the meantime wins, and this becomes a row of its own.
                    var updated = await db.Notifications
                        .Where(n => n.Id == pending.Id && n.Status == NotificationStatus.Pending && n.Attempts == 0 && n.DataJson == before)
                        .ExecuteUpdateAsync(s => s.SetProperty(n => n.DataJson, merged), cancellationToken);
                    if (updated == 1) continue;
                }
            }
            db.Notifications.Add(notification);
        }
    }
}

/// <summary>The outbox of the current tenant on EF Core.</summary>
internal sealed class EfNotificationStore(CustomerCareDbContext db) : INotificationStore, INotificationPreferenceStore, INotificationTemplateStore
{
    public async Task EnqueueAsync(IReadOnlyList<OutboxNotification> notifications, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await OutboxWriter.AddAsync(db, notifications, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public Task<OutboxNotification?> FindAsync(Guid id, CancellationToken cancellationToken)
        => db.Notifications.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);

    public async Task<IReadOnlyList<OutboxNotification>> ListAsync(NotificationStatus status, Guid? afterId, int limit, CancellationToken cancellationToken)
    {
        // A constant for dead letters, so that the partial index on them can serve the query.
        var q = status == NotificationStatus.Dead
            ? db.Notifications.AsNoTracking().Where(n => n.Status == NotificationStatus.Dead)
            : db.Notifications.AsNoTracking().Where(n => n.Status == status);
        if (afterId is { } after) q = q.Where(n => n.Id.CompareTo(after) > 0);
        return await q.OrderBy(n => n.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<bool> RetryAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
        => await db.Notifications.Where(n => n.Id == id && n.Status == NotificationStatus.Dead)
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Status, NotificationStatus.Pending)
                .SetProperty(n => n.Attempts, 0)
                .SetProperty(n => n.NextAttemptAt, now)
                .SetProperty(n => n.ClaimedBy, (string?)null)
                .SetProperty(n => n.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;

    public async Task<IReadOnlyList<NotificationOptOut>> GetOptOutsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0) return [];
        var ids = userIds.ToList();
        return await db.NotificationOptOuts.AsNoTracking().Where(o => ids.Contains(o.UserId)).ToListAsync(cancellationToken);
    }

    public async Task SetOptOutsAsync(string userId, IReadOnlyCollection<NotificationKind> kinds, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.NotificationOptOuts.Where(o => o.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            db.NotificationOptOuts.AddRange(kinds.Distinct().Select(k => new NotificationOptOut { UserId = userId, Kind = k }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    async Task<IReadOnlyList<NotificationTemplate>> INotificationTemplateStore.ListAsync(CancellationToken cancellationToken)
        => await db.NotificationTemplates.AsNoTracking().OrderBy(t => t.Kind).ToListAsync(cancellationToken);

    Task<NotificationTemplate?> INotificationTemplateStore.FindAsync(NotificationKind kind, CancellationToken cancellationToken)
        => db.NotificationTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Kind == kind, cancellationToken);

    public async Task SaveAsync(NotificationTemplate template, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var kind = template.Kind;
            await db.NotificationTemplates.Where(t => t.Kind == kind).ExecuteDeleteAsync(cancellationToken);
            db.NotificationTemplates.Add(template);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task<bool> DeleteAsync(NotificationKind kind, CancellationToken cancellationToken)
        => await db.NotificationTemplates.Where(t => t.Kind == kind).ExecuteDeleteAsync(cancellationToken) > 0;
}

/// <summary>
/// The dispatcher's queue on EF Core, across tenants. PostgreSQL claims with <c>FOR UPDATE SKIP LOCKED</c>,
/// so concurrent dispatchers skip each other's rows instead of waiting or taking them twice; SQLite
/// claims with one <c>UPDATE … WHERE rowid IN (SELECT … LIMIT n) RETURNING *</c>, atomic because SQLite
/// has one writer at a time. Marking happens in the row's tenant context (set by the dispatcher). The
/// repeated <c>"Status" IN (0, 1)</c> lets both planners use the partial due index.
/// </summary>
internal sealed class EfNotificationQueue(CustomerCareDbContext db) : INotificationQueue
{
    public async Task<IReadOnlyList<OutboxNotification>> ClaimDueAsync(string claimToken, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var sqlite = db.Database.IsSqlite();
        object Time(DateTimeOffset value) => sqlite ? value.UtcTicks : value;
        var sql = sqlite
            ? """
              UPDATE "cc_notifications" SET "Status" = 1, "ClaimedBy" = {0}, "ClaimedUntil" = {1}, "Attempts" = "Attempts" + 1
              WHERE rowid IN (
                  SELECT rowid FROM "cc_notifications"
                  WHERE "Status" IN (0, 1) AND (("Status" = 0 AND "NextAttemptAt" <= {2}) OR ("Status" = 1 AND "ClaimedUntil" < {2}))
                  ORDER BY "NextAttemptAt" LIMIT {3})
              RETURNING *
              """
            : """
              UPDATE "cc_notifications" AS n SET "Status" = 1, "ClaimedBy" = {0}, "ClaimedUntil" = {1}, "Attempts" = n."Attempts" + 1
              FROM (
                  SELECT "TenantId", "Id" FROM "cc_notifications"
                  WHERE "Status" IN (0, 1) AND (("Status" = 0 AND "NextAttemptAt" <= {2}) OR ("Status" = 1 AND "ClaimedUntil" < {2}))
                  ORDER BY "NextAttemptAt" LIMIT {3}
                  FOR UPDATE SKIP LOCKED) AS due
              WHERE n."TenantId" = due."TenantId" AND n."Id" = due."Id"
              RETURNING n.*
              """;
        var rows = await OutboxDurability.RelaxedAsync(db, () => db.Notifications.FromSqlRaw(sql, claimToken, Time(leaseUntil), Time(now), limit)
            .IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken), cancellationToken);
        return [.. rows.OrderBy(n => n.NextAttemptAt).ThenBy(n => n.Id)];
    }

    public async Task<bool> MarkSentAsync(OutboxNotification notification, string claimToken, DateTimeOffset now, bool eraseData, CancellationToken cancellationToken)
    {
        var id = notification.Id;
        var claimed = db.Notifications.Where(n => n.Id == id && n.Status == NotificationStatus.Sending && n.ClaimedBy == claimToken);
        await using var relaxed = await OutboxDurability.RelaxAsync(db, cancellationToken);
        var updated = eraseData
            ? await claimed.ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Status, NotificationStatus.Sent)
                .SetProperty(n => n.SentAt, now)
                .SetProperty(n => n.ClaimedBy, (string?)null)
                .SetProperty(n => n.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(n => n.DataJson, "{}"), cancellationToken)
            : await claimed.ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Status, NotificationStatus.Sent)
                .SetProperty(n => n.SentAt, now)
                .SetProperty(n => n.ClaimedBy, (string?)null)
                .SetProperty(n => n.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);
        return updated == 1;
    }

    public async Task<bool> MarkFailedAsync(OutboxNotification notification, string claimToken, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        var id = notification.Id;
        var status = nextAttemptAt is null ? NotificationStatus.Dead : NotificationStatus.Pending;
        var next = nextAttemptAt ?? notification.NextAttemptAt;
        var message = error.Length <= 500 ? error : error[..500];
        await using var relaxed = await OutboxDurability.RelaxAsync(db, cancellationToken);
        return await db.Notifications.Where(n => n.Id == id && n.Status == NotificationStatus.Sending && n.ClaimedBy == claimToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Status, status)
                .SetProperty(n => n.NextAttemptAt, next)
                .SetProperty(n => n.LastError, message)
                .SetProperty(n => n.ClaimedBy, (string?)null)
                .SetProperty(n => n.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;
    }
}

/// <summary>
/// The activities on EF Core, across tenants. A batch is one transaction: PostgreSQL claims with
/// <c>FOR UPDATE SKIP LOCKED</c>, so concurrent dispatchers take different activities; on SQLite the transaction
/// (<c>BEGIN IMMEDIATE</c>) holds the database's one write lock, so nobody else can take them meanwhile.
/// </summary>
internal sealed class EfOutboxActivityQueue(CustomerCareDbContext db) : IOutboxActivityQueue
{
    public async Task<IOutboxActivityBatch> ClaimAsync(int limit, int maxAttempts, CancellationToken cancellationToken)
    {
        var sql = db.Database.IsSqlite()
            ? """SELECT * FROM "cc_outbox_activities" WHERE "Attempts" < {0} ORDER BY "Id" LIMIT {1}"""
            : """SELECT * FROM "cc_outbox_activities" WHERE "Attempts" < {0} ORDER BY "Id" LIMIT {1} FOR UPDATE SKIP LOCKED""";
        var relaxed = await OutboxDurability.RelaxAsync(db, cancellationToken);
        IDbContextTransaction? transaction = null;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var activities = await db.OutboxActivities.FromSqlRaw(sql, maxAttempts, limit).IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
            return new Batch(db, transaction, relaxed, activities);
        }
        catch
        {
            if (transaction is not null) await transaction.DisposeAsync();
            await relaxed.DisposeAsync();
            throw;
        }
    }

    public async Task RecordFailureAsync(OutboxActivity activity, CancellationToken cancellationToken)
    {
        var id = activity.Id;
        await using var relaxed = await OutboxDurability.RelaxAsync(db, cancellationToken);
        await db.OutboxActivities.IgnoreQueryFilters().Where(a => a.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Attempts, a => a.Attempts + 1), cancellationToken);
    }

    private sealed class Batch(CustomerCareDbContext db, IDbContextTransaction transaction, IAsyncDisposable relaxed, IReadOnlyList<OutboxActivity> activities) : IOutboxActivityBatch
    {
        private readonly List<long> _completed = [];

        public IReadOnlyList<OutboxActivity> Activities => activities;

        public async Task CompleteAsync(OutboxActivity activity, IReadOnlyList<OutboxNotification> notifications, CancellationToken cancellationToken)
        {
            try
            {
                await OutboxWriter.AddAsync(db, notifications, cancellationToken);
                if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
            _completed.Add(activity.Id);
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (_completed.Count > 0)
                await db.OutboxActivities.IgnoreQueryFilters().Where(a => _completed.Contains(a.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync();
            }
            finally
            {
                db.ChangeTracker.Clear();
                await relaxed.DisposeAsync();
            }
        }
    }
}
