using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>The store conformance tests on SQLite: a temp-file database migrated with the SQLite migrations.</summary>
public sealed class SqliteStoreConformanceTests(SqliteDatabaseFixture db)
    : StoreConformanceTests(db), IClassFixture<SqliteDatabaseFixture>
{
    private SqliteWriteGate Gate => Db.Services.GetRequiredService<SqliteWriteGate>();

    [Fact]
    public async Task Concurrent_writers_take_turns_in_the_write_gate_and_every_one_commits()
    {
        var tenant = NewTenant();
        var tickets = Enumerable.Range(0, 24).Select(i => NewTicket(tenant, subject: $"Ticket {i}")).ToList();

        await Task.WhenAll(tickets.Select(t => Task.Run(() => SaveNewAsync(t), Ct)));

        var numbers = await Tickets(tenant, async s => (await s.QueryAsync(new CustomerCare.Tickets.TicketQuery { Limit = 100 }, Ct)).Select(t => t.Number).ToList());
        Assert.Equal(24, numbers.Distinct().Count());
        Assert.False(Gate.IsHeld);
    }

    [Fact]
    public async Task A_transaction_that_fails_gives_the_gate_back()
    {
        var tenant = NewTenant();
        var member = new StaffMember { TenantId = tenant, UserId = "agent-1", DisplayName = "A", Email = "a@example.test", Role = ActorRole.Agent, CreatedAt = T0 };
        await Staff(tenant, async s => { await s.AddAsync(member, [], Ct); return 0; });

        await Assert.ThrowsAsync<ConflictException>(() => Staff(tenant, async s => { await s.AddAsync(member, [], Ct); return 0; }));

        Assert.False(Gate.IsHeld);
    }

    [Fact]
    public async Task A_transaction_disposed_without_commit_or_rollback_gives_the_gate_back_when_its_connection_closes()
    {
        await Db.InTenantAsync(NewTenant(), async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            await using (await context.Database.BeginTransactionAsync(Ct))
                Assert.True(Gate.IsHeld);
            Assert.False(Gate.IsHeld);
            return 0;
        });
    }

    [Fact]
    public async Task Every_connection_waits_for_the_write_lock_instead_of_failing_at_once()
    {
        await Db.InTenantAsync(NewTenant(), async sp =>
        {
            var connection = (SqliteConnection)sp.GetRequiredService<CustomerCareDbContext>().Database.GetDbConnection();
            await sp.GetRequiredService<CustomerCareDbContext>().Database.OpenConnectionAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal(connection.DefaultTimeout * 1000L, (long)(await command.ExecuteScalarAsync(Ct))!);
            return 0;
        });
    }
}
