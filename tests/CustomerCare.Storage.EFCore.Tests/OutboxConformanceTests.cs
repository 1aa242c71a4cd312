using CustomerCare.Errors;
using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// The outbox on every provider: notifications are saved in the change's transaction (a failed change
/// leaves none), new tickets' notifications get the reference, pending rows of one coalesce key merge,
/// and concurrent dispatchers never claim the same row.
/// </summary>
public abstract class OutboxConformanceTests(DatabaseFixture db) : IAsyncLifetime
{
    protected DatabaseFixture Db { get; } = db;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 30, 15, 250, TimeSpan.Zero);

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

    private static string NewTenant() => $"t-{Guid.NewGuid():N}"[..20];

    private Task<T> Tickets<T>(string tenant, Func<ITicketStore, Task<T>> work) => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<ITicketStore>()));

    private Task Tickets(string tenant, Func<ITicketStore, Task> work) => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<ITicketStore>()));

    private static Ticket NewTicket(string tenant) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenant,
        Subject = "Bill is wrong",
        Description = "I was charged twice.",
        CustomerId = "cust-1",
        CustomerName = "Carol",
        CreatedAt = T0,
        UpdatedAt = T0,
        Version = 1,
    };

    private static TicketEvent NewEvent(Ticket ticket, TicketEventKind kind, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = ticket.TenantId,
        TicketId = ticket.Id,
        Kind = kind,
        ActorId = "cust-1",
        CreatedAt = at,
    };

    private async Task<Ticket> SaveNewAsync(Ticket ticket)
    {
        var changes = new TicketChangeSet { Ticket = ticket, IsNew = true, ReferencePrefix = "ACME" };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Created, ticket.CreatedAt));
        await Tickets(ticket.TenantId, s => s.SaveAsync(changes, Ct));
        return ticket;
    }

    private async Task AddMessageAsync(Ticket ticket, string body) => await Tickets(ticket.TenantId, s => s.SaveAsync(NextMessage(ticket, body), Ct));

    private static TicketChangeSet NextMessage(Ticket ticket, string body, string? key = null)
    {
        var expected = ticket.Version;
        ticket.MessageCount++;
        ticket.Version = expected + 1;
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TenantId = ticket.TenantId,
            TicketId = ticket.Id,
            Sequence = ticket.MessageCount,
            AuthorId = "cust-1",
            AuthorName = "Carol",
            Body = body,
            CreatedAt = T0,
        };
        var idempotency = key is null ? null : new IdempotencyRecord
        {
            TenantId = ticket.TenantId, UserId = "cust-1", Key = key, RequestHash = "h", TicketId = ticket.Id, MessageId = message.Id, CreatedAt = T0,
        };
        var changes = new TicketChangeSet { Ticket = ticket, ExpectedVersion = expected, Message = message, Idempotency = idempotency };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.MessagePosted, T0));
        return changes;
    }

    private static OutboxNotification Row(string tenant, Ticket? ticket = null, string? coalesceKey = null, string body = "Hello", DateTimeOffset? due = null, string address = "carol@example.test") => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenant,
        Kind = NotificationKind.MessagePosted,
        Channel = "email",
        RecipientUserId = "cust-1",
        RecipientAddress = address,
        RecipientName = "Carol",
        TicketId = ticket?.Id,
        TicketReference = ticket?.Reference is { Length: > 0 } r ? r : null,
        DataJson = new NotificationData { Messages = [new NotificationDataMessage("Alan", body)] }.ToJson(),
        CoalesceKey = coalesceKey,
        Status = NotificationStatus.Pending,
        NextAttemptAt = due ?? T0,
        CreatedAt = T0,
    };

    private Task<List<OutboxNotification>> OutboxAsync(string tenant)
        => Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().Set<OutboxNotification>().AsNoTracking()
            .OrderBy(n => n.Id).ToListAsync(Ct));

    [Fact]
    public async Task Notifications_of_a_new_ticket_are_saved_with_it_and_carry_its_reference()
    {
        var tenant = NewTenant();
        var ticket = NewTicket(tenant);
        var changes = new TicketChangeSet { Ticket = ticket, IsNew = true, ReferencePrefix = "BANK" };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Created, T0));
        changes.Notifications.Add(Row(tenant) is var r ? WithTicket(r, ticket) : null!);

        await Tickets(tenant, s => s.SaveAsync(changes, Ct));

        var row = Assert.Single(await OutboxAsync(tenant));
        Assert.Equal("BANK-1001", row.TicketReference);
        Assert.Equal(ticket.Id, row.TicketId);
        Assert.Equal(tenant, row.TenantId);
    }

    private static OutboxNotification WithTicket(OutboxNotification row, Ticket ticket)
    {
        row.TicketId = ticket.Id;
        return row;
    }

    [Fact]
    public async Task A_change_that_fails_saves_none_of_its_notifications()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));

        // A stale version: the ticket moved on; the whole change, notifications included, is refused.
        var stale = NextMessage(ticket, "First");
        stale.Notifications.Add(Row(tenant, ticket, body: "stale"));
        var staleExpected = stale.ExpectedVersion;
        await AddMessageAsync(await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException(), "Someone else");
        var conflicting = new TicketChangeSet { Ticket = stale.Ticket, ExpectedVersion = staleExpected, Message = stale.Message };
        conflicting.Notifications.Add(Row(tenant, ticket, body: "stale"));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Tickets(tenant, s => s.SaveAsync(conflicting, Ct)));

        // A duplicate request key: refused after the ticket update, still nothing of it is kept.
        var current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var first = NextMessage(current, "Keyed", key: "k-1");
        await Tickets(tenant, s => s.SaveAsync(first, Ct));
        current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var duplicate = NextMessage(current, "Keyed again", key: "k-1");
        duplicate.Notifications.Add(Row(tenant, ticket, body: "duplicate"));
        await Assert.ThrowsAsync<DuplicateRequestException>(() => Tickets(tenant, s => s.SaveAsync(duplicate, Ct)));

        Assert.Empty(await OutboxAsync(tenant));

        // The same kind of change that succeeds keeps its notification.
        current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var good = NextMessage(current, "Fine");
        good.Notifications.Add(Row(tenant, ticket, body: "kept"));
        await Tickets(tenant, s => s.SaveAsync(good, Ct));
        Assert.Contains("kept", Assert.Single(await OutboxAsync(tenant)).DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pending_rows_of_one_coalesce_key_merge_until_a_dispatcher_claims_them()
    {
        var tenant = NewTenant();
        await Db.InTenantAsync(tenant, async sp =>
        {
            var store = sp.GetRequiredService<INotificationStore>();
            await store.EnqueueAsync([Row(tenant, coalesceKey: "k", body: "one")], Ct);
            await store.EnqueueAsync([Row(tenant, coalesceKey: "k", body: "two")], Ct);
            await store.EnqueueAsync([Row(tenant, coalesceKey: "other", body: "three")], Ct);
        });
        var rows = await OutboxAsync(tenant);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["one", "two"], rows.Single(r => r.CoalesceKey == "k").ReadData().Messages!.Select(m => m.Body));

        var claimed = await Db.InTenantAsync(null, sp => sp.GetRequiredService<INotificationQueue>().ClaimDueAsync("d1", 1000, T0.AddYears(1), T0.AddYears(1).AddMinutes(1), Ct));
        Assert.Contains(claimed, c => c.CoalesceKey == "k" && c.Status == NotificationStatus.Sending && c.Attempts == 1 && c.ClaimedBy == "d1");
        await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().EnqueueAsync([Row(tenant, coalesceKey: "k", body: "four")], Ct));

        rows = await OutboxAsync(tenant);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["four"], rows.Single(r => r.CoalesceKey == "k" && r.Status == NotificationStatus.Pending).ReadData().Messages!.Select(m => m.Body));
    }

    [Fact]
    public async Task Concurrent_dispatchers_never_claim_the_same_row_and_only_due_rows_are_claimed()
    {
        var tenants = new[] { NewTenant(), NewTenant() };
        var now = T0.AddYears(2);
        foreach (var tenant in tenants)
        {
            await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().EnqueueAsync(
                [.. Enumerable.Range(0, 60).Select(i => Row(tenant, body: $"m{i}", due: now.AddSeconds(-i))), Row(tenant, body: "later", due: now.AddHours(1))], Ct));
        }
        var mine = new HashSet<string>(tenants);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var all = new List<OutboxNotification>();
            while (true)
            {
                var batch = await Db.InTenantAsync(null, sp => sp.GetRequiredService<INotificationQueue>().ClaimDueAsync($"dispatcher-{i}", 7, now, now.AddMinutes(5), Ct));
                if (batch.Count == 0) return all;
                all.AddRange(batch);
            }
        }, Ct)));

        var claimedHere = claims.SelectMany(c => c).Where(n => mine.Contains(n.TenantId)).ToList();
        Assert.Equal(120, claimedHere.Count);
        Assert.Equal(120, claimedHere.Select(n => n.Id).Distinct().Count());
        Assert.DoesNotContain(claimedHere, n => n.ReadData().Messages![0].Body == "later");
        foreach (var tenant in tenants)
        {
            var rows = await OutboxAsync(tenant);
            Assert.Equal(60, rows.Count(r => r.Status == NotificationStatus.Sending));
            Assert.Single(rows, r => r.Status == NotificationStatus.Pending);
        }
    }

    [Fact]
    public async Task Marking_happens_in_the_rows_tenant_and_dead_letters_page_and_retry()
    {
        var tenant = NewTenant();
        var rows = Enumerable.Range(0, 5).Select(i => Row(tenant, body: $"d{i}", address: $"dead{i}@example.test")).ToList();
        await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().EnqueueAsync(rows, Ct));
        var now = T0.AddYears(3);
        var claimed = (await Db.InTenantAsync(null, sp => sp.GetRequiredService<INotificationQueue>().ClaimDueAsync("d", 1000, now, now.AddMinutes(1), Ct)))
            .Where(n => n.TenantId == tenant).ToList();
        Assert.Equal(5, claimed.Count);

        // In another tenant's context the row is invisible: marking does nothing.
        Assert.False(await Db.InTenantAsync(NewTenant(), sp => sp.GetRequiredService<INotificationQueue>().MarkFailedAsync(claimed[0], "d", "x", null, Ct)));
        // With the wrong claim token too.
        Assert.False(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationQueue>().MarkSentAsync(claimed[0], "not-mine", now, false, Ct)));
        foreach (var row in claimed)
            Assert.True(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationQueue>().MarkFailedAsync(row, "d", "SmtpCommandException: 451 try later", null, Ct)));

        var page1 = await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().ListAsync(NotificationStatus.Dead, null, 3, Ct));
        var page2 = await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().ListAsync(NotificationStatus.Dead, page1[^1].Id, 3, Ct));
        Assert.Equal(rows.Select(r => r.Id).Order(), page1.Concat(page2).Select(r => r.Id));
        Assert.All(page1, r => Assert.Equal("SmtpCommandException: 451 try later", r.LastError));

        Assert.True(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().RetryAsync(rows[0].Id, now, Ct)));
        Assert.False(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<INotificationStore>().RetryAsync(rows[0].Id, now, Ct)));
        Assert.False(await Db.InTenantAsync(NewTenant(), sp => sp.GetRequiredService<INotificationStore>().RetryAsync(rows[1].Id, now, Ct)));
        var retried = (await OutboxAsync(tenant)).Single(r => r.Id == rows[0].Id);
        Assert.Equal(NotificationStatus.Pending, retried.Status);
        Assert.Equal(0, retried.Attempts);
        Assert.Equal(now, retried.NextAttemptAt);
    }
}

/// <summary>The outbox conformance tests on SQLite.</summary>
public sealed class SqliteOutboxConformanceTests(SqliteDatabaseFixture db)
    : OutboxConformanceTests(db), IClassFixture<SqliteDatabaseFixture>;

/// <summary>The outbox conformance tests on PostgreSQL (skips without CUSTOMERCARE_TEST_POSTGRES).</summary>
public sealed class PostgreSqlOutboxConformanceTests(PostgreSqlDatabaseFixture db)
    : OutboxConformanceTests(db), IClassFixture<PostgreSqlDatabaseFixture>;
