using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications.MailKit;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CustomerCare.Notifications.MailKit.Tests.Infrastructure;

/// <summary>One tenant's people, with addresses no other test uses (the shared sink is shared).</summary>
public sealed class DeskPeople(string tenantId)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    public Actor Admin => new(tenantId, "admin-1", ActorRole.Admin, "Ada Admin", $"ada-{_tag}@bank.example");
    public Actor Agent => new(tenantId, "agent-1", ActorRole.Agent, "Alan Agent", $"alan-{_tag}@bank.example");
    public Actor Customer => new(tenantId, "customer-1", ActorRole.Customer, "Carol Customer", $"carol-{_tag}@customer.example");
}

/// <summary>
/// A generic host (as an ASP.NET Core app has) with CustomerCare on SQLite or PostgreSQL, one tenant
/// (Acme Bank, prefix BANK, sender "Acme Bank Support" &lt;support@bank.example&gt;) and its people, and
/// the SMTP channel pointing at a sink. Its background dispatcher runs while the host runs.
/// </summary>
public sealed class DeskHost : IAsyncDisposable
{
    private readonly string? _sqlitePath;

    private DeskHost(IHost host, TenantInfo tenant, string? sqlitePath)
    {
        Host = host;
        Tenant = tenant;
        People = new DeskPeople(tenant.Id);
        _sqlitePath = sqlitePath;
    }

    public IHost Host { get; }

    public TenantInfo Tenant { get; }

    public DeskPeople People { get; }

    public IServiceProvider Services => Host.Services;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TenantInfo BankTenant(string? id = null)
    {
        id ??= $"bank-{Guid.NewGuid():N}"[..16];
        return new TenantInfo
        {
            Id = id,
            Identifier = id,
            Name = "Acme Bank",
            Settings = new TenantSettings { TicketPrefix = "BANK", SenderName = "Acme Bank Support", SenderAddress = "support@bank.example" },
        };
    }

    /// <summary>Builds the host (not started), migrates the database and seeds the tenant's staff and customer.</summary>
    public static async Task<DeskHost> CreateAsync(SmtpSink sink, Action<NotificationOptions>? notifications = null, string? postgres = null,
        TenantInfo? tenant = null, Action<IServiceCollection>? services = null, bool seed = true)
    {
        tenant ??= BankTenant();
        var sqlitePath = postgres is null ? Path.Combine(Path.GetTempPath(), $"cc-mail-{Guid.NewGuid():N}.db") : null;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.AddCustomerCare(o =>
            {
                o.Notifications.MessageBatchWindow = TimeSpan.Zero;
                o.Notifications.PollInterval = TimeSpan.FromMilliseconds(200);
                o.Notifications.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
                o.Notifications.RetryMaxDelay = TimeSpan.FromSeconds(1);
                o.Notifications.MaxAttempts = 100;
                notifications?.Invoke(o.Notifications);
            })
            .UseEntityFrameworkCore(ef =>
            {
                if (postgres is not null) ef.UseNpgsql(postgres);
                else ef.UseSqlite($"Data Source={sqlitePath}");
            })
            .AddInMemoryTenants(tenant)
            .AddSmtpNotifications(o =>
            {
                o.Host = sink.Host;
                o.Port = sink.Port;
                o.Tls = SmtpTlsMode.None;
                o.Timeout = TimeSpan.FromSeconds(10);
            });
        services?.Invoke(builder.Services);
        var desk = new DeskHost(builder.Build(), tenant, sqlitePath);
        await desk.Services.MigrateCustomerCareDatabaseAsync(Ct);
        if (seed) await desk.SeedAsync();
        return desk;
    }

    private async Task SeedAsync()
    {
        await RunAsync(async sp =>
        {
            var staff = sp.GetRequiredService<IStaffStore>();
            foreach (var member in new[] { People.Admin, People.Agent })
                await staff.AddAsync(new StaffMember { UserId = member.UserId, DisplayName = member.DisplayName, Email = member.Email!, Role = member.Role, CreatedAt = DateTimeOffset.UtcNow }, Ct);
            await sp.GetRequiredService<CustomerManager>().EnsureProfileAsync(People.Customer.UserId, People.Customer.DisplayName, People.Customer.Email, Ct);
            return 0;
        });
    }

    public Task StartAsync() => Host.StartAsync(Ct);

    /// <summary>Runs <paramref name="work"/> in a scope with the tenant current, as one request would.</summary>
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        using var _ = Services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(Tenant));
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<T> Tickets<T>(Func<TicketManager, Task<T>> work) => RunAsync(sp => work(sp.GetRequiredService<TicketManager>()));

    public async Task<Ticket> CreateTicketAsync(string subject = "Card blocked abroad")
        => (await Tickets(m => m.CreateAsync(People.Customer, new CreateTicketRequest { Subject = subject, Description = "My card was blocked while travelling." }, null, Ct))).Value;

    /// <summary>Every outbox row of the tenant.</summary>
    public Task<List<OutboxNotification>> OutboxAsync()
        => RunAsync(sp => sp.GetRequiredService<CustomerCareDbContext>().Set<OutboxNotification>().AsNoTracking().OrderBy(n => n.Id).ToListAsync(Ct));

    /// <summary>Waits until every outbox row of the tenant is sent (fails on a dead letter or after <paramref name="seconds"/>).</summary>
    public async Task<List<OutboxNotification>> WaitUntilAllSentAsync(int expected, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        List<OutboxNotification> rows;
        do
        {
            rows = await OutboxAsync();
            Assert.DoesNotContain(rows, r => r.Status == NotificationStatus.Dead);
            if (rows.Count >= expected && rows.All(r => r.Status == NotificationStatus.Sent)) return rows;
            await Task.Delay(100, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"Not all notifications were sent within {seconds} s: {string.Join(", ", rows.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key}"))} of {expected} expected.");
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }
        Host.Dispose();
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try { File.Delete(_sqlitePath + suffix); } catch (IOException) { }
            }
        }
    }
}

/// <summary>A throwaway PostgreSQL database on the server of <c>CUSTOMERCARE_TEST_POSTGRES</c>.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private PostgresDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
            Assert.Skip("PostgreSQL is not available: set CUSTOMERCARE_TEST_POSTGRES to an Npgsql connection string of a server where tests may create and drop databases (test.sh and .ci/run start one).");
        var name = $"cc_mail_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new PostgresDatabase(admin, name, new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 30 }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
