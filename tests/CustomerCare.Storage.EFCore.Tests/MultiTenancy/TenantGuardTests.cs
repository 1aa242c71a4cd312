using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests.MultiTenancy;

/// <summary>
/// DESIGN.md §4: the context's named query filter <c>"__tenant__"</c> hides other tenants' rows, and
/// <c>SaveChanges</c> stamps added rows with the current tenant and refuses any write without a
/// tenant or to another tenant's rows.
/// </summary>
public abstract class TenantGuardTests(DatabaseFixture db) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        if (db.SkipReason is { } reason) Assert.Skip(reason);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private static string NewTenant() => $"t-{Guid.NewGuid():N}"[..20];

    private IDisposable Use(string? tenant)
        => db.Services.GetRequiredService<ITenantContextSetter>().BeginScope(tenant is null ? null : new TenantContext(DatabaseFixture.Tenant(tenant)));

    private static StaffMember Member(string tenant, string userId = "agent-1", string name = "Agent")
        => new() { TenantId = tenant, UserId = userId, Email = $"{userId}@example.test", DisplayName = name, CreatedAt = DateTimeOffset.UnixEpoch };

    private Task<StaffMember?> FindMember(string tenant, string userId = "agent-1")
        => db.InTenantAsync(tenant, sp => sp.GetRequiredService<IStaffStore>().FindAsync(userId, Ct));

    private Task SeedMember(string tenant, string userId = "agent-1", string name = "Agent")
        => db.InTenantAsync(tenant, sp => sp.GetRequiredService<IStaffStore>().AddAsync(Member(tenant, userId, name), Ct));

    [Fact]
    public async Task Saving_without_a_current_tenant_throws()
    {
        var tenant = NewTenant();

        await db.InTenantAsync(null, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            context.Staff.Add(Member(tenant));

            await Assert.ThrowsAsync<TenantMismatchException>(() => context.SaveChangesAsync(Ct));
            Assert.Throws<TenantMismatchException>(() => context.SaveChanges());
        });

        Assert.Null(await FindMember(tenant));
    }

    [Fact]
    public async Task Adding_a_row_of_another_tenant_throws()
    {
        var acme = NewTenant();
        var globex = NewTenant();

        await db.InTenantAsync(globex, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            context.Staff.Add(Member(acme));
            await Assert.ThrowsAsync<TenantMismatchException>(() => context.SaveChangesAsync(Ct));
            context.ChangeTracker.Clear();

            context.Customers.Add(new CustomerProfile { TenantId = acme, UserId = "cust-1", DisplayName = "Carol" });
            await Assert.ThrowsAsync<TenantMismatchException>(() => context.SaveChangesAsync(Ct));
        });

        Assert.Null(await FindMember(acme));
        Assert.Null(await FindMember(globex));
        Assert.Null(await db.InTenantAsync(acme, sp => sp.GetRequiredService<ICustomerStore>().FindAsync("cust-1", Ct)));
    }

    [Fact]
    public async Task Modifying_a_row_loaded_under_one_tenant_while_another_is_current_throws()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await SeedMember(acme, name: "Original");

        await db.InTenantAsync(null, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            StaffMember member;
            using (Use(acme)) member = await context.Staff.SingleAsync(s => s.UserId == "agent-1", Ct);

            using (Use(globex))
            {
                member.DisplayName = "Hijacked";
                await Assert.ThrowsAsync<TenantMismatchException>(() => context.SaveChangesAsync(Ct));
            }
        });

        Assert.Equal("Original", (await FindMember(acme))!.DisplayName);
    }

    [Fact]
    public async Task Deleting_a_row_loaded_under_one_tenant_while_another_is_current_throws()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await SeedMember(acme);

        await db.InTenantAsync(null, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            StaffMember member;
            using (Use(acme)) member = await context.Staff.SingleAsync(s => s.UserId == "agent-1", Ct);

            using (Use(globex))
            {
                context.Staff.Remove(member);
                await Assert.ThrowsAsync<TenantMismatchException>(() => context.SaveChangesAsync(Ct));
            }
        });

        Assert.NotNull(await FindMember(acme));
    }

    [Fact]
    public async Task Modifying_a_row_under_its_own_tenant_is_saved()
    {
        var acme = NewTenant();
        await SeedMember(acme, name: "Original");

        await db.InTenantAsync(acme, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            var member = await context.Staff.SingleAsync(s => s.UserId == "agent-1", Ct);
            member.DisplayName = "Renamed";
            await context.SaveChangesAsync(Ct);
        });

        Assert.Equal("Renamed", (await FindMember(acme))!.DisplayName);
    }

    [Fact]
    public async Task Added_rows_without_a_tenant_are_stamped_with_the_current_tenant()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        var member = Member("");
        var profile = new CustomerProfile { UserId = "cust-1", DisplayName = "Carol" };

        await db.InTenantAsync(acme, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            context.Staff.Add(member);
            context.Customers.Add(profile);
            await context.SaveChangesAsync(Ct);
        });

        Assert.Equal(acme, member.TenantId);
        Assert.Equal(acme, profile.TenantId);
        Assert.Equal(acme, (await FindMember(acme))!.TenantId);
        Assert.NotNull(await db.InTenantAsync(acme, sp => sp.GetRequiredService<ICustomerStore>().FindAsync("cust-1", Ct)));
        Assert.Null(await FindMember(globex));
    }

    [Fact]
    public async Task Queries_under_another_tenant_never_return_a_tenants_rows()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await SeedEverythingAsync(acme);

        var underAcme = await db.InTenantAsync(acme, sp => CountAll(sp.GetRequiredService<CustomerCareDbContext>(), ignoreFilterFor: null));
        var underGlobex = await db.InTenantAsync(globex, sp => CountAll(sp.GetRequiredService<CustomerCareDbContext>(), ignoreFilterFor: null));
        var withoutTenant = await db.InTenantAsync(null, sp => CountAll(sp.GetRequiredService<CustomerCareDbContext>(), ignoreFilterFor: null));
        var filterIgnored = await db.InTenantAsync(globex, sp => CountAll(sp.GetRequiredService<CustomerCareDbContext>(), ignoreFilterFor: acme));

        Assert.All(underAcme, c => Assert.True(c.Value > 0, $"{c.Key} has no rows under its own tenant"));
        Assert.All(underGlobex, c => Assert.True(c.Value == 0, $"{c.Key} leaks {c.Value} rows to another tenant"));
        Assert.All(withoutTenant, c => Assert.True(c.Value == 0, $"{c.Key} returns {c.Value} rows without a tenant"));
        // Only the named filter hides them: ignoring "__tenant__" shows the rows again.
        Assert.Equal(underAcme, filterIgnored);
    }

    [Fact]
    public async Task Bulk_updates_under_another_tenant_touch_no_rows_of_a_tenant()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await SeedEverythingAsync(acme);

        var updated = await db.InTenantAsync(globex, sp => sp.GetRequiredService<CustomerCareDbContext>().Tickets
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Subject, "Hijacked"), Ct));

        Assert.Equal(0, updated);
        var subjects = await db.InTenantAsync(acme, async sp => await sp.GetRequiredService<CustomerCareDbContext>().Tickets.Select(t => t.Subject).ToListAsync(Ct));
        Assert.Equal(["Bill is wrong"], subjects);
    }

    private async Task SeedEverythingAsync(string tenant)
    {
        await SeedMember(tenant);
        await db.InTenantAsync(tenant, async sp =>
        {
            await sp.GetRequiredService<ICustomerStore>().AddIfMissingAsync(new CustomerProfile { TenantId = tenant, UserId = "cust-1", DisplayName = "Carol" }, Ct);
            var ticket = new Ticket { Id = Guid.CreateVersion7(), TenantId = tenant, Subject = "Bill is wrong", Description = "Twice", CustomerId = "cust-1", CustomerName = "Carol", Version = 1 };
            var message = new TicketMessage { Id = Guid.CreateVersion7(), TenantId = tenant, TicketId = ticket.Id, Sequence = 1, AuthorId = "cust-1", AuthorName = "Carol", Body = "Hi" };
            ticket.MessageCount = 1;
            var changes = new TicketChangeSet
            {
                Ticket = ticket,
                IsNew = true,
                ReferencePrefix = "T",
                Message = message,
                Idempotency = new IdempotencyRecord { TenantId = tenant, UserId = "cust-1", Key = "k", RequestHash = "h", TicketId = ticket.Id },
            };
            changes.Events.Add(new TicketEvent { Id = Guid.CreateVersion7(), TenantId = tenant, TicketId = ticket.Id, Kind = TicketEventKind.Created, ActorId = "cust-1" });
            await sp.GetRequiredService<ITicketStore>().SaveAsync(changes, Ct);
        });
    }

    private static async Task<Dictionary<string, int>> CountAll(CustomerCareDbContext context, string? ignoreFilterFor)
    {
        IQueryable<T> Q<T>(IQueryable<T> set) where T : class
            => ignoreFilterFor is null
                ? set
                : set.IgnoreQueryFilters([CustomerCareDbContext.TenantFilter]).Where(e => EF.Property<string>(e, "TenantId") == ignoreFilterFor);

        return new Dictionary<string, int>
        {
            ["tickets"] = await Q(context.Tickets).CountAsync(Ct),
            ["messages"] = await Q(context.Messages).CountAsync(Ct),
            ["events"] = await Q(context.TicketEvents).CountAsync(Ct),
            ["counters"] = await Q(context.TicketCounters).CountAsync(Ct),
            ["idempotency"] = await Q(context.IdempotencyRecords).CountAsync(Ct),
            ["staff"] = await Q(context.Staff).CountAsync(Ct),
            ["customers"] = await Q(context.Customers).CountAsync(Ct),
        };
    }
}

/// <summary>The tenant guard on SQLite.</summary>
public sealed class SqliteTenantGuardTests(SqliteDatabaseFixture db) : TenantGuardTests(db), IClassFixture<SqliteDatabaseFixture>;

/// <summary>The tenant guard on PostgreSQL (skips when <c>CUSTOMERCARE_TEST_POSTGRES</c> is not set).</summary>
public sealed class PostgreSqlTenantGuardTests(PostgreSqlDatabaseFixture db) : TenantGuardTests(db), IClassFixture<PostgreSqlDatabaseFixture>;
