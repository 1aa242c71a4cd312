using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CustomerCare.Benchmarks.Realtime;

/// <summary>A fresh database for one run: a new PostgreSQL database (dropped afterwards) or a temporary SQLite file.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _server;
    private readonly string _name;

    private BenchDatabase(string? server, string name)
    {
        _server = server;
        _name = name;
    }

    public void Configure(DbContextOptionsBuilder ef)
    {
        if (_server is null) ef.UseSqlite($"Data Source={_name}");
        else ef.UseNpgsql(new NpgsqlConnectionStringBuilder(_server) { Database = _name, MaxPoolSize = 200 }.ConnectionString);
    }

    public static async Task<BenchDatabase> CreateAsync(BenchOptions options)
    {
        if (options.Postgres is null)
            return new BenchDatabase(null, Path.Combine(Path.GetTempPath(), $"customercare-bench-{Guid.NewGuid():N}.db"));
        var database = new BenchDatabase(options.Postgres, $"cc_bench_{Guid.NewGuid():N}");
        await using var admin = new NpgsqlConnection(options.Postgres);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>
    /// Gathers the planner's statistics after seeding (PostgreSQL), as a database in service has them: in a database created
    /// a moment before, autovacuum has not analysed the tables yet, and statements prepared then could keep plans made for
    /// empty tables.
    /// </summary>
    public async Task AnalyzeAsync()
    {
        if (_server is null) return;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString);
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The PostgreSQL backends serving this database (from <c>pg_stat_activity</c>); empty for SQLite.</summary>
    public async Task<IReadOnlyList<int>> ServerProcessIdsAsync()
        => _server is null ? [] : await PostgresBackends.ProcessIdsAsync(_server, _name);

    public async ValueTask DisposeAsync()
    {
        if (_server is null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_name + suffix);
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
