using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CustomerCare.Storage.EFCore;

/// <summary>
/// Lets CustomerCare's transactions on one SQLite database begin one at a time within this process, in arrival
/// order, waiting asynchronously.
/// </summary>
/// <remarks>
/// SQLite admits one writer at a time; the others are told "busy" and must poll (Microsoft.Data.Sqlite sleeps
/// 150 ms between tries; SQLite's own busy timeout, which every connection also gets, sleeps up to 100 ms). Under
/// concurrent ticket creation those sleeps, not the work, made the latency: a 3 ms transaction had a p95 of
/// 300 ms. Queuing the transactions here instead wastes no time and blocks no thread. The gate is taken when a
/// transaction begins and given back when it commits, rolls back or fails, and at the latest when its connection
/// closes (a transaction disposed without either). Writers in another process, and writes outside a transaction,
/// still meet at SQLite's lock and its busy timeout; so does a transaction that waited here longer than the
/// connection's <c>DefaultTimeout</c>, which then goes ahead without the gate rather than hang.
/// </remarks>
internal sealed class SqliteWriteGate : IDbTransactionInterceptor, IDbConnectionInterceptor
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConditionalWeakTable<DbConnection, object> _holders = [];
    private static readonly object Held = new();

    /// <summary>Whether a transaction holds the gate now.</summary>
    public bool IsHeld => _gate.CurrentCount == 0;

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite && !_holders.TryGetValue(connection, out _)
            && await _gate.WaitAsync(Timeout(sqlite), cancellationToken).ConfigureAwait(false))
            _holders.AddOrUpdate(connection, Held);
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (connection is SqliteConnection sqlite && !_holders.TryGetValue(connection, out _) && _gate.Wait(Timeout(sqlite)))
            _holders.AddOrUpdate(connection, Held);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        => Release(eventData);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        => Release(eventData);

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        => Release(eventData);

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
        => Release(connection);

    private Task Release(TransactionEventData eventData)
        => Release(eventData.Context is { } context ? Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetDbConnection(context.Database) : null);

    private Task Release(DbConnection? connection)
    {
        if (connection is not null && _holders.Remove(connection)) _gate.Release();
        return Task.CompletedTask;
    }

    private static TimeSpan Timeout(SqliteConnection connection)
        => TimeSpan.FromSeconds(connection.DefaultTimeout > 0 ? connection.DefaultTimeout : 30);
}
