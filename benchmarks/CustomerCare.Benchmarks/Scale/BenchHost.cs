using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CustomerCare.Actors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.Benchmarks.Scale;

/// <summary>
/// The benchmark host: CustomerCare set up as in the sample host (EF Core store on SQLite or PostgreSQL,
/// tenants in the database, route and header tenancy, the outbox with the pickup-folder mail channel,
/// the API under <c>/t/{tenant}/api</c>), plus — in this host only, never in the library — the raw
/// baselines under <c>/raw/{t}</c>: one EF Core insert, one EF Core query by id and the same keyset
/// queue query written directly, with no CustomerCare code.
/// </summary>
/// <remarks>
/// Sign-in is a trivial header scheme (<c>Authorization: Bench tenant:user</c>) used by the CustomerCare
/// endpoints and the raw endpoints alike, so that neither side pays for token validation and the ratio
/// shows what CustomerCare adds. The sample host's Identity bearer tokens would add the same cost to both.
/// </remarks>
internal static class BenchHost
{
    public const string Scheme = "Bench";

    public static WebApplication Build(string provider, string connection, int port, string pickupFolder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port);
            o.AddServerHeader = false;
        });

        var trace = new CommandTrace();
        builder.Services.AddSingleton(trace);
        var clock = new SkippableClock();
        builder.Services.AddSingleton<TimeProvider>(clock);
        void Database(DbContextOptionsBuilder ef)
        {
            if (provider == "postgres") ef.UseNpgsql(connection);
            else ef.UseSqlite(connection);
            ef.AddInterceptors(trace.Interceptor, trace.Transactions);
        }

        builder.Services.AddCustomerCare(o =>
            {
                o.Tickets.ReopenWindow = TimeSpan.FromDays(14);
                o.Claims.RequireTenantClaim = true;
            })
            .UseEntityFrameworkCore(Database)
            .AddEntityFrameworkCoreTenantStore()
            .AddMultiTenancy(t => t.WithRouteStrategy("tenant").WithHeaderStrategy("X-Tenant"))
            .ConfigureHttp(o => o.RateLimits.Enabled = false)   // a load test would only measure 429s
            .AddPickupFolderNotifications(o => o.Folder = pickupFolder);
        // The raw baseline gets the Npgsql settings CustomerCare gives its own connection string (automatic preparation,
        // no reset on close), so the ratios compare the library's work, not the driver's settings.
        builder.Services.AddDbContext<RawDbContext>(ef =>
        {
            if (provider == "postgres")
                ef.UseNpgsql(new Npgsql.NpgsqlConnectionStringBuilder(connection) { MaxAutoPrepare = EntityFrameworkCoreStorageOptions.DefaultMaxAutoPrepare, NoResetOnClose = true }.ConnectionString);
            else ef.UseSqlite(connection);
            ef.AddInterceptors(trace.Interceptor, trace.Transactions);
        });
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, BenchAuthenticationHandler>(Scheme, null);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Headers.ContainsKey("X-Bench-Trace"))
            {
                await next(context);
                return;
            }
            trace.Begin();
            try { await next(context); }
            finally { trace.End(); }
        });
        app.UseRouting();
        app.UseCustomerCareTenancy();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGroup("/t/{tenant}/api").MapCustomerCare();
        RawEndpoints.Map(app.MapGroup("/raw/{t}").RequireAuthorization());
        app.MapGet("/bench/ready", () => TypedResults.Ok("ready"));
        app.MapGet("/bench/trace", (CommandTrace t) => TypedResults.Ok(t.Last));
        // Moves the clock past every cache's lifetime, so the next request of a caller is measured as a cold one.
        app.MapPost("/bench/expire-caches", () =>
        {
            clock.Skip(TimeSpan.FromHours(1));
            return TypedResults.NoContent();
        });
        return app;
    }
}

/// <summary>The system clock, which the harness can move forward (benchmark host only).</summary>
internal sealed class SkippableClock : TimeProvider
{
    private long _offsetTicks;

    public void Skip(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>Signs in whoever the <c>Authorization: Bench tenant:user</c> header names (benchmark host only).</summary>
internal sealed class BenchAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bench ", StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        var value = header.AsSpan(6);
        var colon = value.IndexOf(':');
        if (colon <= 0) return Task.FromResult(AuthenticateResult.Fail("Expected Bench tenant:user."));
        var tenant = value[..colon].ToString();
        var user = value[(colon + 1)..].ToString();
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user),
            new Claim(ClaimTypes.Name, user),
            new Claim(new ActorClaimOptions().TenantClaimType, tenant),
        ], BenchHost.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), BenchHost.Scheme)));
    }
}
