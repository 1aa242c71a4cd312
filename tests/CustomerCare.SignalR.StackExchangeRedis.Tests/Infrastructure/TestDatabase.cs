using Npgsql;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests.Infrastructure;

/// <summary>A PostgreSQL database created for one test on the server of <c>CUSTOMERCARE_TEST_POSTGRES</c>, dropped after it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Variable = "CUSTOMERCARE_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _name;

    private TestDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string server)
    {
        var database = new TestDatabase(server, $"cc_scaleout_{Guid.NewGuid():N}");
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
