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
}
