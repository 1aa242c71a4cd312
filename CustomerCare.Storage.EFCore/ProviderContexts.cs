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

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        => optionsBuilder.AddInterceptors(UnicodeLowerInterceptor.Instance);

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));

    /// <summary>
    /// SQLite's built-in <c>lower()</c> folds ASCII letters only, so a case-insensitive search for
    /// "überweisung" missed "Überweisung". Replaces it on every connection with the invariant
    /// lower-casing that the search text itself gets.
    /// </summary>
    private sealed class UnicodeLowerInterceptor : DbConnectionInterceptor
    {
        public static readonly UnicodeLowerInterceptor Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Register(connection);
            return Task.CompletedTask;
        }

        private static void Register(DbConnection connection)
        {
            if (connection is SqliteConnection sqlite)
                sqlite.CreateFunction<string?, string?>("lower", value => value?.ToLowerInvariant(), isDeterministic: true);
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
