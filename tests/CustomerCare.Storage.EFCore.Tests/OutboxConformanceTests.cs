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

    private static OutboxActivity Activity(string tenant, Ticket ticket, string data = "{}") => new()
    {
        TenantId = tenant,
        Kind = TicketEventKind.MessagePosted,
        TicketId = ticket.Id,
        TicketReference = ticket.Reference is { Length: > 0 } r ? r : null,
        DataJson = data,
        CreatedAt = T0,
    };

    private Task<List<OutboxActivity>> ActivitiesAsync(string tenant)
        => Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().Set<OutboxActivity>().AsNoTracking()
            .OrderBy(a => a.Id).ToListAsync(Ct));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_activity_of_a_new_ticket_is_saved_with_it_and_carries_its_reference(bool withRequestKey)
    {
        var tenant = NewTenant();
        var ticket = NewTicket(tenant);
        // Without a request key the ticket goes out in one command; with one, through the change tracker.
        var changes = new TicketChangeSet
        {
            Ticket = ticket, IsNew = true, ReferencePrefix = "BANK",
            Idempotency = withRequestKey ? new IdempotencyRecord { TenantId = tenant, UserId = "cust-1", Key = "k", RequestHash = new string('A', 64), TicketId = ticket.Id, CreatedAt = T0 } : null,
        };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Created, T0));
        changes.Activities.Add(Activity(tenant, ticket, """{"subject":"x"}"""));

        await Tickets(tenant, s => s.SaveAsync(changes, Ct));

        var row = Assert.Single(await ActivitiesAsync(tenant));
        Assert.Equal("BANK-1001", row.TicketReference);
        Assert.Equal(ticket.Id, row.TicketId);
        Assert.Equal(tenant, row.TenantId);
        Assert.Equal("""{"subject":"x"}""", row.DataJson);
        Assert.True(row.Id > 0);
        Assert.Equal("BANK-1001", changes.Activities[0].TicketReference);
    }

    [Fact]
    public async Task A_change_that_fails_saves_none_of_its_notification_activities()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));

        // A stale version: the ticket moved on; the whole change, notifications included, is refused.
        var stale = NextMessage(ticket, "First");
        stale.Activities.Add(Activity(tenant, ticket, "stale"));
        var staleExpected = stale.ExpectedVersion;
        await AddMessageAsync(await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException(), "Someone else");
        var conflicting = new TicketChangeSet { Ticket = stale.Ticket, ExpectedVersion = staleExpected, Message = stale.Message };
        conflicting.Activities.Add(Activity(tenant, ticket, "stale"));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Tickets(tenant, s => s.SaveAsync(conflicting, Ct)));

        // A duplicate request key: refused after the ticket update, still nothing of it is kept.
        var current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var first = NextMessage(current, "Keyed", key: "k-1");
        await Tickets(tenant, s => s.SaveAsync(first, Ct));
        current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var duplicate = NextMessage(current, "Keyed again", key: "k-1");
        duplicate.Activities.Add(Activity(tenant, ticket, "duplicate"));
        await Assert.ThrowsAsync<DuplicateRequestException>(() => Tickets(tenant, s => s.SaveAsync(duplicate, Ct)));

        Assert.Empty(await ActivitiesAsync(tenant));

        // The same kind of change that succeeds keeps its activity.
        current = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)) ?? throw new InvalidOperationException();
        var good = NextMessage(current, "Fine");
        good.Activities.Add(Activity(tenant, ticket, "kept"));
        await Tickets(tenant, s => s.SaveAsync(good, Ct));
        Assert.Equal("kept", Assert.Single(await ActivitiesAsync(tenant)).DataJson);
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
    public async Task Concurrent_dispatchers_work_out_each_activity_once_and_a_rolled_back_batch_keeps_its_activities()
    {
        var tenants = new[] { NewTenant(), NewTenant() };
        var mine = new HashSet<string>(tenants);
        foreach (var tenant in tenants)
        {
            var ticket = NewTicket(tenant);
            await Db.InTenantAsync(tenant, async sp =>
            {
                var context = sp.GetRequiredService<CustomerCareDbContext>();
                context.Set<OutboxActivity>().AddRange(Enumerable.Range(0, 30).Select(i => Activity(tenant, ticket, $"{tenant}/{i}")));
                await context.SaveChangesAsync(Ct);
            });
        }

        // A batch that is not committed leaves its activities for the next one.
        await Db.InTenantAsync(null, async sp =>
        {
            await using var batch = await sp.GetRequiredService<IOutboxActivityQueue>().ClaimAsync(1000, 5, Ct);
            foreach (var activity in batch.Activities.Where(a => mine.Contains(a.TenantId)))
            {
                using (sp.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>().BeginScope(new CustomerCare.MultiTenancy.TenantContext(DatabaseFixture.Tenant(activity.TenantId))))
                    await batch.CompleteAsync(activity, [Row(activity.TenantId, body: "rolled back")], Ct);
            }
        });
        foreach (var tenant in tenants)
        {
            Assert.Empty(await OutboxAsync(tenant));
            Assert.Equal(30, (await ActivitiesAsync(tenant)).Count);
        }

        var setter = Db.Services.GetRequiredService<CustomerCare.MultiTenancy.ITenantContextSetter>();
        var taken = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var all = new List<OutboxActivity>();
            while (true)
            {
                var batchCount = await Db.InTenantAsync(null, async sp =>
                {
                    await using var batch = await sp.GetRequiredService<IOutboxActivityQueue>().ClaimAsync(7, 5, Ct);
                    foreach (var activity in batch.Activities)
                    {
                        using (setter.BeginScope(new CustomerCare.MultiTenancy.TenantContext(DatabaseFixture.Tenant(activity.TenantId))))
                            await batch.CompleteAsync(activity, mine.Contains(activity.TenantId) ? [Row(activity.TenantId, body: activity.DataJson)] : [], Ct);
                    }
                    await batch.CommitAsync(Ct);
                    all.AddRange(batch.Activities);
                    return batch.Activities.Count;
                });
                if (batchCount == 0) return all;
            }
        }, Ct)));

        var takenHere = taken.SelectMany(t => t).Where(a => mine.Contains(a.TenantId)).ToList();
        Assert.Equal(60, takenHere.Count);
        Assert.Equal(60, takenHere.Select(a => a.Id).Distinct().Count());
        foreach (var tenant in tenants)
        {
            Assert.Empty(await ActivitiesAsync(tenant));
            var bodies = (await OutboxAsync(tenant)).Select(n => n.ReadData().Messages![0].Body).Order().ToList();
            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"{tenant}/{i}").Order(), bodies);
        }
    }

    [Fact]
    public async Task Activities_are_claimed_oldest_first_and_those_that_failed_too_often_are_set_aside()
    {
        var tenant = NewTenant();
        var ticket = NewTicket(tenant);
        await Db.InTenantAsync(tenant, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            context.Set<OutboxActivity>().AddRange(Enumerable.Range(0, 3).Select(i => Activity(tenant, ticket, $"a{i}")));
            await context.SaveChangesAsync(Ct);
        });
        var mine = await ActivitiesAsync(tenant);
        Assert.Equal(["a0", "a1", "a2"], mine.Select(a => a.DataJson));

        var queue = (Func<IServiceProvider, IOutboxActivityQueue>)(sp => sp.GetRequiredService<IOutboxActivityQueue>());
        for (var i = 0; i < 2; i++) await Db.InTenantAsync(null, sp => queue(sp).RecordFailureAsync(mine[1], Ct));

        var claimed = await Db.InTenantAsync(null, async sp =>
        {
            await using var batch = await queue(sp).ClaimAsync(10_000, 2, Ct);
            return batch.Activities.Where(a => a.TenantId == tenant).Select(a => a.DataJson).ToList();
        });
        Assert.Equal(["a0", "a2"], claimed);
        Assert.Equal(2, (await ActivitiesAsync(tenant)).Single(a => a.DataJson == "a1").Attempts);
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
