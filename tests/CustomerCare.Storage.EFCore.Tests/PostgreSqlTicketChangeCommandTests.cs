using CustomerCare.Storage.EFCore.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// On PostgreSQL a change of an existing ticket (here chat messages and a status change through <c>TicketManager</c>) is
/// one statement without a transaction: the read, then one command that writes it all or nothing. The store conformance
/// tests check what it writes and that a stale version, a concurrent message or a reused idempotency key writes nothing.
/// </summary>
public sealed class PostgreSqlTicketChangeCommandTests(PostgreSqlDatabaseFixture db) : IClassFixture<PostgreSqlDatabaseFixture>
{
    private sealed class Counter : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public int Commands;
        public int Transactions;

        public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData,
            InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Commands);
            return ValueTask.FromResult(result);
        }

        public ValueTask<System.Data.Common.DbTransaction> TransactionStartedAsync(System.Data.Common.DbConnection connection, TransactionEndEventData eventData,
            System.Data.Common.DbTransaction result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Transactions);
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task A_message_or_a_status_change_is_one_command_without_a_transaction()
    {
        if (db.SkipReason is { } reason) Assert.Skip(reason);
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await db.InTenantAsync(null, sp => Task.FromResult(sp.GetRequiredService<CustomerCareDbContext>().Database.GetConnectionString()!));
        var counter = new Counter();
        var tenant = new CustomerCare.MultiTenancy.TenantInfo { Id = $"m-{Guid.NewGuid():N}"[..20], Identifier = $"m-{Guid.NewGuid():N}"[..20], Name = "Messages" };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseNpgsql(connectionString).AddInterceptors(counter)).AddInMemoryTenants(tenant);
        await using var provider = services.BuildServiceProvider();
        using var _ = provider.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>().BeginScope(new CustomerCare.MultiTenancy.TenantContext(tenant));
        var customer = new CustomerCare.Actors.Actor(tenant.Id, "cust-1", CustomerCare.Actors.ActorRole.Customer, "Customer", "cust@example.test");
        Guid ticketId;
        await using (var scope = provider.CreateAsyncScope())
        {
            ticketId = (await scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.TicketManager>()
                .CreateAsync(customer, new CustomerCare.Tickets.CreateTicketRequest { Subject = "Card blocked", Description = "Help." }, null, ct)).Value.Id;
        }

        for (var i = 1; i <= 3; i++)
        {
            await using var scope = provider.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.TicketManager>();
            (counter.Commands, counter.Transactions) = (0, 0);
            var message = await manager.PostMessageAsync(customer, ticketId, new CustomerCare.Tickets.PostMessageRequest { Body = $"Message {i}" }, $"key-{i}", ct);

            Assert.Equal(i, message.Value.Sequence);
            // Idempotency key lookup, the ticket's read, the change.
            Assert.Equal((3, 0), (counter.Commands, counter.Transactions));
        }
        await using (var scope = provider.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.TicketManager>();
            (counter.Commands, counter.Transactions) = (0, 0);
            var closed = await manager.CloseAsync(customer, ticketId, null, ct);

            Assert.Equal(CustomerCare.Tickets.TicketStatus.Closed, closed.Status);
            Assert.Equal((2, 0), (counter.Commands, counter.Transactions));
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<CustomerCare.Tickets.TicketManager>();
            var ticket = await manager.GetAsync(customer, ticketId, ct);
            Assert.Equal((3, 5), (ticket.MessageCount, ticket.Version));
            Assert.Equal(["Message 1", "Message 2", "Message 3"], (await manager.GetMessagesAsync(customer, ticketId, null, null, ct)).Select(m => m.Body));
            var events = await manager.GetEventsAsync(customer, ticketId, ct);
            Assert.Equal(5, events.Count); // created, three messages, closed
            var replay = await manager.PostMessageAsync(customer, ticketId, new CustomerCare.Tickets.PostMessageRequest { Body = "Message 2" }, "key-2", ct);
            Assert.True(replay.Replayed);
            Assert.Equal(2, replay.Value.Sequence);
        }
    }
}
