using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Notifications.MailKit;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Benchmarks;

/// <summary>
/// Issue 4's numbers (BENCHMARKS.md):
/// 1. The outbox's overhead on raising a ticket: the same creations through <see cref="TicketManager"/> on two
///    service providers over one database, without a notification channel (nothing written to the outbox) and
///    with the SMTP channel (the acknowledgement and the admin's mail written in the ticket's transaction).
///    Blocks of 10 tickets alternate between the sides; the figure compares per-ticket medians.
/// 2. The drain rate: a backlog of notifications delivered by one dispatcher through the SMTP channel to a
///    local aiosmtpd (Debian's python3-aiosmtpd), which writes every mail to a Maildir.
/// </summary>
internal static class NotificationBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var rounds = options.Smoke ? 2 : options.Int("--rounds", 16);
        var perRound = options.Smoke ? 20 : options.Int("--tickets", 200);
        var backlog = options.Smoke ? 100 : options.Int("--backlog", 10_000);
        await using var sink = await Sink.StartAsync();
        Console.WriteLine($"notifications on {options.Provider}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        await using (var database = await BenchDatabase.CreateAsync(options.Provider))
        {
            var off = Tenant("bench-off");
            var on = Tenant("bench-on");
            await using var without = Build(database, sink, withChannel: false, off, on);
            await using var with = Build(database, sink, withChannel: true, off, on);
            await without.MigrateCustomerCareDatabaseAsync();
            await SeedAsync(without, off);
            await SeedAsync(with, on);
            await CreateAsync(without, off, 20, [], database.Commands, []);
            await CreateAsync(with, on, 20, [], database.Commands, []);
            // Blocks of 10 tickets alternate between the two sides, so both see the same machine at the same time;
            // per-ticket latencies are compared by their medians (robust to the outliers a busy machine produces).
            var a = new List<double>();
            var b = new List<double>();
            var tripsA = new List<int>();
            var tripsB = new List<int>();
            for (var block = 0; block < rounds * perRound / 10; block++)
            {
                await CreateAsync(without, off, 10, a, database.Commands, tripsA);
                await CreateAsync(with, on, 10, b, database.Commands, tripsB);
            }
            var written = await CountAsync<OutboxActivity>(with);
            Console.WriteLine($"create ticket, no outbox:   median {Percentile(a, 0.5):F3} ms, mean {a.Average():F3} ms, p90 {Percentile(a, 0.9):F3} ms ({a.Count} tickets)");
            Console.WriteLine($"create ticket, with outbox: median {Percentile(b, 0.5):F3} ms, mean {b.Average():F3} ms, p90 {Percentile(b, 0.9):F3} ms ({b.Count} tickets; {written} outbox activities written)");
            Console.WriteLine($"SQL commands per create: {tripsA.Average():F2} without outbox, {tripsB.Average():F2} with outbox");
            Console.WriteLine($"outbox overhead: {(Percentile(b, 0.5) - Percentile(a, 0.5)) / Percentile(a, 0.5) * 100:F1} %");

            // The work the request no longer does: the dispatcher works out each activity's recipients, then sends.
            var mailsBefore = sink.Count();
            var dispatcher = with.GetRequiredService<NotificationDispatcher>();
            var clock = Stopwatch.StartNew();
            while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }
            clock.Stop();
            var mails = sink.Count() - mailsBefore;
            var rows = await CountAsync<OutboxNotification>(with);
            Console.WriteLine($"activities drained: {written} activities worked out into {rows} notifications and delivered in {clock.Elapsed.TotalSeconds:F1} s: {written / clock.Elapsed.TotalSeconds:F0} tickets/s, {mails / clock.Elapsed.TotalSeconds:F0} mails/s; {mails} arrived at the sink");
            if (mails != rows || await CountAsync<OutboxActivity>(with) != 0)
            {
                Console.Error.WriteLine($"Expected {rows} mails at the sink and no activity left, found {mails}.");
                return 1;
            }
        }

        await using (var database = await BenchDatabase.CreateAsync(options.Provider))
        {
            var tenant = Tenant("bench-drain");
            await using var services = Build(database, sink, withChannel: true, tenant);
            await services.MigrateCustomerCareDatabaseAsync();
            var before = sink.Count();
            var fill = Stopwatch.StartNew();
            using (services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant)))
            {
                for (var done = 0; done < backlog; done += 500)
                {
                    await using var scope = services.CreateAsyncScope();
                    var now = DateTimeOffset.UtcNow;
                    var rows = Enumerable.Range(done, Math.Min(500, backlog - done)).Select(i => new OutboxNotification
                    {
                        Id = Guid.CreateVersion7(now),
                        TenantId = tenant.Id,
                        Kind = NotificationKind.TicketReceived,
                        Channel = SmtpNotificationChannel.ChannelName,
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
            int claimed;
            while ((claimed = await dispatcher.DispatchDueAsync(CancellationToken.None)) > 0) { }
            clock.Stop();
            var arrived = sink.Count() - before;
            Console.WriteLine($"drain: {backlog} notifications written in {fill.Elapsed.TotalSeconds:F1} s, delivered in {clock.Elapsed.TotalSeconds:F1} s: {backlog / clock.Elapsed.TotalSeconds:F0} mails/s; {arrived} arrived at the sink");
            if (arrived != backlog)
            {
                Console.Error.WriteLine($"Expected {backlog} mails at the sink, found {arrived}.");
                return 1;
            }
        }
        Console.WriteLine("scenario notifications: ran");
        return 0;
    }

    private static ServiceProvider Build(BenchDatabase database, Sink sink, bool withChannel, params TenantInfo[] tenants)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var customerCare = services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddInMemoryTenants(tenants);
        if (withChannel) customerCare.AddSmtpNotifications(o => { o.Host = "127.0.0.1"; o.Port = sink.Port; o.Tls = SmtpTlsMode.None; });
        return services.BuildServiceProvider();
    }

    private static async Task SeedAsync(ServiceProvider services, TenantInfo tenant)
    {
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = services.CreateAsyncScope();
        var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
        await staff.AddAsync(new StaffMember { UserId = "admin-1", DisplayName = "Ada Admin", Email = "ada@bank.example", Role = ActorRole.Admin, CreatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        await staff.AddAsync(new StaffMember { UserId = "agent-1", DisplayName = "Alan Agent", Email = "alan@bank.example", Role = ActorRole.Agent, CreatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
    }

    private static async Task CreateAsync(ServiceProvider services, TenantInfo tenant, int count, List<double> samples, CommandCounter commands, List<int> trips)
    {
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        var customer = new Actor(tenant.Id, "customer-1", ActorRole.Customer, "Casey Customer", "casey@customers.example");
        for (var i = 0; i < count; i++)
        {
            commands.Reset();
            var clock = Stopwatch.StartNew();
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TicketManager>()
                .CreateAsync(customer, new CreateTicketRequest { Subject = $"Problem {i}", Description = "My card does not work abroad." }, null, CancellationToken.None);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            trips.Add(commands.Count);
        }
    }

    private static async Task<int> CountAsync<T>(ServiceProvider services) where T : class
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>().Set<T>().IgnoreQueryFilters().CountAsync();
    }

    private static TenantInfo Tenant(string id) => new()
    {
        Id = id,
        Identifier = id,
        Name = "Acme Bank",
        Settings = new TenantSettings { TicketPrefix = "BANK", SenderName = "Acme Bank Support", SenderAddress = "support@bank.example" },
    };

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>Debian's aiosmtpd on a free loopback port, writing every mail into a Maildir.</summary>
    internal sealed class Sink : IAsyncDisposable
    {
        public const string Python = "/usr/bin/python3";

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
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir }) start.ArgumentList.Add(arg);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python} -m aiosmtpd (apt-get install python3-aiosmtpd).");
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
            throw new TimeoutException("aiosmtpd did not start within 15 s.");
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            Directory.Delete(_maildir, recursive: true);
        }
    }
}
