using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.Notifications;

/// <summary>
/// On SQLite, the dispatcher's own writes (claims, "sent" marks, the notifications worked out from activities) are
/// committed with <c>PRAGMA synchronous = NORMAL</c>: in WAL mode such a commit is safe against the process dying
/// (<c>kill -9</c>), and only a power loss or an operating-system crash can undo it before the next checkpoint or
/// the next fully synchronous commit. Undoing one of these writes is harmless by design: a claim is taken again when
/// its lease expires, an activity is worked out again together with its notifications (one transaction), and a mail
/// whose mark was lost is sent again with the same <c>Message-ID</c>. Ticket changes keep the connection's setting
/// (SQLite's default, <c>FULL</c>). Without this, the dispatcher waited for the disk two or three times per new
/// ticket, under the same single write lock as the requests.
/// </summary>
internal static class OutboxDurability
{
    /// <summary>
    /// Opens the context's connection and, on SQLite, lowers its synchronous level until the returned scope is disposed,
    /// when the connection's own level is restored (the connection goes back to the pool).
    /// </summary>
    public static async Task<IAsyncDisposable> RelaxAsync(CustomerCareDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite()) return NoScope.Instance;
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        try
        {
            var previous = Convert.ToInt64(await ScalarAsync(connection, "PRAGMA synchronous", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (previous > 1) await ScalarAsync(connection, "PRAGMA synchronous = NORMAL", cancellationToken);
            return new Scope(db, connection, previous);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> under <see cref="RelaxAsync"/>.</summary>
    public static async Task<T> RelaxedAsync<T>(CustomerCareDbContext db, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var scope = await RelaxAsync(db, cancellationToken);
        return await work();
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private sealed class Scope(CustomerCareDbContext db, DbConnection connection, long previous) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (previous > 1)
                    await ScalarAsync(connection, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA synchronous = {previous}"), CancellationToken.None);
            }
            catch
            {
                // Never hand a relaxed connection back to the pool for a ticket change to use.
                if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite) Microsoft.Data.Sqlite.SqliteConnection.ClearPool(sqlite);
                throw;
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private sealed class NoScope : IAsyncDisposable
    {
        public static readonly NoScope Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
