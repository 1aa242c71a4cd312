using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.Benchmarks.Realtime;

/// <summary>One host instance: Kestrel on 127.0.0.1, the API and the hub, header sign-in, optionally the Redis backplane.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public const string Tenant = "bench";
    public const string Admin = "bench-admin";

    private BenchHost(string name, WebApplication app)
    {
        Name = name;
        App = app;
    }

    public string Name { get; }

    public WebApplication App { get; }

    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static TenantInfo CreateTenant() => new() { Id = Tenant, Identifier = Tenant, Name = "Benchmark Bank", Settings = new TenantSettings { TicketPrefix = "B" } };

    public static async Task<BenchHost> StartAsync(string name, BenchDatabase database, string? redis)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical);
        builder.Services.AddAuthentication(BenchAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, BenchAuthHandler>(BenchAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        var customerCare = builder.Services.AddCustomerCare()
            .UseEntityFrameworkCore(database.Configure)
            .AddInMemoryTenants(CreateTenant())
            .AddMultiTenancy(t => t.WithRouteStrategy("tenant"))
            .ConfigureHttp(o => o.RateLimits.Enabled = false)
            // Measure the pipeline, not the per-connection limit; presence would only add agents' availability writes.
            .AddRealtime(o =>
            {
                o.RateLimit.Enabled = false;
                o.PresenceUpdatesAvailability = false;
            });
        if (redis is not null) customerCare.AddRedisScaleOut(redis, o => o.ChannelPrefix = "customercare-bench");

        var app = builder.Build();
        app.UseCustomerCareTenancy();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/t/{tenant}/api").MapCustomerCare();
        app.MapGroup("/t/{tenant}").MapCustomerCareHub("/hub");
        await app.Services.MigrateCustomerCareDatabaseAsync();
        await app.StartAsync();
        return new BenchHost(name, app);
    }

    /// <summary>Adds an admin and <paramref name="agents"/> agents, and one ticket per customer assigned round-robin.</summary>
    public async Task<IReadOnlyList<(string CustomerId, Guid TicketId, string AgentId)>> SeedAsync(int customers, int agents)
    {
        var tenant = new TenantContext(CreateTenant());
        var setter = App.Services.GetRequiredService<ITenantContextSetter>();
        using (setter.BeginScope(tenant))
        {
            await using var scope = App.Services.CreateAsyncScope();
            var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
            await staff.AddAsync(new StaffMember { UserId = Admin, DisplayName = "Admin", Email = "admin@bench.test", Role = ActorRole.Admin, CreatedAt = DateTimeOffset.UtcNow }, default);
            for (var i = 0; i < agents; i++)
                await staff.AddAsync(new StaffMember { UserId = $"agent-{i}", DisplayName = $"Agent {i}", Email = $"agent-{i}@bench.test", Role = ActorRole.Agent, CreatedAt = DateTimeOffset.UtcNow }, default);
        }

        var admin = new Actor(Tenant, Admin, ActorRole.Admin, "Admin", null);
        var tickets = new (string, Guid, string)[customers];
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            using var _ = setter.BeginScope(tenant);
            await using var scope = App.Services.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<TicketManager>();
            var customer = new Actor(Tenant, $"customer-{i}", ActorRole.Customer, $"Customer {i}", null);
            var ticket = await manager.CreateAsync(customer, new CreateTicketRequest { Subject = $"Ticket {i}", Description = "Benchmark" }, null, ct);
            var agent = $"agent-{i % agents}";
            await manager.AssignAsync(admin, ticket.Value.Id, agent, null, ct);
            tickets[i] = (customer.UserId, ticket.Value.Id, agent);
        });
        return tickets;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Signs callers in by headers (the benchmark is not about authentication).</summary>
internal sealed class BenchAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bench";
    public const string UserHeader = "X-Bench-User";
    public const string TenantHeader = "X-Bench-Tenant";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers[UserHeader].ToString();
        if (string.IsNullOrEmpty(user)) return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user), new Claim("customercare:tenant", Request.Headers[TenantHeader].ToString())], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
