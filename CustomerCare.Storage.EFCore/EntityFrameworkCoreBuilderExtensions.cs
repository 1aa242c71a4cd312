using CustomerCare;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore;
using CustomerCare.Storage.EFCore.Customers;
using CustomerCare.Storage.EFCore.MultiTenancy;
using CustomerCare.Storage.EFCore.Staff;
using CustomerCare.Storage.EFCore.Tickets;
using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore.Notifications;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Sqlite.Infrastructure.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>How CustomerCare's EF Core storage talks to its database.</summary>
public sealed class EntityFrameworkCoreStorageOptions
{
    /// <summary>
    /// On PostgreSQL, prepare statements once per physical connection, so the server does not parse and plan them on
    /// every call: the fixed statements sent on every ticket creation (the ticket number, the automatic assignment lock
    /// with the agents' loads), and, through Npgsql's automatic preparation, the other statements used again and again
    /// (reading a ticket, saving a message): unless the connection string sets <c>Max Auto Prepare</c> itself, it gets
    /// <see cref="DefaultMaxAutoPrepare"/>. Default <c>true</c>. Set <c>false</c> behind a pooler that cannot carry
    /// prepared statements across transactions (PgBouncer in transaction mode before 1.21). No effect on SQLite, nor on
    /// a context configured with an <c>NpgsqlDataSource</c> or connection object (configure preparation there).
    /// </summary>
    public bool PrepareStatements { get; set; } = true;

    /// <summary>
    /// <c>Max Auto Prepare</c> given to a PostgreSQL connection string that does not set it, when
    /// <see cref="PrepareStatements"/> is on: how many distinct statements Npgsql keeps prepared per physical connection.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;
}

/// <summary>Stores CustomerCare's data with EF Core.</summary>
public static class EntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Stores tickets, staff, customers and tenants with EF Core. Configure SQLite
    /// (<c>ef.UseSqlite(...)</c>, the embedded default) or PostgreSQL (<c>ef.UseNpgsql(...)</c>);
    /// the matching migrations are applied by <c>MigrateCustomerCareDatabaseAsync()</c>.
    /// </summary>
    public static CustomerCareBuilder UseEntityFrameworkCore(this CustomerCareBuilder builder, Action<DbContextOptionsBuilder> configure)
        => UseEntityFrameworkCore(builder, configure, _ => { });

    /// <summary>
    /// Stores CustomerCare's data with EF Core, as <see cref="UseEntityFrameworkCore(CustomerCareBuilder, Action{DbContextOptionsBuilder})"/>,
    /// with storage options (e.g. <see cref="EntityFrameworkCoreStorageOptions.PrepareStatements"/>).
    /// </summary>
    public static CustomerCareBuilder UseEntityFrameworkCore(this CustomerCareBuilder builder, Action<DbContextOptionsBuilder> configure, Action<EntityFrameworkCoreStorageOptions> storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(storage);
        var options = new EntityFrameworkCoreStorageOptions();
        storage(options);

        var probe = new DbContextOptionsBuilder();
        configure(probe);
        var provider = DetectProvider(probe.Options);
        var services = builder.Services;
        // The options are built once (singleton), not once per scope: rebuilding them for every request
        // allocated about as much again as the query itself (see BENCHMARKS.md, allocations per call).
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.TryAddSingleton<SqliteWriteGate>();
                services.AddDbContext<SqliteCustomerCareDbContext>((sp, ef) =>
                {
                    configure(ef);
                    ef.AddInterceptors(SqliteCustomerCareDbContext.ConnectionSetup.Instance, sp.GetRequiredService<SqliteWriteGate>());
                }, ServiceLifetime.Scoped, ServiceLifetime.Singleton);
                services.TryAddScoped<CustomerCareDbContext>(sp => sp.GetRequiredService<SqliteCustomerCareDbContext>());
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContext<NpgsqlCustomerCareDbContext>(
                    ef =>
                    {
                        configure(ef);
                        if (options.PrepareStatements) ef.AddInterceptors(RawCommand.PrepareInterceptor.Instance);
                        TuneConnectionString(ef, options.PrepareStatements);
                    },
                    ServiceLifetime.Scoped, ServiceLifetime.Singleton);
                services.TryAddScoped<CustomerCareDbContext>(sp => sp.GetRequiredService<NpgsqlCustomerCareDbContext>());
                break;
        }

        services.TryAddScoped<ITicketStore, EfTicketStore>();
        services.TryAddScoped<IStaffStore, EfStaffStore>();
        services.TryAddScoped<ICustomerStore, EfCustomerStore>();
        // One query for both tables, unless the host brought its own staff or customer store.
        services.Replace(ServiceDescriptor.Scoped<CustomerCare.Actors.IActorDirectory>(sp =>
        {
            var staff = sp.GetRequiredService<IStaffStore>();
            var customers = sp.GetRequiredService<ICustomerStore>();
            return staff is EfStaffStore && customers is EfCustomerStore
                ? new EfActorDirectory(sp.GetRequiredService<CustomerCareDbContext>())
                : new CustomerCare.Actors.StoreActorDirectory(staff, customers);
        }));
        services.TryAddScoped<CustomerCare.Assignment.IAssignmentStore, CustomerCare.Storage.EFCore.Assignment.EfAssignmentStore>();
        services.TryAddScoped<EfNotificationStore>();
        services.TryAddScoped<INotificationStore>(sp => sp.GetRequiredService<EfNotificationStore>());
        services.TryAddScoped<INotificationPreferenceStore>(sp => sp.GetRequiredService<EfNotificationStore>());
        services.TryAddScoped<INotificationTemplateStore>(sp => sp.GetRequiredService<EfNotificationStore>());
        services.TryAddScoped<INotificationQueue, EfNotificationQueue>();
        services.TryAddScoped<IOutboxActivityQueue, EfOutboxActivityQueue>();
        // Delivers the outbox in the background (does nothing until a notification channel is registered).
        services.AddHostedService<NotificationDispatcherService>();
        return builder;
    }

    /// <summary>Keeps the tenant directory in the database (<c>cc_tenants</c>) instead of in memory.</summary>
    public static CustomerCareBuilder AddEntityFrameworkCoreTenantStore(this CustomerCareBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<ITenantStore, EfTenantStore>());
        builder.Services.TryAddSingleton<TenantCache>();
        return builder;
    }

    /// <summary>
    /// Applies CustomerCare's migrations for the configured provider (and turns on WAL for SQLite).
    /// Call it once at host start; never use <c>EnsureCreated</c> outside tests.
    /// </summary>
    public static async Task MigrateCustomerCareDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetService<CustomerCareDbContext>()
            ?? throw new InvalidOperationException("CustomerCare has no EF Core storage. Call services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite(...)).");
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                // WAL lets readers work while a writer commits; it is a property of the database file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        else
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Npgsql settings CustomerCare's connections profit from, each unless the connection string sets it: automatic
    /// preparation (<c>Max Auto Prepare</c>, when <paramref name="prepare"/>), without which PostgreSQL parsed and planned every
    /// statement of every call (half of the server's CPU on the real-time benchmark); and <c>No Reset On Close</c>, because
    /// CustomerCare leaves no session state on its connections (no <c>SET</c>, temporary tables, advisory locks or
    /// <c>LISTEN</c>; an unfinished transaction is still rolled back), while the reset Npgsql otherwise sends with the next
    /// command after every pooled open cost the server about a fifth of its CPU per chat message. The changed connection
    /// string gives CustomerCare a pool of its own: the host's other connections keep their settings.
    /// </summary>
    private static void TuneConnectionString(DbContextOptionsBuilder ef, bool prepare)
    {
        // A context configured with a data source or a connection object has no connection string here.
        if (RelationalOptionsExtension.Extract(ef.Options) is not { ConnectionString: { } connectionString, Connection: null }) return;
        // Npgsql's own builder answers ContainsKey for every keyword it knows, set or not: ask a plain one.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var changed = false;
        if (prepare && !given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = EntityFrameworkCoreStorageOptions.DefaultMaxAutoPrepare;
            changed = true;
        }
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
            changed = true;
        }
        // Keeps every other Npgsql setting of the context; only the connection string changes.
        if (changed) ef.UseNpgsql(settings.ConnectionString);
    }

    private enum DatabaseProvider { Sqlite, PostgreSql }

    private static DatabaseProvider DetectProvider(DbContextOptions options)
    {
        foreach (var extension in options.Extensions)
        {
            if (extension is SqliteOptionsExtension) return DatabaseProvider.Sqlite;
            if (extension is NpgsqlOptionsExtension) return DatabaseProvider.PostgreSql;
        }
        throw new InvalidOperationException(
            "CustomerCare's EF Core storage supports SQLite and PostgreSQL. Configure one: UseEntityFrameworkCore(ef => ef.UseSqlite(\"Data Source=customercare.db\")) or ef.UseNpgsql(connectionString).");
    }
}
