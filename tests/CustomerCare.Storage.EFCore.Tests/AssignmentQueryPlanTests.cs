using CustomerCare.Storage.EFCore.Assignment;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// The statements automatic assignment runs under the tenant's lock, on every create, read through indexes: their
/// cost must not grow with the other tenants' tickets. Checked on the database's own plan, after <c>ANALYZE</c>, with
/// one tenant holding many unassigned tickets (a manual-assignment tenant) next to an automatic one whose queue is empty.
/// </summary>
public abstract class AssignmentQueryPlanTests(DatabaseFixture db) : IAsyncLifetime
{
    private const int Tickets = 3000;

    protected DatabaseFixture Db { get; } = db;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether a plan line reads the whole tickets table.</summary>
    protected abstract bool ScansTickets(string plan);

    /// <summary>The provider's way to show a statement's plan.</summary>
    protected abstract string Explain(string statement);

    public ValueTask InitializeAsync()
    {
        if (Db.SkipReason is { } reason) Assert.Skip(reason);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_queue_check_under_the_lock_uses_an_index_when_other_tenants_have_many_unassigned_tickets()
    {
        var manual = $"m-{Guid.NewGuid():N}"[..20];
        var automatic = $"a-{Guid.NewGuid():N}"[..20];
        await Db.InTenantAsync(null, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            await SeedAsync(context, manual, status: 0, assignee: null);
            await SeedAsync(context, automatic, status: 1, assignee: "agent-1");
            await context.Database.ExecuteSqlRawAsync("ANALYZE", Ct);
        });

        var plan = await Db.InTenantAsync(automatic, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            var lines = new List<string>();
            await using var reader = await RawCommand.ExecuteReaderAsync(context, Explain(EfAssignmentStore.LoadsAndQueueSql), [automatic], Ct);
            while (await reader.DbDataReader.ReadAsync(Ct)) lines.Add(reader.DbDataReader.GetValue(reader.DbDataReader.FieldCount - 1).ToString()!);
            return lines;
        });

        Assert.DoesNotContain(plan, ScansTickets);
    }

    /// <summary><see cref="Tickets"/> tickets in one statement, numbered 1…n.</summary>
    private static Task SeedAsync(CustomerCareDbContext context, string tenant, int status, string? assignee)
    {
        var numbers = context.Database.IsNpgsql()
            ? $"generate_series(1, {Tickets}) AS n"
            : $"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {Tickets}) SELECT n FROM s)";
        var id = context.Database.IsNpgsql() ? "md5({0} || n)::uuid" : "lower(hex(randomblob(16)))";
        var now = context.Database.IsNpgsql() ? "now()" : "0";
        const string emptyJson = "'{{}}'"; // braces doubled: the SQL is a format string
        var sql =
            $"""
            INSERT INTO "cc_tickets" ("Id", "TenantId", "Number", "Reference", "Subject", "Description", "Status", "Priority",
                "CustomFields", "CustomerId", "CustomerName", "AssigneeId", "AssigneeName", "Channel", "CreatedAt", "UpdatedAt", "MessageCount", "Version")
            SELECT {id}, {"{0}"}, n, 'T-' || n, 'Subject', 'Description', {status}, 1, {emptyJson}, 'customer', 'Customer', {"{1}"}, {"{1}"}, 0, {now}, {now}, 0, 1
            FROM {numbers}
            """;
        return context.Database.ExecuteSqlRawAsync(sql, [tenant, assignee!], Ct);
    }
}

/// <summary>On PostgreSQL: no sequential scan of <c>cc_tickets</c> in the <c>EXPLAIN</c> output; the fixed statements are prepared.</summary>
public sealed class PostgreSqlAssignmentQueryPlanTests(PostgreSqlDatabaseFixture db)
    : AssignmentQueryPlanTests(db), IClassFixture<PostgreSqlDatabaseFixture>
{
    protected override bool ScansTickets(string plan) => plan.Contains("Seq Scan on cc_tickets", StringComparison.Ordinal);

    protected override string Explain(string statement) => "EXPLAIN (COSTS OFF) " + statement;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_assignment_lock_statements_are_prepared_on_the_connection_unless_turned_off(bool prepare)
    {
        // A pool of its own: Npgsql keeps prepared statements on pooled physical connections.
        var connectionString = await Db.InTenantAsync(null, sp => Task.FromResult(
            new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<CustomerCareDbContext>().Database.GetConnectionString()) { ApplicationName = $"prepare-{Guid.NewGuid():N}" }.ConnectionString));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(connectionString), o => o.PrepareStatements = prepare);
        await using var provider = services.BuildServiceProvider();
        var tenant = $"p-{Guid.NewGuid():N}"[..20];

        using var _ = provider.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>()
            .BeginScope(new CustomerCare.MultiTenancy.TenantContext(DatabaseFixture.Tenant(tenant)));
        await using var scope = provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>();
        await context.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var store = scope.ServiceProvider.GetRequiredService<CustomerCare.Assignment.IAssignmentStore>();
        for (var i = 0; i < 2; i++)
        {
            await using var session = await store.BeginForNewTicketAsync(TestContext.Current.CancellationToken);
        }

        var prepared = await context.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(prepare ? 3 : 0, prepared.Count(s => s.Contains("cc_assignment_state", StringComparison.Ordinal) || s.Contains("cc_ticket_counters", StringComparison.Ordinal)
            || s.Contains("cc_agent_loads", StringComparison.Ordinal)));
    }
    [Theory]
    [InlineData(null, true)]
    [InlineData(false, false)]
    public void The_connection_string_skips_the_reset_on_close_unless_the_host_sets_it(bool? host, bool expected)
    {
        var given = new Npgsql.NpgsqlConnectionStringBuilder("Host=127.0.0.1;Database=reset_check;Application Name=reset-check");
        if (host is { } value) given.NoResetOnClose = value;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(given.ConnectionString));
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var used = new Npgsql.NpgsqlConnectionStringBuilder(scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>().Database.GetConnectionString());

        Assert.Equal(expected, used.NoResetOnClose);
        Assert.Equal(EntityFrameworkCoreStorageOptions.DefaultMaxAutoPrepare, used.MaxAutoPrepare);
        Assert.Equal("reset-check", used.ApplicationName); // the host's other settings stay
    }

    [Theory]
    [InlineData(true, null, true)]
    [InlineData(false, null, false)]
    [InlineData(true, 0, false)]
    public async Task Statements_run_again_and_again_are_prepared_automatically_unless_turned_off_or_set_by_the_host(bool prepare, int? hostMaxAutoPrepare, bool expectPrepared)
    {
        var builder = await Db.InTenantAsync(null, sp => Task.FromResult(
            new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<CustomerCareDbContext>().Database.GetConnectionString()) { ApplicationName = $"auto-{Guid.NewGuid():N}" }));
        builder.Remove("Max Auto Prepare"); // the fixture's own context got the default
        if (hostMaxAutoPrepare is { } max) builder.MaxAutoPrepare = max;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(builder.ConnectionString), o => o.PrepareStatements = prepare);
        await using var provider = services.BuildServiceProvider();
        var tenant = $"q-{Guid.NewGuid():N}"[..20];

        using var _ = provider.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>()
            .BeginScope(new CustomerCare.MultiTenancy.TenantContext(DatabaseFixture.Tenant(tenant)));
        await using var scope = provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>();
        await context.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var tickets = scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.ITicketStore>();
        for (var i = 0; i < 10; i++) Assert.Null(await tickets.FindAsync(Guid.NewGuid(), TestContext.Current.CancellationToken));

        var prepared = await context.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(expectPrepared, prepared.Any(s => s.Contains("FROM cc_tickets", StringComparison.Ordinal) || s.Contains("FROM \"cc_tickets\"", StringComparison.Ordinal)));
    }
}

/// <summary>
/// On PostgreSQL, a ticket raised under automatic assignment with nothing queued is written by one command that also
/// commits the session (no separate <c>COMMIT</c> round trip), and that command is prepared unless turned off.
/// </summary>
public sealed class PostgreSqlAutomaticCreateCommandTests(PostgreSqlDatabaseFixture db) : IClassFixture<PostgreSqlDatabaseFixture>
{
    private sealed class Commits : Microsoft.EntityFrameworkCore.Diagnostics.DbTransactionInterceptor
    {
        public int Count;

        public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_new_tickets_command_commits_the_assignment_and_is_prepared_unless_turned_off(bool prepare)
    {
        if (db.SkipReason is { } reason) Assert.Skip(reason);
        var ct = TestContext.Current.CancellationToken;
        // A pool of its own: Npgsql keeps prepared statements on pooled physical connections.
        var connectionString = await db.InTenantAsync(null, sp => Task.FromResult(
            new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<CustomerCareDbContext>().Database.GetConnectionString()) { ApplicationName = $"create-{Guid.NewGuid():N}", MaxPoolSize = 1 }.ConnectionString));
        var commits = new Commits();
        var tenant = new CustomerCare.MultiTenancy.TenantInfo
        {
            Id = $"c-{Guid.NewGuid():N}"[..20], Identifier = $"c-{Guid.NewGuid():N}"[..20], Name = "Create",
            Settings = new CustomerCare.MultiTenancy.TenantSettings { TicketPrefix = "CR", AssignmentStrategy = CustomerCare.Assignment.RoundRobinAssignmentStrategy.StrategyName },
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(connectionString).AddInterceptors(commits), o => o.PrepareStatements = prepare).AddInMemoryTenants(tenant);
        await using var provider = services.BuildServiceProvider();
        using var _ = provider.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>().BeginScope(new CustomerCare.MultiTenancy.TenantContext(tenant));
        var customer = new CustomerCare.Actors.Actor(tenant.Id, "cust-1", CustomerCare.Actors.ActorRole.Customer, "Customer", "cust@example.test");
        await using (var scope = provider.CreateAsyncScope())
        {
            var staff = scope.ServiceProvider.GetRequiredService<CustomerCare.Staff.IStaffStore>();
            foreach (var id in new[] { "agent-1", "agent-2" })
                await staff.AddAsync(new CustomerCare.Staff.StaffMember { UserId = id, DisplayName = id, Email = $"{id}@example.test", Role = CustomerCare.Actors.ActorRole.Agent }, ct);
        }

        var assignees = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            await using var scope = provider.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.TicketManager>()
                .CreateAsync(customer, new CustomerCare.Tickets.CreateTicketRequest { Subject = $"Ticket {i}", Description = "Help." }, null, ct);
            assignees.Add(created.Value.AssigneeId);
        }

        Assert.Equal(["agent-1", "agent-2", "agent-1"], assignees);
        Assert.Equal(0, commits.Count);
        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<CustomerCareDbContext>();
            var prepared = await context.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync(ct);
            // Npgsql prepares each statement of the command on its own: the ticket's insert, the events' and the COMMIT. The first
            // create takes the lock (its insert commits the session); the next two are optimistic, one prepared statement of CTEs.
            Assert.Equal(prepare ? 2 : 0, prepared.Count(s => s.Contains("INSERT INTO \"cc_tickets\"", StringComparison.Ordinal)));
            Assert.Equal(prepare ? 1 : 0, prepared.Count(s => s.Trim() == "COMMIT"));
            Assert.Equal(3, await context.Tickets.CountAsync(t => t.AssigneeId != null, ct));
        }
    }
}

/// <summary>On SQLite: no <c>SCAN cc_tickets</c> in the <c>EXPLAIN QUERY PLAN</c> output.</summary>
public sealed class SqliteAssignmentQueryPlanTests(SqliteDatabaseFixture db)
    : AssignmentQueryPlanTests(db), IClassFixture<SqliteDatabaseFixture>
{
    protected override bool ScansTickets(string plan) => plan.StartsWith("SCAN cc_tickets", StringComparison.Ordinal);

    protected override string Explain(string statement) => "EXPLAIN QUERY PLAN " + statement;
}
