using System.Net;
using CustomerCare.SampleHost.Tests.Infrastructure;
using System.Diagnostics;
using Npgsql;

namespace CustomerCare.SampleHost.Tests.PostgreSql;

/// <summary>
/// The sample host on PostgreSQL (<c>ConnectionStrings:Postgres</c>), in a database created for the
/// run and dropped after it. Needs <c>CUSTOMERCARE_TEST_POSTGRES</c>: an Npgsql connection string to a
/// server where databases may be created.
/// </summary>
public sealed class PostgreSqlHostFixture : IAsyncLifetime
{
    public const string Variable = "CUSTOMERCARE_TEST_POSTGRES";

    private readonly string? _server = Environment.GetEnvironmentVariable(Variable);
    private string? _database;

    /// <summary>The host, or <c>null</c> when no server is configured.</summary>
    public PostgresHostFactory? Host { get; private set; }

    /// <summary>Connection string of the test database.</summary>
    public string? ConnectionString { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(_server)) return;
        _database = $"cc_sample_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString;
        Host = new PostgresHostFactory(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        if (_database is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The sample host with <c>ConnectionStrings:Postgres</c> set.</summary>
public sealed class PostgresHostFactory(string connectionString) : SampleHostFactory
{
    protected override string? PostgresConnectionString => connectionString;
}

public sealed class PostgreSqlHostTests(PostgreSqlHostFixture fixture) : IClassFixture<PostgreSqlHostFixture>
{
    private const string DemoPassword = "Demo-pass-2026";

    [Fact]
    public async Task On_PostgreSQL_the_host_migrates_seeds_and_serves_a_customer()
    {
        var host = fixture.Host ?? throw SkipException();
        using var api = host.Api();

        // A customer registers (Identity on PostgreSQL), confirms, and raises a ticket that continues the seeded numbering.
        var email = Api.UniqueEmail("pg");
        var customer = await api.NewCustomerAsync("globe-telecom", email);
        var created = await api.ExpectAsync(HttpMethod.Post, "/t/globe-telecom/api/tickets", HttpStatusCode.Created, new
        {
            subject = "Bill too high",
            description = "My bill doubled this month.",
            customFields = new { billNumber = "TEL-424242" },
        }, customer);
        Assert.Equal("TEL-1004", (string?)created["number"]);
        var ticketId = (string)created["id"]!;
        await api.ExpectAsync(HttpMethod.Post, $"/t/globe-telecom/api/tickets/{ticketId}/messages", HttpStatusCode.Created, new { body = "Any news?" }, customer);

        var admin = await api.LoginAsync("globe-telecom", "admin@globe-telecom.example", DemoPassword);
        var all = (await api.ExpectAsync(HttpMethod.Get, "/t/globe-telecom/api/tickets", HttpStatusCode.OK, token: admin))["items"]!.AsArray();
        Assert.Equal(["TEL-1001", "TEL-1002", "TEL-1003", "TEL-1004"], all.Select(t => (string)t!["number"]!).Order().ToArray());
        var ticket = await api.ExpectAsync(HttpMethod.Get, $"/t/globe-telecom/api/tickets/{ticketId}", HttpStatusCode.OK, token: admin);
        Assert.Equal(1, (int?)ticket["messageCount"]);

        // Tenants stay apart on PostgreSQL too.
        await Api.ExpectProblemAsync(await api.GetAsync("/t/acme-bank/api/tickets", customer), HttpStatusCode.Unauthorized);
        await Api.ExpectProblemAsync(await api.TryLoginAsync("acme-bank", email, Api.StrongPassword), HttpStatusCode.Unauthorized, detail: "Failed");
        var bankAdmin = await api.LoginAsync("acme-bank", "admin@acme-bank.example", DemoPassword);
        var bankTickets = (await api.ExpectAsync(HttpMethod.Get, "/t/acme-bank/api/tickets", HttpStatusCode.OK, token: bankAdmin))["items"]!.AsArray();
        Assert.Equal(3, bankTickets.Count);
    }

    [Fact]
    public async Task On_PostgreSQL_the_data_is_in_the_configured_database_not_in_SQLite()
    {
        var host = fixture.Host ?? throw SkipException();
        using var api = host.Api();
        await api.LoginAsync("safe-insurance", "customer@safe-insurance.example", DemoPassword);   // starts the host

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        async Task<long> CountAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM cc_tenants"));
        Assert.True(await CountAsync("SELECT count(*) FROM \"AspNetUsers\"") >= 12);
        Assert.True(await CountAsync("SELECT count(*) FROM \"__EFMigrationsHistory\"") >= 2);
        Assert.False(File.Exists(host.DatabasePath), "The host also wrote a SQLite database.");
    }

    private static Exception SkipException()
    {
        Assert.Skip($"PostgreSQL is not configured: set {PostgreSqlHostFixture.Variable} to an Npgsql connection string of a server where databases may be created (test.sh starts one).");
        return new UnreachableException();
    }
}
