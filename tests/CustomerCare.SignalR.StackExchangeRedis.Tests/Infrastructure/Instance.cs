using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests.Infrastructure;

/// <summary>
/// One host instance as a bank would run several: Kestrel on 127.0.0.1 (free port), PostgreSQL, the
/// HTTP API at <c>/t/{tenant}/api</c>, the hub at <c>/t/{tenant}/hub</c>, scaled out on Redis.
/// </summary>
public sealed class Instance : IAsyncDisposable
{
    public const string Tenant = "bank";
    public const string Admin = "bank-admin";
    public const string Agent = "bank-agent-1";

    private Instance(string name, WebApplication app, ConcurrentQueue<string> log)
    {
        Name = name;
        App = app;
        Log = log;
    }

    public string Name { get; }

    public WebApplication App { get; }

    /// <summary>Warnings and errors the instance logged.</summary>
    public ConcurrentQueue<string> Log { get; }

    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static TenantInfo CreateTenant() => new()
    {
        Id = Tenant,
        Identifier = Tenant,
        Name = "Acme Bank",
        Settings = new TenantSettings { TicketPrefix = "BANK", AgentsSeeUnassigned = true },
    };

    public static async Task<Instance> StartAsync(string name, string postgres, string redis, string channelPrefix, CancellationToken cancellationToken, TimeSpan? presenceInstanceTimeout = null)
    {
        var log = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new Collector(name, log));
        builder.Services.AddAuthentication(HeaderAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthHandler>(HeaderAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddCustomerCare()
            .UseEntityFrameworkCore(ef => ef.UseNpgsql(postgres))
            .AddInMemoryTenants(CreateTenant())
            .AddMultiTenancy(t => t.WithRouteStrategy("tenant"))
            .ConfigureHttp(o => o.RateLimits.Enabled = false)
            .AddRealtime(o => o.PresenceOfflineDelay = TimeSpan.Zero)
            .AddRedisScaleOut(redis, o =>
            {
                o.ChannelPrefix = channelPrefix;
                o.ResyncDelay = TimeSpan.FromMilliseconds(200);
                if (presenceInstanceTimeout is { } timeout) o.PresenceInstanceTimeout = timeout;
            });

        var app = builder.Build();
        app.UseCustomerCareTenancy();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/t/{tenant}/api").MapCustomerCare();
        app.MapGroup("/t/{tenant}").MapCustomerCareHub("/hub");

        await app.Services.MigrateCustomerCareDatabaseAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        return new Instance(name, app, log);
    }

    /// <summary>Adds the bank's admin and agent to the staff directory, as a host's seed would.</summary>
    public async Task SeedStaffAsync(CancellationToken cancellationToken)
    {
        using var _ = App.Services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(CreateTenant()));
        await using var scope = App.Services.CreateAsyncScope();
        var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
        foreach (var (id, name, role) in new[] { (Admin, "Bank Admin", ActorRole.Admin), (Agent, "Bank Agent One", ActorRole.Agent) })
        {
            await staff.AddAsync(new StaffMember
            {
                UserId = id,
                DisplayName = name,
                Email = id + "@staff.example.test",
                Role = role,
                IsActive = true,
                CreatedAt = DateTimeOffset.UtcNow,
            }, cancellationToken);
        }
    }

    /// <summary>An HTTP client of <paramref name="user"/> on this instance's API.</summary>
    public HttpClient Http(string user)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseAddress, $"/t/{Tenant}/api/") };
        http.DefaultRequestHeaders.Add(HeaderAuthHandler.UserHeader, user);
        http.DefaultRequestHeaders.Add(HeaderAuthHandler.TenantHeader, Tenant);
        return http;
    }

    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> PostAsync(HttpClient http, string path, object? body, HttpStatusCode status, CancellationToken cancellationToken)
        => await ExpectAsync(await http.PostAsJsonAsync(path, body, cancellationToken), status, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync(CancellationToken.None);
        }
        finally
        {
            await App.DisposeAsync();
        }
    }

    private sealed class Collector(string instance, ConcurrentQueue<string> queue) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(instance, categoryName, queue);

        public void Dispose() { }

        private sealed class Logger(string instance, string category, ConcurrentQueue<string> queue) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) queue.Enqueue($"[{instance} {logLevel} {category}] {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
            }
        }
    }
}
