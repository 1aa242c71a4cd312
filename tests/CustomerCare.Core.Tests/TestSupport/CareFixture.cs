using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CustomerCare.Tests.TestSupport;

/// <summary>
/// CustomerCare wired as a host wires it, on the real EF Core SQLite store: a temp-file database,
/// migrated with the package's migrations, and a fake clock. One per test class; every test makes
/// its own tenant (<see cref="CreateDeskAsync"/>), so tests of a class never see each other's data.
/// </summary>
public class CareFixture : IAsyncLifetime
{
    /// <summary>Start of the fake clock. Every read of the clock advances it by a millisecond, so events keep their order.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cc-core-tests-{Guid.NewGuid():N}.db");
    private ServiceProvider? _services;

    public FakeTimeProvider Time { get; } = new(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async ValueTask InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        Configure(services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={_path}")));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await _services.MigrateCustomerCareDatabaseAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Lets a derived fixture add channels or change options.</summary>
    protected virtual void Configure(CustomerCareBuilder builder)
    {
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_services is not null) await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }

    /// <summary>Creates a tenant with an admin, two agents and two customers (staff are in the staff store).</summary>
    public async Task<Desk> CreateDeskAsync(Action<TenantSettings>? configure = null)
    {
        var id = $"t-{Guid.NewGuid():N}"[..20];
        var tenant = new TenantInfo { Id = id, Identifier = id, Name = $"Tenant {id}", Settings = new TenantSettings { TicketPrefix = "ACME" } };
        configure?.Invoke(tenant.Settings);
        var desk = new Desk(this, tenant);
        await desk.RunAsync(async sp =>
        {
            await sp.GetRequiredService<ITenantStore>().AddAsync(tenant, CancellationToken.None);
            var staff = sp.GetRequiredService<IStaffStore>();
            foreach (var member in new[] { desk.Admin, desk.Agent, desk.Agent2 })
            {
                await staff.AddAsync(new StaffMember
                {
                    TenantId = id,
                    UserId = member.UserId,
                    DisplayName = member.DisplayName,
                    Email = member.Email!,
                    Role = member.Role,
                    CreatedAt = Time.GetUtcNow(),
                }, CancellationToken.None);
            }
            return 0;
        });
        return desk;
    }
}

/// <summary>One tenant of the fixture with its people, and helpers to call CustomerCare as that tenant.</summary>
public sealed class Desk(CareFixture fixture, TenantInfo tenant)
{
    public TenantInfo Tenant { get; } = tenant;
    public CareFixture Fixture { get; } = fixture;

    public Actor Admin { get; } = new(tenant.Id, "admin-1", ActorRole.Admin, "Ada Admin", "ada@example.test");
    public Actor Agent { get; } = new(tenant.Id, "agent-1", ActorRole.Agent, "Alan Agent", "alan@example.test");
    public Actor Agent2 { get; } = new(tenant.Id, "agent-2", ActorRole.Agent, "Grace Agent", "grace@example.test");
    public Actor Customer { get; } = new(tenant.Id, "customer-1", ActorRole.Customer, "Carol Customer", "carol@example.test");
    public Actor Customer2 { get; } = new(tenant.Id, "customer-2", ActorRole.Customer, "Dave Customer", "dave@example.test");

    /// <summary>Runs <paramref name="work"/> in a fresh DI scope with this tenant current, as one request would.</summary>
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        using var tenantScope = Fixture.Services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(Tenant));
        await using var scope = Fixture.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task RunAsync(Func<IServiceProvider, Task> work) => RunAsync(async sp => { await work(sp); return 0; });

    public Task<T> Tickets<T>(Func<TicketManager, Task<T>> work)
        => RunAsync(sp => work(sp.GetRequiredService<TicketManager>()));

    public Task Tickets(Func<TicketManager, Task> work)
        => RunAsync(sp => work(sp.GetRequiredService<TicketManager>()));

    public Task<T> Staff<T>(Func<StaffManager, Task<T>> work)
        => RunAsync(sp => work(sp.GetRequiredService<StaffManager>()));

    public Task<T> Customers<T>(Func<CustomerManager, Task<T>> work)
        => RunAsync(sp => work(sp.GetRequiredService<CustomerManager>()));
}
