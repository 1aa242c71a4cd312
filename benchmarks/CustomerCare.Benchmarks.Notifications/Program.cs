// Notification benchmarks, written up in BENCHMARKS.md.
//   1. Outbox overhead on creating a ticket: the same ticket creations through TicketManager with no
//      notification channel (no outbox rows) and with one (the acknowledgement and the admins' mail are
//      written in the ticket's transaction). Alternating rounds, medians of per-round means.
//   2. Drain rate: a backlog of 10,000 notifications delivered by one dispatcher through the SMTP channel
//      to a local aiosmtpd (Debian's python3-aiosmtpd), which writes every mail to a Maildir.
// Options: --postgres "<Npgsql connection string of a server where databases may be created>" adds PostgreSQL runs;
//          --tickets N (per round, default 400), --rounds N (default 5), --backlog N (default 10000).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CustomerCare;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Notifications.MailKit;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

var arguments = args.ToList();
string? Option(string name) { var i = arguments.IndexOf(name); return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null; }
var postgres = Option("--postgres");
var ticketsPerRound = int.Parse(Option("--tickets") ?? "400", CultureInfo.InvariantCulture);
var rounds = int.Parse(Option("--rounds") ?? "5", CultureInfo.InvariantCulture);
var backlog = int.Parse(Option("--backlog") ?? "10000", CultureInfo.InvariantCulture);

Console.WriteLine($"CustomerCare notification benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine();

await using var sink = await Sink.StartAsync();

foreach (var (name, database) in Databases())
{
    Console.WriteLine($"## {name}");
    await using (database)
    {
        await OverheadAsync(database, sink);
    }
    await using (var drainDatabase = name == "SQLite" ? Database.Sqlite() : await Database.PostgresAsync(postgres!))
    {
        await DrainAsync(drainDatabase, sink);
    }
    Console.WriteLine();
}

IEnumerable<(string, Database)> Databases()
{
    yield return ("SQLite", Database.Sqlite());
    if (postgres is not null) yield return ("PostgreSQL", Database.PostgresAsync(postgres).GetAwaiter().GetResult());
}

async Task OverheadAsync(Database database, Sink smtp)
{
    var tenantOff = Tenant("bench-off");
    var tenantOn = Tenant("bench-on");
    await using var off = await BuildAsync(database, smtp, withChannel: false, tenantOff, tenantOn);
    await using var on = await BuildAsync(database, smtp, withChannel: true, tenantOff, tenantOn);
    await database.MigrateAsync(off);
    foreach (var (services, tenant) in new[] { (off, tenantOff), (on, tenantOn) }) await SeedAsync(services, tenant);

    // Warm up both paths (JIT, connection pools, query caches).
    await CreateTicketsAsync(off, tenantOff, 50);
    await CreateTicketsAsync(on, tenantOn, 50);
    var without = new List<double>();
    var with = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        without.Add(await CreateTicketsAsync(off, tenantOff, ticketsPerRound));
        with.Add(await CreateTicketsAsync(on, tenantOn, ticketsPerRound));
    }
    var rowsWritten = await CountRowsAsync(on, tenantOn);
    var a = Median(without);
    var b = Median(with);
    Console.WriteLine($"create ticket, no outbox:   {a:F3} ms/ticket (median of {rounds} rounds × {ticketsPerRound}; rounds {string.Join(" ", without.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))})");
    Console.WriteLine($"create ticket, with outbox: {b:F3} ms/ticket (rounds {string.Join(" ", with.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}); {rowsWritten} outbox rows written");
    Console.WriteLine($"outbox overhead:            {(b - a) / a * 100:F1} %");
}

async Task DrainAsync(Database database, Sink smtp)
{
    var tenant = Tenant("bench-drain");
    await using var services = await BuildAsync(database, smtp, withChannel: true, tenant);
    await database.MigrateAsync(services);
    var before = smtp.Count();

    // The backlog, written in batches as a burst of activity would leave it.
    var fill = Stopwatch.StartNew();
    using (services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant)))
    {
        for (var written = 0; written < backlog; written += 500)
        {
            await using var scope = services.CreateAsyncScope();
            var now = DateTimeOffset.UtcNow;
            var rows = Enumerable.Range(written, Math.Min(500, backlog - written)).Select(i => new OutboxNotification
            {
                Id = Guid.CreateVersion7(now),
                TenantId = tenant.Id,
                Kind = NotificationKind.TicketReceived,
                Channel = "email",
                RecipientUserId = $"customer-{i}",
                RecipientAddress = $"customer-{i}@customers.example",
                RecipientName = $"Customer {i}",
                TicketId = Guid.CreateVersion7(now),
                TicketReference = $"BANK-{1001 + i}",
                DataJson = new NotificationData { Values = { ["ticket.subject"] = $"Problem number {i}", ["customer.name"] = $"Customer {i}" } }.ToJson(),
                NextAttemptAt = now,
                CreatedAt = now,
            }).ToList();
            await scope.ServiceProvider.GetRequiredService<INotificationStore>().EnqueueAsync(rows, CancellationToken.None);
        }
    }
    fill.Stop();

    var dispatcher = services.GetRequiredService<NotificationDispatcher>();
    var clock = Stopwatch.StartNew();
    var claimed = 0;
    int n;
    while ((n = await dispatcher.DispatchDueAsync(CancellationToken.None)) > 0) claimed += n;
    clock.Stop();
    var arrived = smtp.Count() - before;
    Console.WriteLine($"backlog of {backlog} written in {fill.Elapsed.TotalSeconds:F1} s; drained in {clock.Elapsed.TotalSeconds:F1} s: {backlog / clock.Elapsed.TotalSeconds:F0} mails/s (one dispatcher, batch {new NotificationOptions().BatchSize}); {claimed} claimed, {arrived} arrived at the sink");
}

async Task<double> CreateTicketsAsync(ServiceProvider services, TenantInfo tenant, int count)
{
    using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
    var customer = new Actor(tenant.Id, "customer-1", ActorRole.Customer, "Casey Customer", "casey@customers.example");
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TicketManager>()
            .CreateAsync(customer, new CreateTicketRequest { Subject = $"Problem {i}", Description = "My card does not work abroad." }, null, CancellationToken.None);
    }
    return clock.Elapsed.TotalMilliseconds / count;
}

async Task<int> CountRowsAsync(ServiceProvider services, TenantInfo tenant)
{
    using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
    await using var scope = services.CreateAsyncScope();
    return await scope.ServiceProvider.GetRequiredService<CustomerCare.Storage.EFCore.CustomerCareDbContext>().Set<OutboxNotification>().CountAsync();
}

async Task SeedAsync(ServiceProvider services, TenantInfo tenant)
{
    using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
    await using var scope = services.CreateAsyncScope();
    var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
    await staff.AddAsync(new StaffMember { UserId = "admin-1", DisplayName = "Ada Admin", Email = "ada@bank.example", Role = ActorRole.Admin, CreatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
    await staff.AddAsync(new StaffMember { UserId = "agent-1", DisplayName = "Alan Agent", Email = "alan@bank.example", Role = ActorRole.Agent, CreatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
}

async Task<ServiceProvider> BuildAsync(Database database, Sink smtp, bool withChannel, params TenantInfo[] tenants)
{
    var services = new ServiceCollection();
    services.AddLogging();
    var customerCare = services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddInMemoryTenants(tenants);
    if (withChannel)
        customerCare.AddSmtpNotifications(o => { o.Host = "127.0.0.1"; o.Port = smtp.Port; o.Tls = SmtpTlsMode.None; });
    await Task.CompletedTask;
    return services.BuildServiceProvider();
}

static TenantInfo Tenant(string id) => new()
{
    Id = id,
    Identifier = id,
    Name = "Acme Bank",
    Settings = new TenantSettings { TicketPrefix = "BANK", SenderName = "Acme Bank Support", SenderAddress = "support@bank.example" },
};

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>A database for one benchmark: a temp SQLite file (WAL) or a throwaway PostgreSQL database.</summary>
internal sealed class Database : IAsyncDisposable
{
    private readonly string? _file;
    private readonly string? _admin;
    private readonly string? _name;

    private Database(Action<DbContextOptionsBuilder> configure, string? file, string? admin, string? name)
    {
        Configure = configure;
        _file = file;
        _admin = admin;
        _name = name;
    }

    public Action<DbContextOptionsBuilder> Configure { get; }

    public static Database Sqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cc-bench-{Guid.NewGuid():N}.db");
        return new Database(ef => ef.UseSqlite($"Data Source={file}"), file, null, null);
    }

    public static async Task<Database> PostgresAsync(string admin)
    {
        var name = $"cc_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new Database(ef => ef.UseNpgsql(connectionString), null, admin, name);
    }

    private bool _migrated;

    public async Task MigrateAsync(IServiceProvider services)
    {
        if (_migrated) return;
        await services.MigrateCustomerCareDatabaseAsync();
        _migrated = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_file + suffix);
        }
        if (_name is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Debian's aiosmtpd on a free loopback port, writing every mail into a Maildir.</summary>
internal sealed class Sink : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private Sink(Process process, int port, string maildir)
    {
        _process = process;
        Port = port;
        _maildir = maildir;
    }

    public int Port { get; }

    public int Count() => Directory.GetFiles(Path.Combine(_maildir, "new")).Length;

    public static async Task<Sink> StartAsync()
    {
        var maildir = Path.Combine(Path.GetTempPath(), $"cc-bench-mail-{Guid.NewGuid():N}");
        foreach (var sub in new[] { "cur", "new", "tmp" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start /usr/bin/python3 -m aiosmtpd (apt-get install python3-aiosmtpd).");
        for (var i = 0; i < 150; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new Sink(process, port, maildir);
            }
            catch (SocketException)
            {
                if (process.HasExited) throw new InvalidOperationException("aiosmtpd exited: is python3-aiosmtpd installed?");
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("aiosmtpd did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_maildir, recursive: true);
    }
}
