using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore.Notifications;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerCare.Storage.EFCore.Tickets;

/// <summary>
/// Saves a change of an existing ticket on PostgreSQL in one statement, past the change tracker: the ticket's row is
/// updated only if it still has the version it was read with, and the change's message, events, activities and
/// idempotency record are inserted only if it was. The parts are data-modifying <c>WITH</c> queries of one statement, so
/// the change is atomic without <c>BEGIN</c> and <c>COMMIT</c>: one prepared round trip, where <c>SaveChanges</c> in a
/// transaction took two and built its batch through the change tracker (a chat message is such a change).
/// </summary>
internal static class TicketChangeWriter
{
    /// <summary>Rows one change may carry here (a few events and activities in practice); larger changes go through <c>SaveChanges</c>.</summary>
    private const int MaxRows = 20;

    /// <summary>Whether <see cref="TryUpdateAsync"/> can write <paramref name="changes"/>: PostgreSQL, an existing ticket, a few rows, all about it and in the current tenant.</summary>
    public static bool CanWrite(CustomerCareDbContext db, TicketChangeSet changes)
        => db is NpgsqlCustomerCareDbContext && !changes.IsNew
           && changes.Events.Count <= MaxRows && changes.Activities.Count <= MaxRows
           && changes.Ticket.TenantId == db.CurrentTenantId
           && changes.Activities.All(a => a.TicketId == changes.Ticket.Id && a.TenantId == db.CurrentTenantId);

    /// <summary>
    /// Writes the change; <c>false</c> (and nothing written) when the ticket no longer has
    /// <see cref="TicketChangeSet.ExpectedVersion"/>. A unique violation (a concurrent message with the same sequence, an
    /// idempotency key used concurrently) is thrown as the database's exception, the statement having written nothing.
    /// </summary>
    public static async Task<bool> TryUpdateAsync(CustomerCareDbContext db, TicketChangeSet changes, CancellationToken cancellationToken)
    {
        var ticket = changes.Ticket;
        foreach (var activity in changes.Activities) activity.TicketReference = ticket.Reference;
        var shape = UpdateShapeOf(db);
        var sql = new System.Text.StringBuilder("WITH u AS (").Append(shape.Head);
        var parameters = new List<object>();
        using var factory = db.Database.GetDbConnection().CreateCommand();
        for (var i = 0; i < shape.Columns.Length; i++)
        {
            var (property, mapping, info, column) = shape.Columns[i];
            if (i > 0) sql.Append(", ");
            parameters.Add(mapping.CreateParameter(factory, $"u{i}", info.GetValue(ticket), property.IsNullable));
            sql.Append('"').Append(column).Append("\" = {").Append(parameters.Count - 1).Append('}');
        }
        parameters.Add(shape.TenantId.CreateParameter(factory, "k0", ticket.TenantId, nullable: false));
        parameters.Add(shape.Id.CreateParameter(factory, "k1", ticket.Id, nullable: false));
        parameters.Add(shape.Version.CreateParameter(factory, "k2", changes.ExpectedVersion, nullable: false));
        var n = parameters.Count;
        sql.Append($" WHERE \"TenantId\" = {{{n - 3}}} AND \"Id\" = {{{n - 2}}} AND \"Version\" = {{{n - 1}}} RETURNING 1)");

        AppendGuarded<TicketMessage>(db, sql, parameters, factory, "m", changes.Message is { } message ? [message] : []);
        AppendGuarded(db, sql, parameters, factory, "e", changes.Events);
        AppendGuarded(db, sql, parameters, factory, "a", changes.Activities);
        AppendGuarded<IdempotencyRecord>(db, sql, parameters, factory, "i", changes.Idempotency is { } record ? [record] : []);
        sql.Append("\nSELECT count(*)::int FROM u");

        // A handful of shapes (a message or none, one or two events, an activity or none), each prepared once per connection.
        await using var reader = await RawCommand.ExecutePreparedReaderAsync(db, sql.ToString(), [.. parameters], cancellationToken);
        await reader.DbDataReader.ReadAsync(cancellationToken);
        return reader.DbDataReader.GetInt32(0) == 1;
    }

    /// <summary>
    /// <c>, x AS (INSERT INTO … SELECT * FROM (VALUES …) AS v WHERE EXISTS (SELECT 1 FROM u))</c>: the rows go in only if
    /// the ticket's update matched.
    /// </summary>
    private static void AppendGuarded<T>(CustomerCareDbContext db, System.Text.StringBuilder sql, List<object> parameters, System.Data.Common.DbCommand factory, string name, IReadOnlyList<T> rows)
    {
        if (rows.Count == 0) return;
        sql.Append(",\n").Append(name).Append(" AS (").Append(OutboxWriter.ShapeOf<T>(db).Into).Append(" SELECT * FROM (VALUES ");
        OutboxWriter.AppendInsert(db, sql, parameters, factory, name, rows, valuesOnly: true);
        sql.Append(") AS v WHERE EXISTS (SELECT 1 FROM u))");
    }

    /// <summary>The ticket's <c>UPDATE … SET</c> head and its columns (all but the key), worked out once per model.</summary>
    private sealed record UpdateShape(string Head, (IProperty Property, RelationalTypeMapping Mapping, System.Reflection.PropertyInfo Info, string Column)[] Columns,
        RelationalTypeMapping TenantId, RelationalTypeMapping Id, RelationalTypeMapping Version);

    private static UpdateShape UpdateShapeOf(CustomerCareDbContext db)
        => db.Model.GetOrAddRuntimeAnnotationValue("CustomerCare:TicketUpdateShape", static model =>
        {
            var entity = model!.FindEntityType(typeof(Ticket))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            IProperty Property(string name) => entity.FindProperty(name)!;
            return new UpdateShape(
                $"UPDATE \"{entity.GetTableName()}\" SET ",
                [.. entity.GetProperties().Where(p => !p.IsPrimaryKey()).Select(p => (
                    (IProperty)p,
                    p.GetRelationalTypeMapping(),
                    p.PropertyInfo ?? throw new InvalidOperationException($"Ticket property {p.Name} has no CLR property."),
                    p.GetColumnName(table)!))],
                Property(nameof(Ticket.TenantId)).GetRelationalTypeMapping(),
                Property(nameof(Ticket.Id)).GetRelationalTypeMapping(),
                Property(nameof(Ticket.Version)).GetRelationalTypeMapping());
        }, db.Model);
}
