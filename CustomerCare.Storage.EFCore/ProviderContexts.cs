using System.Data.Common;
using CustomerCare.MultiTenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CustomerCare.Storage.EFCore;

/// <summary>The model on SQLite; its migrations live in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqliteCustomerCareDbContext(DbContextOptions<SqliteCustomerCareDbContext> options, ITenantContextAccessor tenant)
    : CustomerCareDbContext(options, tenant)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset values; UTC ticks can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));

    /// <summary>Prepares every connection CustomerCare opens on SQLite (added to the options once, where they are built).</summary>
    /// <remarks>
    /// <para>
    /// SQLite's built-in <c>lower()</c> folds ASCII letters only, so a case-insensitive search for "überweisung" missed
    /// "Überweisung": it is replaced with the invariant lower-casing that the search text itself gets.
    /// </para>
    /// <para>
    /// SQLite lets one writer at a time in. Without a busy timeout on the connection, a writer that finds the database
    /// locked gets SQLITE_BUSY at once, and Microsoft.Data.Sqlite retries after sleeping 150 ms: under concurrent ticket
    /// creation most of a request's time was those sleeps (p95 over 300 ms for a 3 ms transaction). With
    /// <c>PRAGMA busy_timeout</c> SQLite itself waits for the lock, retrying within milliseconds, for as long as the
    /// connection's <c>DefaultTimeout</c> allows.
    /// </para>
    /// </remarks>
    internal sealed class ConnectionSetup : DbConnectionInterceptor
    {
        public static readonly ConnectionSetup Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Prepare(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Prepare(connection);
            return Task.CompletedTask;
        }

        private static void Prepare(DbConnection connection)
        {
            if (connection is not SqliteConnection sqlite) return;
            sqlite.CreateFunction<string?, string?>("lower", value => value?.ToLowerInvariant(), isDeterministic: true);
            using var command = sqlite.CreateCommand();
            command.CommandText = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {(long)Math.Min(Math.Max(sqlite.DefaultTimeout, 0) * 1000L, int.MaxValue)}");
            command.ExecuteNonQuery();
        }
    }
}

/// <summary>The model on PostgreSQL; its migrations live in <c>Migrations/PostgreSql</c>.</summary>
internal sealed class NpgsqlCustomerCareDbContext(DbContextOptions<NpgsqlCustomerCareDbContext> options, ITenantContextAccessor tenant)
    : CustomerCareDbContext(options, tenant);

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteCustomerCareDbContext</c> build the model.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCustomerCareDbContext>
{
    public SqliteCustomerCareDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteCustomerCareDbContext>().UseSqlite("Data Source=design.db").Options, new NoTenant());
}

/// <summary>Lets <c>dotnet ef migrations add … --context NpgsqlCustomerCareDbContext</c> build the model.</summary>
internal sealed class NpgsqlDesignTimeFactory : IDesignTimeDbContextFactory<NpgsqlCustomerCareDbContext>
{
    public NpgsqlCustomerCareDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<NpgsqlCustomerCareDbContext>().UseNpgsql("Host=localhost;Database=design").Options, new NoTenant());
}

internal sealed class NoTenant : ITenantContextAccessor
{
    public TenantContext? Current => null;
}
