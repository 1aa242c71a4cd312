using System.Security.Claims;
using CustomerCare.Actors;
using CustomerCare.Caching;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CustomerCare.Tests.Caching;

/// <summary>
/// The tenant and caller caches (issue 6: a request must not look its tenant and caller up every time). Two host
/// instances are two service providers on one SQLite file with one fake clock: a change made through an instance is
/// seen there at once, and on the other instance once its entry has expired — never later.
/// </summary>
public sealed class CachingTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cc-cache-tests-{Guid.NewGuid():N}.db");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private ServiceProvider _a = null!;
    private ServiceProvider _b = null!;
    private readonly TenantInfo _tenant = new() { Id = "cache-bank", Identifier = "cache-bank", Name = "Cache Bank" };

    public async ValueTask InitializeAsync()
    {
        _a = Instance();
        _b = Instance();
        await _a.MigrateCustomerCareDatabaseAsync(Ct);
        await InScope(_a, sp => sp.GetRequiredService<ITenantStore>().AddAsync(_tenant, Ct));
        await InScope(_a, async sp =>
        {
            foreach (var (id, role) in new[] { ("admin-1", ActorRole.Admin), ("agent-1", ActorRole.Agent) })
                await sp.GetRequiredService<IStaffStore>().AddAsync(new StaffMember
                {
                    TenantId = _tenant.Id, UserId = id, DisplayName = id, Email = $"{id}@example.test", Role = role, CreatedAt = _time.GetUtcNow(),
                }, Ct);
        });
    }

    private ServiceProvider Instance()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddCustomerCare(o =>
        {
            o.Caching.TenantDuration = Duration;
            o.Caching.ActorDuration = Duration;
        }).UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={_path}")).AddEntityFrameworkCoreTenantStore();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }

    private async Task InScope(ServiceProvider instance, Func<IServiceProvider, Task> work)
    {
        await using var scope = instance.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(_tenant));
        await work(scope.ServiceProvider);
    }

    private async Task<T> InScope<T>(ServiceProvider instance, Func<IServiceProvider, Task<T>> work)
    {
        var result = default(T)!;
        await InScope(instance, async sp => { result = await work(sp); });
        return result;
    }

    private Task<Actor?> Resolve(ServiceProvider instance, string userId) => InScope(instance, sp =>
        sp.GetRequiredService<IActorResolver>().ResolveAsync(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Name, userId)], "test")),
            new TenantContext(_tenant), Ct));

    private Task<TenantInfo?> FindTenant(ServiceProvider instance)
        => InScope(instance, sp => sp.GetRequiredService<ITenantStore>().FindByIdentifierAsync("CACHE-BANK", Ct));

    private Task Suspend(ServiceProvider instance) => InScope(instance, async sp =>
    {
        var store = sp.GetRequiredService<ITenantStore>();
        var tenant = (await store.FindByIdAsync(_tenant.Id, Ct))!;
        tenant.Status = TenantStatus.Suspended;
        await store.UpdateAsync(tenant, Ct);
    });

    private Actor Admin => new(_tenant.Id, "admin-1", ActorRole.Admin, "admin-1", "admin-1@example.test");

    [Fact]
    public async Task A_suspended_tenant_is_seen_at_once_on_the_instance_that_suspended_it_and_within_the_duration_on_another()
    {
        Assert.Equal(TenantStatus.Active, (await FindTenant(_a))!.Status);
        Assert.Equal(TenantStatus.Active, (await FindTenant(_b))!.Status);

        await Suspend(_a);

        Assert.Equal(TenantStatus.Suspended, (await FindTenant(_a))!.Status);
        Assert.Equal(TenantStatus.Active, (await FindTenant(_b))!.Status); // cached on B: the documented bound
        _time.Advance(Duration);
        Assert.Equal(TenantStatus.Suspended, (await FindTenant(_b))!.Status);
    }

    [Fact]
    public async Task Every_caller_gets_its_own_tenant_so_changing_one_does_not_change_the_cached_copy()
    {
        var first = (await FindTenant(_a))!;
        first.Name = "changed in memory only";
        first.Settings.Categories.Add("billing");

        var second = (await FindTenant(_a))!;
        Assert.Equal("Cache Bank", second.Name);
        Assert.Empty(second.Settings.Categories);
    }

    [Fact]
    public async Task A_deactivated_agent_loses_staff_access_at_once_on_this_instance_and_within_the_duration_on_another()
    {
        Assert.Equal(ActorRole.Agent, (await Resolve(_a, "agent-1"))!.Role);
        Assert.Equal(ActorRole.Agent, (await Resolve(_b, "agent-1"))!.Role);

        await InScope(_a, sp => sp.GetRequiredService<StaffManager>().DeactivateAsync(Admin, "agent-1", Ct));

        Assert.Equal(ActorRole.Customer, (await Resolve(_a, "agent-1"))!.Role);
        Assert.Equal(ActorRole.Agent, (await Resolve(_b, "agent-1"))!.Role);
        _time.Advance(Duration);
        Assert.Equal(ActorRole.Customer, (await Resolve(_b, "agent-1"))!.Role);
    }

    [Fact]
    public async Task An_erased_customer_is_signed_out_at_once_on_this_instance_and_within_the_duration_on_another()
    {
        Assert.Equal(ActorRole.Customer, (await Resolve(_a, "customer-1"))!.Role);
        Assert.NotNull(await Resolve(_b, "customer-1"));

        await InScope(_a, sp => sp.GetRequiredService<CustomerManager>().EraseAsync(Admin, "customer-1", Ct));

        Assert.Null(await Resolve(_a, "customer-1"));
        Assert.NotNull(await Resolve(_b, "customer-1"));
        _time.Advance(Duration);
        Assert.Null(await Resolve(_b, "customer-1"));
    }

    [Fact]
    public async Task A_new_staff_member_who_called_before_as_a_customer_is_staff_at_once()
    {
        Assert.Equal(ActorRole.Customer, (await Resolve(_a, "new-agent@example.test"))!.Role);

        // The default provisioner uses the email as the user id.
        await InScope(_a, sp => sp.GetRequiredService<StaffManager>().AddAsync(Admin, new AddStaffRequest { Email = "new-agent@example.test", DisplayName = "New Agent" }, Ct));

        Assert.Equal(ActorRole.Agent, (await Resolve(_a, "new-agent@example.test"))!.Role);
    }

    [Fact]
    public async Task With_a_zero_duration_nothing_is_cached()
    {
        await using var uncached = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(_time)
            .AddCustomerCare(o =>
            {
                o.Caching.TenantDuration = TimeSpan.Zero;
                o.Caching.ActorDuration = TimeSpan.Zero;
            }).UseEntityFrameworkCore(ef => ef.UseSqlite($"Data Source={_path}")).AddEntityFrameworkCoreTenantStore().Services
            .BuildServiceProvider();
        Assert.Equal(ActorRole.Agent, (await Resolve(uncached, "agent-1"))!.Role);
        Assert.Equal(TenantStatus.Active, (await FindTenant(uncached))!.Status);

        await InScope(_a, sp => sp.GetRequiredService<StaffManager>().DeactivateAsync(Admin, "agent-1", Ct));
        await Suspend(_a);

        Assert.Equal(ActorRole.Customer, (await Resolve(uncached, "agent-1"))!.Role);
        Assert.Equal(TenantStatus.Suspended, (await FindTenant(uncached))!.Status);
    }

    [Fact]
    public void A_value_read_before_an_invalidation_is_not_cached_after_it()
    {
        var cache = new ExpiringCache<string, int>(_time, maxEntries: 10);
        var version = cache.Version; // a reader starts reading the source…
        cache.Remove("k");           // …the source changes and the entry is invalidated…
        cache.Set("k", 1, Duration, version); // …and the stale value the reader got is dropped.
        Assert.False(cache.TryGet("k", out _));

        cache.Set("k", 2, Duration, cache.Version);
        Assert.True(cache.TryGet("k", out var value));
        Assert.Equal(2, value);
    }

    [Fact]
    public void Entries_expire_and_the_cache_stays_within_its_size()
    {
        var cache = new ExpiringCache<int, int>(_time, maxEntries: 3);
        for (var i = 0; i < 3; i++) cache.Set(i, i, Duration, cache.Version);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(cache.TryGet(0, out _));
        cache.Set(3, 3, Duration, cache.Version); // full of live entries: starts over
        Assert.True(cache.Count <= 3);
        Assert.True(cache.TryGet(3, out _));

        _time.Advance(Duration);
        Assert.False(cache.TryGet(3, out _));
        for (var i = 10; i < 100; i++) cache.Set(i, i, Duration, cache.Version);
        Assert.True(cache.Count <= 3);
    }

    [Fact]
    public async Task Caching_durations_out_of_range_fail_on_start()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddCustomerCare(o => o.Caching.ActorDuration = TimeSpan.FromSeconds(-1)).Services
            .BuildServiceProvider();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CustomerCareOptions>>().Value);
        Assert.Contains("Caching.ActorDuration", error.Message);
    }
}
