using CustomerCare.MultiTenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CustomerCare.Storage.EFCore.Tests.TestSupport;

/// <summary>
/// A database of its own for one test class, migrated with the package's migrations, and
/// CustomerCare's EF Core stores wired as a host wires them. Tests use fresh tenants, so the tests
/// of a class never see each other's data.
/// </summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>Why the database is not available; tests skip with this reason.</summary>
    public string? SkipReason { get; private set; }

    public IServiceProvider Services => _services ?? throw new InvalidOperationException(SkipReason ?? "The fixture is not initialized.");

    /// <summary>How EF Core is configured for the database (for tests that build CustomerCare instances of their own); <c>null</c> when skipped.</summary>
    public Action<DbContextOptionsBuilder>? Configure { get; private set; }

    /// <summary>Creates the database and returns how to configure EF Core for it, or calls <paramref name="skip"/> with the reason it cannot.</summary>
    protected abstract Task<Action<DbContextOptionsBuilder>?> CreateDatabaseAsync(Action<string> skip);

    protected abstract Task DropDatabaseAsync();

    public async ValueTask InitializeAsync()
    {
        var configure = Configure = await CreateDatabaseAsync(reason => SkipReason = reason);
        if (configure is null) return;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare()
            .UseEntityFrameworkCore(configure)
            .AddEntityFrameworkCoreTenantStore();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await _services.MigrateCustomerCareDatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        await DropDatabaseAsync();
        GC.SuppressFinalize(this);
    }

    public static TenantInfo Tenant(string id) => new() { Id = id, Identifier = id, Name = id };

    /// <summary>Runs <paramref name="work"/> in a fresh DI scope (one unit of work) with <paramref name="tenantId"/> current, or no tenant for <c>null</c>.</summary>
    public async Task<T> InTenantAsync<T>(string? tenantId, Func<IServiceProvider, Task<T>> work)
    {
        using var tenantScope = Services.GetRequiredService<ITenantContextSetter>()
            .BeginScope(tenantId is null ? null : new TenantContext(Tenant(tenantId)));
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task InTenantAsync(string? tenantId, Func<IServiceProvider, Task> work)
        => InTenantAsync(tenantId, async sp => { await work(sp); return 0; });
}

/// <summary>A temp-file SQLite database (WAL, as the package sets it up).</summary>
public sealed class SqliteDatabaseFixture : DatabaseFixture
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cc-efcore-tests-{Guid.NewGuid():N}.db");

    protected override Task<Action<DbContextOptionsBuilder>?> CreateDatabaseAsync(Action<string> skip)
        => Task.FromResult<Action<DbContextOptionsBuilder>?>(ef => ef.UseSqlite($"Data Source={_path}"));

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(_path + suffix); } catch (IOException) { }
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// A uniquely named PostgreSQL database on the server named by <c>CUSTOMERCARE_TEST_POSTGRES</c>,
/// dropped afterwards, so test projects and classes can share one server.
/// </summary>
public sealed class PostgreSqlDatabaseFixture : DatabaseFixture
{
    public const string Variable = "CUSTOMERCARE_TEST_POSTGRES";

    private string? _adminConnectionString;
    private string? _connectionString;
    private string? _database;

    protected override async Task<Action<DbContextOptionsBuilder>?> CreateDatabaseAsync(Action<string> skip)
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            skip($"PostgreSQL is not available: set {Variable} to an Npgsql connection string of a server where tests may create and drop databases (test.sh and .ci/run start one).");
            return null;
        }

        _adminConnectionString = connectionString;
        _database = $"cc_efcore_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Database = _database, MaxPoolSize = 60 }.ConnectionString;
        return ef => ef.UseNpgsql(_connectionString);
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is null) return;
        await using (var pooled = new NpgsqlConnection(_connectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
