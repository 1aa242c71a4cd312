using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerCare.Storage.EFCore;

/// <summary>
/// Runs hand-written SQL through EF Core's command pipeline (so interceptors, logging and the context's
/// connection and transaction apply, as for EF's own commands) and exposes every result set.
/// Parameters are written <c>{0}</c>, <c>{1}</c>… in the SQL, as in <c>FromSqlRaw</c>.
/// </summary>
internal static class RawCommand
{
    /// <summary>
    /// Like <see cref="ExecuteReaderAsync"/>, for SQL whose text never changes and runs on every request (the
    /// assignment lock, the ticket number): on PostgreSQL the statements are prepared once per physical connection
    /// (Npgsql keeps them across pooled opens), so the server parses and plans them once instead of on every call.
    /// </summary>
    public static async Task<RelationalDataReader> ExecutePreparedReaderAsync(CustomerCareDbContext db, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        PrepareInterceptor.Requested.Value = true;
        try
        {
            return await ExecuteReaderAsync(db, sql, parameters, cancellationToken);
        }
        finally
        {
            PrepareInterceptor.Requested.Value = false;
        }
    }

    public static async Task<RelationalDataReader> ExecuteReaderAsync(CustomerCareDbContext db, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        var command = db.GetService<IRawSqlCommandBuilder>().Build(sql, parameters, db.Model);
        return await command.RelationalCommand.ExecuteReaderAsync(
            new RelationalCommandParameterObject(
                db.GetService<IRelationalConnection>(),
                command.ParameterValues,
                null,
                db,
                db.GetService<IRelationalCommandDiagnosticsLogger>(),
                CommandSource.FromSqlQuery),
            cancellationToken);
    }

    /// <summary>Prepares the command <see cref="ExecutePreparedReaderAsync"/> is executing (registered on the PostgreSQL context).</summary>
    internal sealed class PrepareInterceptor : DbCommandInterceptor
    {
        public static readonly PrepareInterceptor Instance = new();

        internal static readonly AsyncLocal<bool> Requested = new();

        public override async ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Requested.Value) await command.PrepareAsync(cancellationToken);
            return result;
        }
    }
}
