using System.Collections.Concurrent;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>What a test host differs in.</summary>
public sealed class ApiHostOptions
{
    /// <summary>Applied after the test defaults (rate limits set high so they never interfere).</summary>
    public Action<CustomerCareHttpOptions>? Http { get; init; }

    /// <summary>Core options.</summary>
    public Action<CustomerCareOptions>? CustomerCare { get; init; }

    /// <summary>A clock to use instead of the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Serve on Kestrel at 127.0.0.1 on a free port instead of the in-memory TestServer (real sockets, for the hub).</summary>
    public bool Kestrel { get; init; }

    /// <summary>Real-time options, applied after the test defaults (no offline delay; rate limit as by default).</summary>
    public Action<CustomerCare.AspNetCore.Realtime.CustomerCareRealtimeOptions>? Realtime { get; init; }

    /// <summary>More CustomerCare configuration (e.g. a notification channel).</summary>
    public Action<CustomerCareBuilder>? Configure { get; init; }
}

/// <summary>The seeded people of every test host. Staff live in the staff directory; customers appear on first call.</summary>
public static class Users
{
    public const string BankAdmin = "bank-admin";
    public const string BankAgent1 = "bank-agent-1";
    public const string BankAgent2 = "bank-agent-2";
    public const string TelcoAdmin = "telco-admin";
    public const string TelcoAgent1 = "telco-agent-1";
    public const string TelcoAgent2 = "telco-agent-2";

    /// <summary>A user id nobody used before: a fresh customer.</summary>
    public static string New(string prefix = "cust") => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>The tenants of every test host (fresh instances per host, since tenants are mutable).</summary>
public static class Tenants
{
    public const string Bank = "bank";
    public const string Telco = "telco";
    public const string Suspended = "dormant";

    public static TenantInfo CreateBank() => new()
    {
        Id = Bank,
        Identifier = Bank,
        Name = "Acme Bank",
        Settings = new TenantSettings
        {
            TicketPrefix = "BANK",
            AgentsSeeUnassigned = true,
            Categories = ["billing", "cards", "loans"],
        },
    };

    public static TenantInfo CreateTelco() => new()
    {
        Id = Telco,
        Identifier = Telco,
        Name = "Acme Telecom",
        Settings = new TenantSettings
        {
            TicketPrefix = "TEL",
            AgentsSeeUnassigned = false,
            CustomFields = [new CustomFieldDefinition { Key = "billNumber", Label = "Bill number", Required = true, MaxLength = 20 }],
        },
    };

    public static TenantInfo CreateSuspended() => new()
    {
        Id = Suspended,
        Identifier = Suspended,
        Name = "Dormant Insurance",
        Status = TenantStatus.Suspended,
        Settings = new TenantSettings { TicketPrefix = "INS" },
    };
}

/// <summary>
/// A host the way DESIGN.md §2 describes it, in memory: WebApplication + TestServer, SQLite in a
/// temp file migrated with MigrateCustomerCareDatabaseAsync, in-memory tenants, route strategy,
/// header authentication (<see cref="TestAuthHandler"/>), the API mapped at <c>/t/{tenant}/api</c> and
/// the real-time hub at <c>/t/{tenant}/hub</c>. With <see cref="ApiHostOptions.Kestrel"/> it listens on
/// a loopback port instead, for SignalR clients over real WebSockets.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly string _databasePath;

    private ApiHost(WebApplication app, string databasePath, ConcurrentQueue<string> loggedErrors, bool kestrel)
    {
        App = app;
        _databasePath = databasePath;
        LoggedErrors = loggedErrors;
        IsKestrel = kestrel;
    }

    public WebApplication App { get; }

    public TestServer Server => App.GetTestServer();

    /// <summary>Whether the host listens on a real socket.</summary>
    public bool IsKestrel { get; }

    /// <summary>Where the host listens: <c>http://127.0.0.1:{port}</c> on Kestrel, <c>http://localhost</c> on TestServer.</summary>
    public Uri BaseAddress => IsKestrel
        ? new Uri(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First())
        : new Uri("http://localhost");

    /// <summary>Errors logged by the host; every response assertion fails when there are any.</summary>
    public ConcurrentQueue<string> LoggedErrors { get; }

    public IServiceProvider Services => App.Services;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<ApiHost> StartAsync(ApiHostOptions? options = null)
    {
        options ??= new ApiHostOptions();
        var databasePath = Path.Combine(Path.GetTempPath(), $"customercare-api-{Guid.NewGuid():N}.db");
        var errors = new ConcurrentQueue<string>();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        if (options.Kestrel) builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        else builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ErrorCollector(errors));

        if (options.Time is not null) builder.Services.AddSingleton(options.Time);
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();

        var customerCare = builder.Services.AddCustomerCare(o => options.CustomerCare?.Invoke(o));
        options.Configure?.Invoke(customerCare);
        customerCare
            .UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={databasePath}"))
            .AddInMemoryTenants(Tenants.CreateBank(), Tenants.CreateTelco(), Tenants.CreateSuspended())
            .AddMultiTenancy(t => t.WithRouteStrategy("tenant"))
            .ConfigureHttp(o =>
            {
                o.RateLimits.PermitsPerUser = 1_000_000;
                o.RateLimits.PermitsPerTenant = 1_000_000;
                options.Http?.Invoke(o);
            })
            .AddRealtime(o =>
            {
                o.PresenceOfflineDelay = TimeSpan.Zero;
                options.Realtime?.Invoke(o);
            });

        var app = builder.Build();
        app.UseCustomerCareTenancy();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/t/{tenant}/api").MapCustomerCare();
        app.MapGroup("/t/{tenant}").MapCustomerCareHub("/hub");

        var host = new ApiHost(app, databasePath, errors, options.Kestrel);
        try
        {
            await app.Services.MigrateCustomerCareDatabaseAsync(Ct);
            await app.StartAsync(Ct);
            await host.SeedAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task SeedAsync()
    {
        await AddStaffAsync(Tenants.Bank, Users.BankAdmin, "Bank Admin", ActorRole.Admin);
        await AddStaffAsync(Tenants.Bank, Users.BankAgent1, "Bank Agent One", ActorRole.Agent);
        await AddStaffAsync(Tenants.Bank, Users.BankAgent2, "Bank Agent Two", ActorRole.Agent);
        await AddStaffAsync(Tenants.Telco, Users.TelcoAdmin, "Telco Admin", ActorRole.Admin);
        await AddStaffAsync(Tenants.Telco, Users.TelcoAgent1, "Telco Agent One", ActorRole.Agent);
        await AddStaffAsync(Tenants.Telco, Users.TelcoAgent2, "Telco Agent Two", ActorRole.Agent);
    }

    /// <summary>Adds a staff member straight into the staff store, as a host's seed would.</summary>
    public Task AddStaffAsync(string tenant, string userId, string name, ActorRole role)
        => InTenantAsync(tenant, sp => sp.GetRequiredService<IStaffStore>().AddAsync(new StaffMember
        {
            UserId = userId,
            DisplayName = name,
            Email = userId + "@staff.example.test",
            Role = role,
            IsActive = true,
            CreatedAt = DateTimeOffset.UtcNow,
        }, Ct));

    /// <summary>Runs <paramref name="work"/> in a DI scope with <paramref name="tenantId"/> as the current tenant.</summary>
    public async Task InTenantAsync(string tenantId, Func<IServiceProvider, Task> work)
    {
        var tenant = await Services.GetRequiredService<ITenantStore>().FindByIdAsync(tenantId, Ct)
                     ?? throw new InvalidOperationException($"No tenant {tenantId}.");
        using var _ = Services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    /// <summary>Reads the database directly (all tenants; filters ignored), to check what a refused request left behind.</summary>
    public async Task<T> DbAsync<T>(Func<CustomerCareDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>());
    }

    public Task<int> CountTicketsAsync(string? tenant = null)
        => DbAsync(db => db.Set<Ticket>().IgnoreQueryFilters().CountAsync(t => tenant == null || t.TenantId == tenant, Ct));

    public Task<int> CountMessagesAsync(Guid? ticketId = null)
        => DbAsync(db => db.Set<TicketMessage>().IgnoreQueryFilters().CountAsync(m => ticketId == null || m.TicketId == ticketId, Ct));

    public Task<int> CountEventsAsync(Guid ticketId)
        => DbAsync(db => db.Set<TicketEvent>().IgnoreQueryFilters().CountAsync(e => e.TicketId == ticketId, Ct));

    /// <summary>Everything a refused request must leave as it was on a ticket, as one comparable string.</summary>
    public async Task<string> TicketStateAsync(Guid ticketId)
    {
        var t = await FindTicketAsync(ticketId) ?? throw new InvalidOperationException($"No ticket {ticketId}.");
        return $"v{t.Version} {t.Status} assignee={t.AssigneeId} customer={t.CustomerName} messages={t.MessageCount}/{await CountMessagesAsync(ticketId)} events={await CountEventsAsync(ticketId)}";
    }

    public Task<int> CountStaffAsync()
        => DbAsync(db => db.Set<StaffMember>().IgnoreQueryFilters().CountAsync(Ct));

    public Task<StaffMember?> FindStaffAsync(string tenant, string userId)
        => DbAsync(db => db.Set<StaffMember>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenant && s.UserId == userId, Ct));

    public Task<CustomerCare.Customers.CustomerProfile?> FindCustomerAsync(string tenant, string userId)
        => DbAsync(db => db.Set<CustomerCare.Customers.CustomerProfile>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenant && c.UserId == userId, Ct));

    public Task<Ticket?> FindTicketAsync(Guid id)
        => DbAsync(db => db.Set<Ticket>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, Ct));

    /// <summary>A client signed in as <paramref name="user"/> (anonymous when <c>null</c>) calling <c>/t/{tenant}/api</c>.</summary>
    /// <param name="tokenTenant">The tenant the "token" was issued for; defaults to <paramref name="tenant"/>.</param>
    public ApiClient As(string? user, string tenant = Tenants.Bank, string? tokenTenant = null, string? name = null, string? email = null)
    {
        var http = IsKestrel ? new HttpClient() : Server.CreateClient();
        http.BaseAddress = new Uri(BaseAddress, $"/t/{tenant}/api/");
        if (user is not null)
        {
            http.DefaultRequestHeaders.Add(TestAuthHandler.UserHeader, user);
            http.DefaultRequestHeaders.Add(TestAuthHandler.TenantHeader, tokenTenant ?? tenant);
            if (name is not null) http.DefaultRequestHeaders.Add(TestAuthHandler.NameHeader, name);
            if (email is not null) http.DefaultRequestHeaders.Add(TestAuthHandler.EmailHeader, email);
        }
        return new ApiClient(http, user, this);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(_databasePath + suffix); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// Keeps error-level log lines; the response assertions fail when there are any. EF Core's own
    /// categories are left out: EF logs every failed statement at error level, also those CustomerCare
    /// expects and handles (two concurrent retries with one Idempotency-Key hit the unique key, and the
    /// loser answers with the winner's ticket). A database failure that is not handled fails the request.
    /// </summary>
    private sealed class ErrorCollector(ConcurrentQueue<string> queue) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName)
            => categoryName.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new Logger(categoryName, queue);

        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> queue) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // SignalR logs every refused hub call (a HubException the client receives, e.g. not-found) at error level.
                if (exception is Microsoft.AspNetCore.SignalR.HubException) return;
                if (IsEnabled(logLevel)) queue.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
