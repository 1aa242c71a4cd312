using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Storage.EFCore.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Storage.EFCore.Tests;

/// <summary>
/// What every CustomerCare store must do, in the style of ASP.NET Core Identity's
/// <c>Specification.Tests</c>: a subclass supplies a database (through its fixture) and inherits
/// every test. The tests talk to the store abstractions only (<see cref="ITicketStore"/>,
/// <see cref="IStaffStore"/>, <see cref="ICustomerStore"/>, <see cref="ITenantStore"/>).
/// </summary>
public abstract class StoreConformanceTests(DatabaseFixture db) : IAsyncLifetime
{
    protected DatabaseFixture Db { get; } = db;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Times with whole milliseconds: every provider stores them exactly.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 30, 15, 250, TimeSpan.Zero);

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

    protected static string NewTenant() => $"t-{Guid.NewGuid():N}"[..20];

    protected Task<T> Tickets<T>(string tenant, Func<ITicketStore, Task<T>> work)
        => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<ITicketStore>()));

    protected Task Tickets(string tenant, Func<ITicketStore, Task> work)
        => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<ITicketStore>()));

    protected Task<T> Staff<T>(string tenant, Func<IStaffStore, Task<T>> work)
        => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<IStaffStore>()));

    protected Task<T> Customers<T>(string tenant, Func<ICustomerStore, Task<T>> work)
        => Db.InTenantAsync(tenant, sp => work(sp.GetRequiredService<ICustomerStore>()));

    protected Task<T> TenantStore<T>(Func<ITenantStore, Task<T>> work)
        => Db.InTenantAsync(null, sp => work(sp.GetRequiredService<ITenantStore>()));

    protected static Ticket NewTicket(
        string tenant,
        string subject = "Bill is wrong",
        string description = "I was charged twice.",
        string customerId = "cust-1",
        TicketStatus status = TicketStatus.New,
        string? assigneeId = null,
        TicketPriority priority = TicketPriority.Normal,
        string? category = null)
        => new()
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant,
            Subject = subject,
            Description = description,
            Status = status,
            Priority = priority,
            Category = category,
            CustomerId = customerId,
            CustomerName = $"Name of {customerId}",
            AssigneeId = assigneeId,
            AssigneeName = assigneeId is null ? null : $"Name of {assigneeId}",
            CreatedAt = T0,
            UpdatedAt = T0,
            Version = 1,
        };

    protected static TicketEvent NewEvent(Ticket ticket, TicketEventKind kind, DateTimeOffset at, string actor = "cust-1") => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = ticket.TenantId,
        TicketId = ticket.Id,
        Kind = kind,
        ActorId = actor,
        CreatedAt = at,
    };

    /// <summary>Saves a new ticket (the store numbers it) and returns it.</summary>
    protected async Task<Ticket> SaveNewAsync(Ticket ticket, string prefix = "ACME", IdempotencyRecord? idempotency = null)
    {
        var changes = new TicketChangeSet { Ticket = ticket, IsNew = true, ReferencePrefix = prefix, Idempotency = idempotency };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Created, ticket.CreatedAt));
        await Tickets(ticket.TenantId, s => s.SaveAsync(changes, Ct));
        return ticket;
    }

    /// <summary>Adds a message to a ticket as a manager would: next sequence, version + 1.</summary>
    protected async Task<TicketMessage> AddMessageAsync(Ticket ticket, string body, MessageVisibility visibility = MessageVisibility.Public, string author = "cust-1")
    {
        var changes = NextMessage(ticket, body, visibility, author);
        await Tickets(ticket.TenantId, s => s.SaveAsync(changes, Ct));
        return changes.Message!;
    }

    /// <summary>The change set a manager makes to post a message (optionally with a client key), applied to <paramref name="ticket"/>.</summary>
    protected static TicketChangeSet NextMessage(Ticket ticket, string body, MessageVisibility visibility = MessageVisibility.Public, string author = "cust-1", string? key = null)
    {
        var expected = ticket.Version;
        ticket.MessageCount++;
        ticket.Version = expected + 1;
        var at = T0.AddMinutes(ticket.MessageCount);
        ticket.UpdatedAt = at;
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TenantId = ticket.TenantId,
            TicketId = ticket.Id,
            Sequence = ticket.MessageCount,
            AuthorId = author,
            AuthorName = $"Name of {author}",
            AuthorRole = ActorRole.Customer,
            Body = body,
            Visibility = visibility,
            CreatedAt = at,
        };
        var idempotency = key is null ? null : Key(ticket.TenantId, author, key, ticket.Id, message.Id);
        var changes = new TicketChangeSet { Ticket = ticket, ExpectedVersion = expected, Message = message, Idempotency = idempotency };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.MessagePosted, at, author));
        return changes;
    }

    protected static IdempotencyRecord Key(string tenant, string user, string key, Guid ticketId, Guid? messageId = null) => new()
    {
        TenantId = tenant,
        UserId = user,
        Key = key,
        RequestHash = new string('A', 64),
        TicketId = ticketId,
        MessageId = messageId,
        CreatedAt = T0,
    };

    // ------------------------------------------------------------------ migrations

    [Fact]
    public async Task A_new_ticket_is_written_whole_or_not_at_all_and_a_failed_one_does_not_use_up_a_number()
    {
        var tenant = NewTenant();
        var first = await SaveNewAsync(NewTicket(tenant));

        var broken = NewTicket(tenant);
        var created = NewEvent(broken, TicketEventKind.Created, T0);
        var changes = new TicketChangeSet { Ticket = broken, IsNew = true, ReferencePrefix = "ACME" };
        changes.Events.Add(created);
        var duplicate = NewEvent(broken, TicketEventKind.Assigned, T0);
        duplicate.Id = created.Id; // same key: the event insert fails after the number and the ticket went in
        changes.Events.Add(duplicate);
        changes.Activities.Add(new CustomerCare.Notifications.OutboxActivity { TenantId = tenant, Kind = TicketEventKind.Created, TicketId = broken.Id, CreatedAt = T0 });
        await Assert.ThrowsAnyAsync<Exception>(() => Tickets(tenant, s => s.SaveAsync(changes, Ct)));

        Assert.Null(await Tickets(tenant, s => s.FindAsync(broken.Id, Ct)));
        Assert.Empty(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().Set<CustomerCare.Notifications.OutboxActivity>().ToListAsync(Ct)));
        var next = await SaveNewAsync(NewTicket(tenant));
        Assert.Equal(first.Number + 1, next.Number);
        Assert.Equal($"ACME-{next.Number}", next.Reference);
        Assert.Equal(next.Reference, (await Tickets(tenant, s => s.FindAsync(next.Id, Ct)))!.Reference);
    }

    [Fact]
    public async Task The_actor_directory_finds_a_users_staff_entry_and_customer_profile_in_one_query_within_the_tenant()
    {
        var tenant = NewTenant();
        var other = NewTenant();
        await Staff(tenant, async s => { await s.AddAsync(new StaffMember { TenantId = tenant, UserId = "both", DisplayName = "Both Staff", Email = "both@example.test", Role = ActorRole.Admin, CreatedAt = T0 }, Ct); return 0; });
        await Staff(tenant, async s => { await s.AddAsync(new StaffMember { TenantId = tenant, UserId = "gone", DisplayName = "Gone", Email = "gone@example.test", Role = ActorRole.Agent, IsActive = false, CreatedAt = T0 }, Ct); return 0; });
        foreach (var user in new[] { "both", "cust" })
            await Customers(tenant, async s => { await s.AddIfMissingAsync(new CustomerProfile { TenantId = tenant, UserId = user, DisplayName = $"{user} customer", CreatedAt = T0 }, Ct); return 0; });
        var erased = new CustomerProfile { TenantId = tenant, UserId = "erased", DisplayName = "Erased", Email = "e@example.test", CreatedAt = T0 };
        await Customers(tenant, async s => { await s.AddIfMissingAsync(erased, Ct); await s.EraseAsync(erased, "deleted user", T0, Ct); return 0; });

        Task<IReadOnlyList<DirectoryEntry>> Find(string t, string user)
            => Db.InTenantAsync(t, sp => sp.GetRequiredService<IActorDirectory>().FindAsync(user, Ct));

        var both = await Find(tenant, "both");
        Assert.Equal(2, both.Count);
        Assert.Contains(both, e => e is { IsStaff: true, Role: ActorRole.Admin, IsActive: true, DisplayName: "Both Staff", Email: "both@example.test" });
        Assert.Contains(both, e => e is { IsStaff: false, Role: ActorRole.Customer, DisplayName: "both customer", IsErased: false });
        Assert.Equal([false], (await Find(tenant, "cust")).Select(e => e.IsStaff));
        Assert.Equal([(true, false)], (await Find(tenant, "gone")).Select(e => (e.IsStaff, e.IsActive)));
        Assert.True(Assert.Single(await Find(tenant, "erased")).IsErased);
        Assert.Empty(await Find(tenant, "nobody"));
        Assert.Empty(await Find(other, "both"));
    }

    [Fact]
    public async Task Database_is_migrated_with_the_packages_migrations()
    {
        var (applied, pending) = await Db.InTenantAsync(null, async sp =>
        {
            var context = sp.GetRequiredService<CustomerCareDbContext>();
            return ((await context.Database.GetAppliedMigrationsAsync(Ct)).ToList(), (await context.Database.GetPendingMigrationsAsync(Ct)).ToList());
        });

        Assert.NotEmpty(applied);
        Assert.Contains(applied, m => m.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.Empty(pending);
    }

    // ------------------------------------------------------------------ tickets

    [Fact]
    public async Task Saved_ticket_is_found_with_every_field()
    {
        var tenant = NewTenant();
        var ticket = NewTicket(tenant, subject: "Router", description: "Line drops at night", customerId: "cust-9",
            status: TicketStatus.Pending, assigneeId: "agent-1", priority: TicketPriority.Urgent, category: "Network");
        ticket.CustomFields = new() { ["billNumber"] = "B-77", ["contract"] = "C-1" };
        ticket.Channel = TicketChannel.Email;
        ticket.FirstResponseAt = T0.AddHours(1);
        ticket.ResolvedAt = T0.AddHours(2);
        ticket.ClosedAt = T0.AddHours(3);
        ticket.UpdatedAt = T0.AddHours(4);
        ticket.MessageCount = 0;
        await SaveNewAsync(ticket, prefix: "BANK");

        var found = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct));

        Assert.NotNull(found);
        Assert.Equal(ticket.Id, found.Id);
        Assert.Equal(tenant, found.TenantId);
        Assert.Equal(1001, found.Number);
        Assert.Equal("BANK-1001", found.Reference);
        Assert.Equal("Router", found.Subject);
        Assert.Equal("Line drops at night", found.Description);
        Assert.Equal(TicketStatus.Pending, found.Status);
        Assert.Equal(TicketPriority.Urgent, found.Priority);
        Assert.Equal("Network", found.Category);
        Assert.Equal(ticket.CustomFields, found.CustomFields);
        Assert.Equal("cust-9", found.CustomerId);
        Assert.Equal("Name of cust-9", found.CustomerName);
        Assert.Equal("agent-1", found.AssigneeId);
        Assert.Equal("Name of agent-1", found.AssigneeName);
        Assert.Equal(TicketChannel.Email, found.Channel);
        Assert.Equal(T0, found.CreatedAt);
        Assert.Equal(T0.AddHours(4), found.UpdatedAt);
        Assert.Equal(T0.AddHours(1), found.FirstResponseAt);
        Assert.Equal(T0.AddHours(2), found.ResolvedAt);
        Assert.Equal(T0.AddHours(3), found.ClosedAt);
        Assert.Equal(1, found.Version);
        Assert.Equal(0, found.MessageCount);

        var events = await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct));
        Assert.Equal(TicketEventKind.Created, Assert.Single(events).Kind);
    }

    [Fact]
    public async Task A_new_ticket_assigned_as_it_is_created_reads_back_both_events_from_one_row()
    {
        var tenant = NewTenant();
        var ticket = NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-7");
        var created = NewEvent(ticket, TicketEventKind.Created, T0);
        created.ToStatus = TicketStatus.New;
        var assigned = new TicketEvent
        {
            Id = TicketEvents.Following(created.Id)!.Value,
            TenantId = tenant,
            TicketId = ticket.Id,
            Kind = TicketEventKind.Assigned,
            ActorId = "system",
            FromStatus = TicketStatus.New,
            ToStatus = TicketStatus.Open,
            AssigneeId = "agent-7",
            Detail = "least-loaded; load 3/20 before assignment",
            CreatedAt = T0,
        };
        // A second pair that is not the engine's (an admin's assignment): kept as rows of their own.
        var byAdmin = NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-7");
        var adminCreated = NewEvent(byAdmin, TicketEventKind.Created, T0);
        adminCreated.ToStatus = TicketStatus.New;
        var adminAssigned = NewEvent(byAdmin, TicketEventKind.Assigned, T0, actor: "admin-1");
        (adminAssigned.Id, adminAssigned.FromStatus, adminAssigned.ToStatus, adminAssigned.AssigneeId) = (TicketEvents.Following(adminCreated.Id)!.Value, TicketStatus.New, TicketStatus.Open, "agent-7");

        foreach (var (t, events) in new[] { (ticket, new[] { created, assigned }), (byAdmin, new[] { adminCreated, adminAssigned }) })
        {
            var changes = new TicketChangeSet { Ticket = t, IsNew = true, ReferencePrefix = "ACME" };
            changes.Events.AddRange(events);
            await Tickets(tenant, s => s.SaveAsync(changes, Ct));
        }

        var trail = await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct));
        Assert.Equivalent(new[] { created, assigned }, trail, strict: true);
        Assert.Equal([created.Id, assigned.Id], trail.Select(e => e.Id));
        Assert.Equivalent(new[] { adminCreated, adminAssigned }, await Tickets(tenant, s => s.GetEventsAsync(byAdmin.Id, Ct)), strict: true);
        var rows = await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().TicketEvents.AsNoTracking()
            .Where(e => e.TicketId == ticket.Id || e.TicketId == byAdmin.Id).GroupBy(e => e.TicketId).Select(g => g.Count()).ToListAsync(Ct));
        Assert.Equal([1, 2], rows.Order());
    }

    [Fact]
    public async Task Unknown_ticket_is_not_found()
    {
        var tenant = NewTenant();

        Assert.Null(await Tickets(tenant, s => s.FindAsync(Guid.CreateVersion7(), Ct)));
        Assert.Null(await Tickets(tenant, s => s.FindMessageAsync(Guid.CreateVersion7(), Ct)));
    }

    [Fact]
    public async Task Changed_ticket_is_saved_with_its_new_version()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        var loaded = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;

        loaded.Status = TicketStatus.Open;
        loaded.AssigneeId = "agent-1";
        loaded.CustomFields["billNumber"] = "B-1";
        loaded.Version = 2;
        var changes = new TicketChangeSet { Ticket = loaded, ExpectedVersion = 1 };
        changes.Events.Add(NewEvent(loaded, TicketEventKind.Assigned, T0.AddMinutes(1), "admin"));
        await Tickets(tenant, s => s.SaveAsync(changes, Ct));

        var found = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        Assert.Equal(TicketStatus.Open, found.Status);
        Assert.Equal("agent-1", found.AssigneeId);
        Assert.Equal("B-1", found.CustomFields["billNumber"]);
        Assert.Equal(2, found.Version);
        Assert.Equal(ticket.Number, found.Number);
        var events = await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct));
        Assert.Equal([TicketEventKind.Created, TicketEventKind.Assigned], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task Ticket_numbers_start_at_1001_and_increment_per_tenant()
    {
        var acme = NewTenant();
        var globex = NewTenant();

        var a1 = await SaveNewAsync(NewTicket(acme), "ACME");
        var a2 = await SaveNewAsync(NewTicket(acme), "ACME");
        var g1 = await SaveNewAsync(NewTicket(globex), "GLOBEX");
        var a3 = await SaveNewAsync(NewTicket(acme), "ACME");

        Assert.Equal([1001L, 1002L, 1003L], new[] { a1.Number, a2.Number, a3.Number });
        Assert.Equal(["ACME-1001", "ACME-1002", "ACME-1003"], new[] { a1.Reference, a2.Reference, a3.Reference });
        Assert.Equal(1001, g1.Number);
        Assert.Equal("GLOBEX-1001", g1.Reference);
        Assert.Equal("ACME-1003", (await Tickets(acme, s => s.FindAsync(a3.Id, Ct)))!.Reference);
    }

    [Fact]
    public async Task Ticket_numbers_are_unique_under_concurrent_creation()
    {
        const int count = 50;
        var tenant = NewTenant();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var creations = Enumerable.Range(0, count).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return (await SaveNewAsync(NewTicket(tenant))).Number;
        }, Ct)).ToList();
        go.SetResult();
        var numbers = await Task.WhenAll(creations);

        Assert.Equal(Enumerable.Range(1001, count).Select(n => (long)n), numbers.Order());
        var stored = await Tickets(tenant, s => s.QueryAsync(new TicketQuery { Limit = count + 10 }, Ct));
        Assert.Equal(Enumerable.Range(1001, count).Select(n => (long)n).Reverse(), stored.Select(t => t.Number));
    }

    [Fact]
    public async Task Concurrent_creation_in_two_tenants_gives_each_its_own_sequence()
    {
        const int perTenant = 25;
        var tenants = new[] { NewTenant(), NewTenant() };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var creations = Enumerable.Range(0, perTenant * 2).Select(i => Task.Run(async () =>
        {
            await go.Task;
            var ticket = await SaveNewAsync(NewTicket(tenants[i % 2]));
            return (Tenant: ticket.TenantId, ticket.Number);
        }, Ct)).ToList();
        go.SetResult();
        var results = await Task.WhenAll(creations);

        foreach (var tenant in tenants)
        {
            Assert.Equal(Enumerable.Range(1001, perTenant).Select(n => (long)n), results.Where(r => r.Tenant == tenant).Select(r => r.Number).Order());
            var stored = await Tickets(tenant, s => s.QueryAsync(new TicketQuery { Limit = 100 }, Ct));
            Assert.Equal(perTenant, stored.Count);
        }
    }

    // ------------------------------------------------------------------ tenant isolation

    [Fact]
    public async Task Tickets_of_one_tenant_are_invisible_from_another()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(acme, status: TicketStatus.Open, assigneeId: "agent-1"));

        Assert.NotNull(await Tickets(acme, s => s.FindAsync(ticket.Id, Ct)));
        Assert.Single(await Tickets(acme, s => s.QueryAsync(new TicketQuery(), Ct)));
        Assert.Single(await Tickets(acme, s => s.GetOpenAssignedAsync("agent-1", Ct)));

        Assert.Null(await Tickets(globex, s => s.FindAsync(ticket.Id, Ct)));
        Assert.Empty(await Tickets(globex, s => s.QueryAsync(new TicketQuery(), Ct)));
        Assert.Empty(await Tickets(globex, s => s.QueryAsync(new TicketQuery { CustomerId = "cust-1" }, Ct)));
        Assert.Empty(await Tickets(globex, s => s.GetOpenAssignedAsync("agent-1", Ct)));
    }

    [Fact]
    public async Task Messages_and_events_of_one_tenant_are_invisible_from_another()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(acme));
        var message = await AddMessageAsync(ticket, "secret");

        Assert.Single(await Tickets(acme, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct)));
        Assert.NotNull(await Tickets(acme, s => s.FindMessageAsync(message.Id, Ct)));
        Assert.Equal(2, (await Tickets(acme, s => s.GetEventsAsync(ticket.Id, Ct))).Count);

        Assert.Empty(await Tickets(globex, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct)));
        Assert.Null(await Tickets(globex, s => s.FindMessageAsync(message.Id, Ct)));
        Assert.Empty(await Tickets(globex, s => s.GetEventsAsync(ticket.Id, Ct)));
    }

    [Fact]
    public async Task Idempotency_records_of_one_tenant_are_invisible_from_another()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        var ticket = NewTicket(acme);
        await SaveNewAsync(ticket, idempotency: Key(acme, "cust-1", "key-1", ticket.Id));

        var found = await Tickets(acme, s => s.FindIdempotencyRecordAsync("cust-1", "key-1", Ct));
        Assert.NotNull(found);
        Assert.Equal(ticket.Id, found.TicketId);
        Assert.Null(await Tickets(globex, s => s.FindIdempotencyRecordAsync("cust-1", "key-1", Ct)));

        // The same user id and key in another tenant is another request, not a duplicate.
        var other = NewTicket(globex);
        await SaveNewAsync(other, idempotency: Key(globex, "cust-1", "key-1", other.Id));
        Assert.Equal(other.Id, (await Tickets(globex, s => s.FindIdempotencyRecordAsync("cust-1", "key-1", Ct)))!.TicketId);
        Assert.Equal(ticket.Id, (await Tickets(acme, s => s.FindIdempotencyRecordAsync("cust-1", "key-1", Ct)))!.TicketId);
    }

    [Fact]
    public async Task Staff_of_one_tenant_is_invisible_from_another()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await Staff(acme, s => AddStaff(s, acme, "agent-1", "agent@example.test", "Acme Agent"));

        Assert.NotNull(await Staff(acme, s => s.FindAsync("agent-1", Ct)));
        Assert.NotNull(await Staff(acme, s => s.FindByEmailAsync("agent@example.test", Ct)));
        Assert.Single(await Staff(acme, s => s.ListAsync(false, Ct)));

        Assert.Null(await Staff(globex, s => s.FindAsync("agent-1", Ct)));
        Assert.Null(await Staff(globex, s => s.FindByEmailAsync("agent@example.test", Ct)));
        Assert.Empty(await Staff(globex, s => s.ListAsync(false, Ct)));

        // The same user id may be staff of another tenant too.
        await Staff(globex, s => AddStaff(s, globex, "agent-1", "agent@example.test", "Globex Agent"));
        Assert.Equal("Globex Agent", (await Staff(globex, s => s.FindAsync("agent-1", Ct)))!.DisplayName);
        Assert.Equal("Acme Agent", (await Staff(acme, s => s.FindAsync("agent-1", Ct)))!.DisplayName);
    }

    [Fact]
    public async Task Customers_of_one_tenant_are_invisible_from_another()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await Customers(acme, s => AddCustomer(s, acme, "cust-1", "Acme Carol"));

        Assert.NotNull(await Customers(acme, s => s.FindAsync("cust-1", Ct)));
        Assert.Single(await Customers(acme, s => s.ListAsync(null, 10, Ct)));

        Assert.Null(await Customers(globex, s => s.FindAsync("cust-1", Ct)));
        Assert.Empty(await Customers(globex, s => s.ListAsync(null, 10, Ct)));

        await Customers(globex, s => AddCustomer(s, globex, "cust-1", "Globex Carol"));
        Assert.Equal("Globex Carol", (await Customers(globex, s => s.FindAsync("cust-1", Ct)))!.DisplayName);
        Assert.Equal("Acme Carol", (await Customers(acme, s => s.FindAsync("cust-1", Ct)))!.DisplayName);
    }

    [Fact]
    public async Task Customer_counts_only_include_tickets_of_the_same_tenant()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await Customers(acme, s => AddCustomer(s, acme, "cust-1", "Carol"));
        await SaveNewAsync(NewTicket(acme, customerId: "cust-1"));
        await SaveNewAsync(NewTicket(globex, customerId: "cust-1", status: TicketStatus.Closed));
        await SaveNewAsync(NewTicket(globex, customerId: "cust-1", status: TicketStatus.Closed));

        var summary = Assert.Single(await Customers(acme, s => s.ListAsync(null, 10, Ct)));

        Assert.Equal(1, summary.TicketsRaised);
        Assert.Equal(0, summary.TicketsResolved);
    }

    [Fact]
    public async Task Erasing_a_customer_does_not_touch_another_tenant()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await Customers(acme, s => AddCustomer(s, acme, "cust-1", "Carol"));
        var acmeTicket = await SaveNewAsync(NewTicket(acme, customerId: "cust-1"));
        var globexTicket = await SaveNewAsync(NewTicket(globex, customerId: "cust-1"));
        var globexMessage = await AddMessageAsync(globexTicket, "hello", author: "cust-1");

        var profile = (await Customers(acme, s => s.FindAsync("cust-1", Ct)))!;
        await Customers(acme, async s => { await s.EraseAsync(profile, "deleted user", T0, Ct); return 0; });

        Assert.Equal("deleted user", (await Tickets(acme, s => s.FindAsync(acmeTicket.Id, Ct)))!.CustomerName);
        Assert.Equal("Name of cust-1", (await Tickets(globex, s => s.FindAsync(globexTicket.Id, Ct)))!.CustomerName);
        Assert.Equal("Name of cust-1", (await Tickets(globex, s => s.FindMessageAsync(globexMessage.Id, Ct)))!.AuthorName);
    }

    [Fact]
    public async Task Deactivating_staff_does_not_touch_another_tenants_tickets()
    {
        var acme = NewTenant();
        var globex = NewTenant();
        await Staff(acme, s => AddStaff(s, acme, "agent-1", "a@example.test", "Agent"));
        var globexTicket = await SaveNewAsync(NewTicket(globex, status: TicketStatus.Open, assigneeId: "agent-1"));

        var member = (await Staff(acme, s => s.FindAsync("agent-1", Ct)))!;
        await Staff(acme, async s => { await s.DeactivateAsync(member, [], T0, Ct); return 0; });

        var untouched = (await Tickets(globex, s => s.FindAsync(globexTicket.Id, Ct)))!;
        Assert.Equal("agent-1", untouched.AssigneeId);
        Assert.Equal(1, untouched.Version);
    }

    // ------------------------------------------------------------------ queries

    [Fact]
    public async Task Tickets_are_listed_newest_first_with_a_keyset_cursor()
    {
        var tenant = NewTenant();
        for (var i = 0; i < 7; i++) await SaveNewAsync(NewTicket(tenant));

        var seen = new List<long>();
        long? before = null;
        for (var page = 0; page < 5; page++)
        {
            var rows = await Tickets(tenant, s => s.QueryAsync(new TicketQuery { Limit = 3, BeforeNumber = before }, Ct));
            if (rows.Count == 0) break;
            Assert.True(rows.Count <= 3);
            seen.AddRange(rows.Select(t => t.Number));
            before = rows[^1].Number;
        }

        Assert.Equal([1007L, 1006, 1005, 1004, 1003, 1002, 1001], seen);
    }

    public static TheoryData<string, string[]> Filters => new()
    {
        { "status open or pending", ["bill", "password"] },
        { "assignee agent-1", ["bill", "password", "closed"] },
        { "unassigned", ["router"] },
        { "customer cust-2", ["password", "percent"] },
        { "text router (any case, subject or description)", ["router", "bill"] },
        { "text ROUTER", ["router", "bill"] },
        { "text of a reference", ["password"] },
        { "text with a LIKE wildcard is literal", ["percent"] },
        { "text with non-ASCII letters in another case", ["percent"] },
        { "priority urgent", ["percent"] },
        { "category Billing", ["bill", "percent"] },
        { "agent-1 with unassigned", ["router", "bill", "password", "closed"] },
        { "agent-1 without unassigned", ["bill", "password", "closed"] },
        { "agent-1 filtering on their own", ["bill", "password", "closed"] },
        { "agent-1 filtering on their own, unassigned hidden", ["bill", "password", "closed"] },
        { "agent-1 filtering on unassigned", ["router"] },
        { "agent-1 filtering on unassigned they may not see", [] },
        { "agent-1 filtering on agent-2", [] },
        { "agent-1 filtering on their own, open or pending", ["bill", "password"] },
        { "combined: cust-1, assignee agent-1, not closed", ["bill"] },
        { "nothing matches", [] },
    };

    private static TicketQuery FilterQuery(string @case, string tenantPrefix) => @case switch
    {
        "status open or pending" => new() { Statuses = [TicketStatus.Open, TicketStatus.Pending] },
        "assignee agent-1" => new() { AssigneeId = "agent-1" },
        "unassigned" => new() { Unassigned = true },
        "customer cust-2" => new() { CustomerId = "cust-2" },
        "text router (any case, subject or description)" => new() { Text = "router" },
        "text ROUTER" => new() { Text = "ROUTER" },
        "text of a reference" => new() { Text = $"{tenantPrefix.ToLowerInvariant()}-1003" },
        "text with a LIKE wildcard is literal" => new() { Text = "100%" },
        "text with non-ASCII letters in another case" => new() { Text = "ÜBERWEISUNG" },
        "priority urgent" => new() { Priority = TicketPriority.Urgent },
        "category Billing" => new() { Category = "Billing" },
        "agent-1 with unassigned" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = true },
        "agent-1 without unassigned" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = false },
        "agent-1 filtering on their own" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = true, AssigneeId = "agent-1" },
        "agent-1 filtering on their own, unassigned hidden" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = false, AssigneeId = "agent-1" },
        "agent-1 filtering on unassigned" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = true, Unassigned = true },
        "agent-1 filtering on unassigned they may not see" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = false, Unassigned = true },
        "agent-1 filtering on agent-2" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = true, AssigneeId = "agent-2" },
        "agent-1 filtering on their own, open or pending" => new() { VisibleToAgentId = "agent-1", IncludeUnassignedForAgent = true, AssigneeId = "agent-1", Statuses = [TicketStatus.Open, TicketStatus.Pending] },
        "combined: cust-1, assignee agent-1, not closed" => new() { CustomerId = "cust-1", AssigneeId = "agent-1", Statuses = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending, TicketStatus.Resolved] },
        "nothing matches" => new() { Text = "zzz-no-such-text" },
        _ => throw new ArgumentOutOfRangeException(nameof(@case)),
    };

    /// <summary>Five tickets with different attributes, keyed by a short name; numbered 1001..1005 in this order.</summary>
    private async Task<Dictionary<string, Ticket>> SeedFilterTicketsAsync(string tenant, string prefix)
    {
        var seeds = new (string Name, Ticket Ticket)[]
        {
            ("router", NewTicket(tenant, "Router is BROKEN", "No internet since Monday", "cust-1", TicketStatus.New, null, TicketPriority.High, "Network")),
            ("bill", NewTicket(tenant, "Bill wrong", "Charged twice for the Router rental", "cust-1", TicketStatus.Open, "agent-1", TicketPriority.Normal, "Billing")),
            ("password", NewTicket(tenant, "Password reset", "Locked out", "cust-2", TicketStatus.Pending, "agent-1", TicketPriority.Low)),
            ("percent", NewTicket(tenant, "Discount of 100% missing", "Promised discount, Überweisung missing", "cust-2", TicketStatus.Resolved, "agent-2", TicketPriority.Urgent, "Billing")),
            ("closed", NewTicket(tenant, "Old question", "Answered", "cust-3", TicketStatus.Closed, "agent-1", TicketPriority.Normal, "Network")),
        };
        var result = new Dictionary<string, Ticket>();
        foreach (var (name, ticket) in seeds) result[name] = await SaveNewAsync(ticket, prefix);
        return result;
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Ticket_filters_select_the_matching_tickets_newest_first(string @case, string[] expected)
    {
        var tenant = NewTenant();
        var other = NewTenant();
        var seeded = await SeedFilterTicketsAsync(tenant, "ACME");
        await SeedFilterTicketsAsync(other, "ACME");

        var rows = await Tickets(tenant, s => s.QueryAsync(FilterQuery(@case, "ACME") with { Limit = 50 }, Ct));

        var expectedIds = expected.Select(n => seeded[n]).OrderByDescending(t => t.Number).Select(t => t.Id);
        Assert.Equal(expectedIds, rows.Select(t => t.Id));
    }

    [Fact]
    public async Task Filters_and_the_cursor_combine()
    {
        var tenant = NewTenant();
        var seeded = await SeedFilterTicketsAsync(tenant, "ACME");
        var query = new TicketQuery { AssigneeId = "agent-1", Limit = 2 };

        var first = await Tickets(tenant, s => s.QueryAsync(query, Ct));
        var second = await Tickets(tenant, s => s.QueryAsync(query with { BeforeNumber = first[^1].Number }, Ct));

        Assert.Equal([seeded["closed"].Id, seeded["password"].Id], first.Select(t => t.Id));
        Assert.Equal([seeded["bill"].Id], second.Select(t => t.Id));
    }

    [Fact]
    public async Task Open_assigned_tickets_exclude_resolved_and_closed()
    {
        var tenant = NewTenant();
        var seeded = await SeedFilterTicketsAsync(tenant, "ACME");

        var open = await Tickets(tenant, s => s.GetOpenAssignedAsync("agent-1", Ct));

        Assert.Equal([seeded["bill"].Id, seeded["password"].Id], open.Select(t => t.Id));
    }

    // ------------------------------------------------------------------ messages and events

    [Fact]
    public async Task Messages_are_read_oldest_first_after_a_cursor()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        var bodies = new[] { "one", "two (note)", "three", "four (note)", "five" };
        var messages = new List<TicketMessage>();
        foreach (var body in bodies)
            messages.Add(await AddMessageAsync(ticket, body, body.Contains("note", StringComparison.Ordinal) ? MessageVisibility.Internal : MessageVisibility.Public));

        var all = await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct));
        Assert.Equal([1, 2, 3, 4, 5], all.Select(m => m.Sequence));
        Assert.Equal(bodies, all.Select(m => m.Body));

        var after2 = await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 2, 100, true, Ct));
        Assert.Equal([3, 4, 5], after2.Select(m => m.Sequence));

        var publicAfter2 = await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 2, 100, false, Ct));
        Assert.Equal([3, 5], publicAfter2.Select(m => m.Sequence));

        var firstTwo = await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 0, 2, true, Ct));
        Assert.Equal([1, 2], firstTwo.Select(m => m.Sequence));

        Assert.Empty(await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 5, 100, true, Ct)));

        var found = await Tickets(tenant, s => s.FindMessageAsync(messages[3].Id, Ct));
        Assert.NotNull(found);
        Assert.Equal("four (note)", found.Body);
        Assert.Equal(MessageVisibility.Internal, found.Visibility);
        Assert.Equal(ticket.Id, found.TicketId);
        Assert.Equal(T0.AddMinutes(4), found.CreatedAt);

        var stored = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        Assert.Equal(5, stored.MessageCount);
        Assert.Equal(6, stored.Version);
    }

    [Fact]
    public async Task Messages_of_another_ticket_are_not_returned()
    {
        var tenant = NewTenant();
        var one = await SaveNewAsync(NewTicket(tenant));
        var two = await SaveNewAsync(NewTicket(tenant));
        await AddMessageAsync(one, "for one");
        await AddMessageAsync(two, "for two");

        Assert.Equal(["for two"], (await Tickets(tenant, s => s.GetMessagesAsync(two.Id, 0, 100, true, Ct))).Select(m => m.Body));
    }

    [Fact]
    public async Task Events_are_read_oldest_first()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        var changes = new TicketChangeSet { Ticket = ticket, ExpectedVersion = 1 };
        ticket.Version = 2;
        changes.Events.Add(NewEvent(ticket, TicketEventKind.StatusChanged, T0.AddMinutes(2)));
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Assigned, T0.AddMinutes(1)));
        await Tickets(tenant, s => s.SaveAsync(changes, Ct));

        var events = await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct));

        Assert.Equal([TicketEventKind.Created, TicketEventKind.Assigned, TicketEventKind.StatusChanged], events.Select(e => e.Kind));
    }

    // ------------------------------------------------------------------ concurrency and idempotency

    [Fact]
    public async Task Stale_expected_version_is_a_concurrency_conflict_and_saves_nothing()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        var first = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        var second = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;

        await Tickets(tenant, s => s.SaveAsync(NextMessage(first, "first writer"), Ct));
        var stale = NextMessage(second, "second writer");
        stale.Ticket.Subject = "Changed by the loser";

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Tickets(tenant, s => s.SaveAsync(stale, Ct)));

        var stored = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        Assert.Equal(2, stored.Version);
        Assert.Equal("Bill is wrong", stored.Subject);
        Assert.Equal(["first writer"], (await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct))).Select(m => m.Body));
        Assert.Equal(2, (await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct))).Count);
    }

    [Fact]
    public async Task Two_messages_saved_at_once_from_the_same_version_give_one_success_and_one_concurrency_conflict()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        for (var round = 0; round < 5; round++)
        {
            var read = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Tickets(tenant, s => s.FindAsync(ticket.Id, Ct))));
            var outcomes = await Task.WhenAll(read.Select((t, i) => Task.Run(async () =>
            {
                try
                {
                    await Tickets(tenant, s => s.SaveAsync(NextMessage(t!, $"round {round} writer {i}"), Ct));
                    return "saved";
                }
                catch (ConcurrencyConflictException)
                {
                    return "conflict";
                }
            }, Ct)));
            Assert.Equal(["conflict", "saved"], outcomes.Order());
        }
        var messages = await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct));
        Assert.Equal([1, 2, 3, 4, 5], messages.Select(m => m.Sequence));
        Assert.Equal(6, (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!.Version);
    }

    [Fact]
    public async Task Stale_expected_version_without_a_message_is_a_concurrency_conflict()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        await AddMessageAsync(ticket, "moves the version to 2");
        var stale = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        stale.Status = TicketStatus.Resolved;
        stale.Version = 3;

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Tickets(tenant, s => s.SaveAsync(new TicketChangeSet { Ticket = stale, ExpectedVersion = 1 }, Ct)));

        Assert.Equal(TicketStatus.New, (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!.Status);
    }

    [Fact]
    public async Task Duplicate_idempotency_key_on_create_is_refused_and_saves_nothing()
    {
        var tenant = NewTenant();
        var first = NewTicket(tenant);
        await SaveNewAsync(first, idempotency: Key(tenant, "cust-1", "key-1", first.Id));
        var second = NewTicket(tenant, subject: "Second");

        await Assert.ThrowsAsync<DuplicateRequestException>(() => SaveNewAsync(second, idempotency: Key(tenant, "cust-1", "key-1", second.Id)));

        Assert.Null(await Tickets(tenant, s => s.FindAsync(second.Id, Ct)));
        Assert.Empty(await Tickets(tenant, s => s.GetEventsAsync(second.Id, Ct)));
        Assert.Equal(first.Id, (await Tickets(tenant, s => s.FindIdempotencyRecordAsync("cust-1", "key-1", Ct)))!.TicketId);
        // The failed create did not use up a number.
        Assert.Equal(1002, (await SaveNewAsync(NewTicket(tenant))).Number);
    }

    [Fact]
    public async Task Duplicate_idempotency_key_on_a_message_is_refused_and_saves_nothing()
    {
        var tenant = NewTenant();
        var ticket = await SaveNewAsync(NewTicket(tenant));
        var original = NextMessage(ticket, "first", key: "msg-1");
        await Tickets(tenant, s => s.SaveAsync(original, Ct));
        var loaded = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        var duplicate = NextMessage(loaded, "first", key: "msg-1");

        await Assert.ThrowsAsync<DuplicateRequestException>(() => Tickets(tenant, s => s.SaveAsync(duplicate, Ct)));

        var stored = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        Assert.Equal(1, stored.MessageCount);
        Assert.Equal(2, stored.Version);
        Assert.Equal([original.Message!.Id], (await Tickets(tenant, s => s.GetMessagesAsync(ticket.Id, 0, 100, true, Ct))).Select(m => m.Id));
        Assert.Equal(2, (await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct))).Count);
        var record = (await Tickets(tenant, s => s.FindIdempotencyRecordAsync("cust-1", "msg-1", Ct)))!;
        Assert.Equal(original.Message.Id, record.MessageId);
        Assert.Equal(ticket.Id, record.TicketId);
    }

    // ------------------------------------------------------------------ staff

    protected static async Task<int> AddStaff(IStaffStore store, string tenant, string userId, string email, string name, ActorRole role = ActorRole.Agent)
    {
        await store.AddAsync(new StaffMember { TenantId = tenant, UserId = userId, Email = email, DisplayName = name, Role = role, CreatedAt = T0 }, Ct);
        return 0;
    }

    [Fact]
    public async Task Staff_members_are_found_by_id_and_email_and_listed_by_name()
    {
        var tenant = NewTenant();
        await Staff(tenant, s => AddStaff(s, tenant, "u-2", "Zed@Example.test", "Zed", ActorRole.Admin));
        await Staff(tenant, s => AddStaff(s, tenant, "u-1", "amy@example.test", "Amy"));

        var byId = await Staff(tenant, s => s.FindAsync("u-2", Ct));
        Assert.NotNull(byId);
        Assert.Equal("Zed", byId.DisplayName);
        Assert.Equal(ActorRole.Admin, byId.Role);
        Assert.True(byId.IsActive);
        Assert.Equal(T0, byId.CreatedAt);
        Assert.Equal("u-2", (await Staff(tenant, s => s.FindByEmailAsync("zed@EXAMPLE.test", Ct)))?.UserId);
        Assert.Null(await Staff(tenant, s => s.FindAsync("u-3", Ct)));
        Assert.Equal(["Amy", "Zed"], (await Staff(tenant, s => s.ListAsync(false, Ct))).Select(m => m.DisplayName));
    }

    [Fact]
    public async Task Adding_the_same_staff_member_twice_is_a_conflict()
    {
        var tenant = NewTenant();
        await Staff(tenant, s => AddStaff(s, tenant, "u-1", "amy@example.test", "Amy"));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Staff(tenant, s => AddStaff(s, tenant, "u-1", "amy2@example.test", "Amy 2")));

        Assert.Equal("staff-exists", error.Code);
        Assert.Equal("Amy", (await Staff(tenant, s => s.FindAsync("u-1", Ct)))!.DisplayName);
    }

    [Fact]
    public async Task Updated_staff_member_is_saved()
    {
        var tenant = NewTenant();
        await Staff(tenant, s => AddStaff(s, tenant, "u-1", "amy@example.test", "Amy"));
        var member = (await Staff(tenant, s => s.FindAsync("u-1", Ct)))!;
        member.DisplayName = "Amy Admin";
        member.Role = ActorRole.Admin;

        await Staff(tenant, async s => { await s.UpdateAsync(member, Ct); return 0; });

        var stored = (await Staff(tenant, s => s.FindAsync("u-1", Ct)))!;
        Assert.Equal("Amy Admin", stored.DisplayName);
        Assert.Equal(ActorRole.Admin, stored.Role);
    }

    [Fact]
    public async Task Inserting_an_assigned_ticket_moves_the_round_robin_cursor_and_a_queued_one_does_not()
    {
        var tenant = NewTenant();
        Task<string?> CursorAsync() => Db.InTenantAsync(tenant, async sp =>
        {
            await using var session = await sp.GetRequiredService<CustomerCare.Assignment.IAssignmentStore>().BeginAsync(Ct);
            var cursor = session.LastAssignedAgentId;
            await session.CommitAsync(cursor, Ct);
            return cursor;
        });
        Assert.Null(await CursorAsync());

        // As the engine's fast path does: a new ticket written already assigned is the assignment, cursor included.
        await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-7"));
        Assert.Equal("agent-7", await CursorAsync());

        await SaveNewAsync(NewTicket(tenant));
        await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Resolved, assigneeId: "agent-3"));
        Assert.Equal("agent-7", await CursorAsync());
    }

    /// <summary>As the engine's fast path does: lock (with the number), hand the cursor to the new ticket, save it assigned, commit.</summary>
    private Task SaveAssignedInSessionAsync(string tenant, TicketChangeSet changes, string agent) => Db.InTenantAsync(tenant, async sp =>
    {
        await using var session = await sp.GetRequiredService<CustomerCare.Assignment.IAssignmentStore>().BeginForNewTicketAsync(Ct);
        session.SaveCursorWithNextChange(agent);
        await sp.GetRequiredService<ITicketStore>().SaveAsync(changes, Ct);
        await session.CommitAsync(agent, Ct);
    });

    private Task<string?> CursorOfAsync(string tenant) => Db.InTenantAsync(tenant, async sp =>
    {
        await using var session = await sp.GetRequiredService<CustomerCare.Assignment.IAssignmentStore>().BeginAsync(Ct);
        var cursor = session.LastAssignedAgentId;
        await session.CommitAsync(cursor, Ct);
        return cursor;
    });

    private static TicketChangeSet AssignedAtCreation(Ticket ticket, out CustomerCare.Notifications.OutboxActivity activity)
    {
        var changes = new TicketChangeSet { Ticket = ticket, IsNew = true, ReferencePrefix = "ACME" };
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Created, T0));
        changes.Events.Add(NewEvent(ticket, TicketEventKind.Assigned, T0.AddMilliseconds(1), "system"));
        activity = new CustomerCare.Notifications.OutboxActivity { TenantId = ticket.TenantId, Kind = TicketEventKind.Assigned, TicketId = ticket.Id, CreatedAt = T0 };
        changes.Activities.Add(activity);
        return changes;
    }

    [Fact]
    public async Task A_new_ticket_saved_in_an_assignment_session_takes_the_locks_number_and_commits_whole_with_it()
    {
        var tenant = NewTenant();
        var first = await SaveNewAsync(NewTicket(tenant));

        var ticket = NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-7");
        var changes = AssignedAtCreation(ticket, out var activity);
        await SaveAssignedInSessionAsync(tenant, changes, "agent-7");

        var stored = await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct));
        Assert.NotNull(stored);
        Assert.Equal(first.Number + 1, stored.Number);
        Assert.Equal($"ACME-{stored.Number}", stored.Reference);
        Assert.Equal((ticket.Number, ticket.Reference), (stored.Number, stored.Reference));
        Assert.Equal("agent-7", stored.AssigneeId);
        Assert.Equal([TicketEventKind.Created, TicketEventKind.Assigned], (await Tickets(tenant, s => s.GetEventsAsync(ticket.Id, Ct))).Select(e => e.Kind));
        Assert.Equal("agent-7", await CursorOfAsync(tenant));
        var outbox = await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().OutboxActivities.AsNoTracking().SingleAsync(a => a.TicketId == ticket.Id, Ct));
        Assert.Equal((TicketEventKind.Assigned, stored.Reference), (outbox.Kind, outbox.TicketReference));
        Assert.Equal(stored.Reference, activity.TicketReference);

        // The session's connection goes back to the pool usable: the next create (in and out of a session) works.
        await SaveAssignedInSessionAsync(tenant, AssignedAtCreation(NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-8"), out _), "agent-8");
        Assert.Equal(first.Number + 3, (await SaveNewAsync(NewTicket(tenant))).Number);
        Assert.Equal("agent-8", await CursorOfAsync(tenant));
    }

    [Fact]
    public async Task A_new_ticket_that_fails_in_an_assignment_session_leaves_no_row_no_number_and_no_cursor_move()
    {
        var tenant = NewTenant();
        var first = await SaveNewAsync(NewTicket(tenant));

        var broken = NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-7");
        var changes = AssignedAtCreation(broken, out _);
        changes.Events[1].Id = changes.Events[0].Id; // same key: the event insert fails after the ticket went in (and before a COMMIT in the same command)
        await Assert.ThrowsAnyAsync<Exception>(() => SaveAssignedInSessionAsync(tenant, changes, "agent-7"));

        Assert.Null(await Tickets(tenant, s => s.FindAsync(broken.Id, Ct)));
        Assert.Null(await CursorOfAsync(tenant));
        Assert.False(await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().OutboxActivities.AnyAsync(a => a.TicketId == broken.Id, Ct)));
        Assert.Equal(0, await Db.InTenantAsync(tenant, sp => sp.GetRequiredService<CustomerCareDbContext>().AgentLoads.CountAsync(l => l.OpenTickets > 0, Ct)));
        Assert.Equal(first.Number + 1, (await SaveNewAsync(NewTicket(tenant))).Number);
    }

    [Fact]
    public async Task Deactivating_staff_unassigns_their_unresolved_tickets_in_one_step()
    {
        var tenant = NewTenant();
        await Staff(tenant, s => AddStaff(s, tenant, "agent-1", "a@example.test", "Agent"));
        var open = await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-1"));
        var pending = await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Pending, assigneeId: "agent-1"));
        var resolved = await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Resolved, assigneeId: "agent-1"));
        var colleague = await SaveNewAsync(NewTicket(tenant, status: TicketStatus.Open, assigneeId: "agent-2"));
        var member = (await Staff(tenant, s => s.FindAsync("agent-1", Ct)))!;
        var unassign = new[] { open, pending }.Select(t => NewEvent(t, TicketEventKind.Assigned, T0.AddDays(1), "admin")).ToList();

        await Staff(tenant, async s => { await s.DeactivateAsync(member, unassign, T0.AddDays(1), Ct); return 0; });

        Assert.False((await Staff(tenant, s => s.FindAsync("agent-1", Ct)))!.IsActive);
        Assert.Empty(await Staff(tenant, s => s.ListAsync(true, Ct)));
        Assert.Single(await Staff(tenant, s => s.ListAsync(false, Ct)));
        foreach (var id in new[] { open.Id, pending.Id })
        {
            var ticket = (await Tickets(tenant, s => s.FindAsync(id, Ct)))!;
            Assert.Equal(TicketStatus.New, ticket.Status);
            Assert.Null(ticket.AssigneeId);
            Assert.Null(ticket.AssigneeName);
            Assert.Equal(2, ticket.Version);
            Assert.Equal(T0.AddDays(1), ticket.UpdatedAt);
            Assert.Contains(await Tickets(tenant, s => s.GetEventsAsync(id, Ct)), e => e.Kind == TicketEventKind.Assigned);
        }
        Assert.Equal("agent-1", (await Tickets(tenant, s => s.FindAsync(resolved.Id, Ct)))!.AssigneeId);
        Assert.Equal("agent-2", (await Tickets(tenant, s => s.FindAsync(colleague.Id, Ct)))!.AssigneeId);
        Assert.Empty(await Tickets(tenant, s => s.GetOpenAssignedAsync("agent-1", Ct)));
    }

    // ------------------------------------------------------------------ customers

    protected static async Task<int> AddCustomer(ICustomerStore store, string tenant, string userId, string name)
    {
        await store.AddIfMissingAsync(new CustomerProfile { TenantId = tenant, UserId = userId, DisplayName = name, Email = $"{userId}@example.test", CreatedAt = T0 }, Ct);
        return 0;
    }

    [Fact]
    public async Task Adding_an_existing_customer_changes_nothing()
    {
        var tenant = NewTenant();
        await Customers(tenant, s => AddCustomer(s, tenant, "cust-1", "First"));

        await Customers(tenant, s => AddCustomer(s, tenant, "cust-1", "Second"));

        var stored = (await Customers(tenant, s => s.FindAsync("cust-1", Ct)))!;
        Assert.Equal("First", stored.DisplayName);
        Assert.Equal("cust-1@example.test", stored.Email);
        Assert.Single(await Customers(tenant, s => s.ListAsync(null, 10, Ct)));
    }

    [Fact]
    public async Task Updated_customer_is_saved()
    {
        var tenant = NewTenant();
        await Customers(tenant, s => AddCustomer(s, tenant, "cust-1", "Carol"));
        var profile = (await Customers(tenant, s => s.FindAsync("cust-1", Ct)))!;
        profile.Phone = "+44 20 7946 0958";

        await Customers(tenant, async s => { await s.UpdateAsync(profile, Ct); return 0; });

        Assert.Equal("+44 20 7946 0958", (await Customers(tenant, s => s.FindAsync("cust-1", Ct)))!.Phone);
    }

    [Fact]
    public async Task Customers_are_listed_by_user_id_after_a_cursor_with_ticket_counts()
    {
        var tenant = NewTenant();
        foreach (var id in new[] { "c-3", "c-1", "c-2", "c-4" }) await Customers(tenant, s => AddCustomer(s, tenant, id, id));
        await SaveNewAsync(NewTicket(tenant, customerId: "c-2"));
        await SaveNewAsync(NewTicket(tenant, customerId: "c-2", status: TicketStatus.Resolved));
        await SaveNewAsync(NewTicket(tenant, customerId: "c-2", status: TicketStatus.Closed));
        await SaveNewAsync(NewTicket(tenant, customerId: "c-3", status: TicketStatus.Pending));

        var first = await Customers(tenant, s => s.ListAsync(null, 2, Ct));
        var second = await Customers(tenant, s => s.ListAsync("c-2", 2, Ct));

        Assert.Equal(["c-1", "c-2"], first.Select(c => c.Profile.UserId));
        Assert.Equal(["c-3", "c-4"], second.Select(c => c.Profile.UserId));
        Assert.Equal((3, 2), (first[1].TicketsRaised, first[1].TicketsResolved));
        Assert.Equal((1, 0), (second[0].TicketsRaised, second[0].TicketsResolved));
        Assert.Equal((0, 0), (first[0].TicketsRaised, first[0].TicketsResolved));
    }

    [Fact]
    public async Task Erasing_a_customer_keeps_tickets_and_messages_under_the_replacement_name()
    {
        var tenant = NewTenant();
        await Customers(tenant, s => AddCustomer(s, tenant, "cust-1", "Carol"));
        await Customers(tenant, s => AddCustomer(s, tenant, "cust-2", "Dave"));
        var ticket = await SaveNewAsync(NewTicket(tenant, customerId: "cust-1"));
        var mine = await AddMessageAsync(ticket, "from carol", author: "cust-1");
        var agents = await AddMessageAsync(ticket, "from agent", author: "agent-1");
        var profile = (await Customers(tenant, s => s.FindAsync("cust-1", Ct)))!;

        await Customers(tenant, async s => { await s.EraseAsync(profile, "deleted user", T0.AddDays(1), Ct); return 0; });

        var erased = (await Customers(tenant, s => s.FindAsync("cust-1", Ct)))!;
        Assert.Equal("deleted user", erased.DisplayName);
        Assert.Null(erased.Email);
        Assert.Null(erased.Phone);
        Assert.Equal(T0.AddDays(1), erased.ErasedAt);
        var storedTicket = (await Tickets(tenant, s => s.FindAsync(ticket.Id, Ct)))!;
        Assert.Equal("deleted user", storedTicket.CustomerName);
        Assert.Equal(ticket.Version + 1, storedTicket.Version);
        Assert.Equal("deleted user", (await Tickets(tenant, s => s.FindMessageAsync(mine.Id, Ct)))!.AuthorName);
        Assert.Equal("from carol", (await Tickets(tenant, s => s.FindMessageAsync(mine.Id, Ct)))!.Body);
        Assert.Equal("Name of agent-1", (await Tickets(tenant, s => s.FindMessageAsync(agents.Id, Ct)))!.AuthorName);
        Assert.Equal(["cust-2"], (await Customers(tenant, s => s.ListAsync(null, 10, Ct))).Select(c => c.Profile.UserId));
    }

    // ------------------------------------------------------------------ tenants

    private static TenantInfo NewTenantInfo(string? identifier = null)
    {
        var id = NewTenant();
        return new TenantInfo
        {
            Id = id,
            Identifier = identifier ?? $"id-{id}",
            Name = "Acme Bank",
            Settings = new TenantSettings
            {
                TicketPrefix = "BANK",
                AgentsMaySelfAssign = true,
                ReopenWindow = TimeSpan.FromDays(3),
                Categories = ["Cards", "Loans"],
                CustomFields = [new CustomFieldDefinition { Key = "account", Label = "Account", Required = true, MaxLength = 34 }],
            },
        };
    }

    [Fact]
    public async Task Tenant_is_added_and_found_by_id_and_identifier()
    {
        var tenant = NewTenantInfo(identifier: $"Acme-{Guid.NewGuid():N}"[..20]);

        await TenantStore(async s => { await s.AddAsync(tenant, Ct); return 0; });

        var byId = await TenantStore(s => s.FindByIdAsync(tenant.Id, Ct));
        Assert.NotNull(byId);
        Assert.Equal("Acme Bank", byId.Name);
        Assert.Equal(TenantStatus.Active, byId.Status);
        Assert.Equal("BANK", byId.Settings.TicketPrefix);
        Assert.True(byId.Settings.AgentsMaySelfAssign);
        Assert.Equal(TimeSpan.FromDays(3), byId.Settings.ReopenWindow);
        Assert.Equal(["Cards", "Loans"], byId.Settings.Categories);
        var field = Assert.Single(byId.Settings.CustomFields);
        Assert.Equal(("account", "Account", true, 34), (field.Key, field.Label, field.Required, field.MaxLength));

        Assert.Equal(tenant.Id, (await TenantStore(s => s.FindByIdentifierAsync(tenant.Identifier.ToUpperInvariant(), Ct)))?.Id);
        Assert.Equal(tenant.Id, (await TenantStore(s => s.FindByIdentifierAsync(tenant.Identifier.ToLowerInvariant(), Ct)))?.Id);
        Assert.Contains(await TenantStore(s => s.GetAllAsync(Ct)), t => t.Id == tenant.Id);
        Assert.Null(await TenantStore(s => s.FindByIdAsync("no-such-tenant", Ct)));
        Assert.Null(await TenantStore(s => s.FindByIdentifierAsync("no-such-tenant", Ct)));
    }

    [Fact]
    public async Task Tenant_is_updated()
    {
        var tenant = NewTenantInfo();
        await TenantStore(async s => { await s.AddAsync(tenant, Ct); return 0; });

        tenant.Name = "Acme Bank plc";
        tenant.Status = TenantStatus.Suspended;
        tenant.Settings.AgentsSeeUnassigned = false;
        tenant.Settings.Categories.Add("Mortgages");
        await TenantStore(async s => { await s.UpdateAsync(tenant, Ct); return 0; });

        var stored = (await TenantStore(s => s.FindByIdAsync(tenant.Id, Ct)))!;
        Assert.Equal("Acme Bank plc", stored.Name);
        Assert.Equal(TenantStatus.Suspended, stored.Status);
        Assert.False(stored.Settings.AgentsSeeUnassigned);
        Assert.Equal(["Cards", "Loans", "Mortgages"], stored.Settings.Categories);
    }

    [Fact]
    public async Task Updating_an_unknown_tenant_is_not_found()
    {
        var tenant = NewTenantInfo();

        await Assert.ThrowsAsync<NotFoundException>(() => TenantStore(async s => { await s.UpdateAsync(tenant, Ct); return 0; }));
    }

    [Fact]
    public async Task Duplicate_tenant_id_or_identifier_is_a_conflict()
    {
        var tenant = NewTenantInfo();
        await TenantStore(async s => { await s.AddAsync(tenant, Ct); return 0; });

        var sameId = new TenantInfo { Id = tenant.Id, Identifier = $"other-{tenant.Id}", Name = "Copy" };
        var sameIdentifier = new TenantInfo { Id = NewTenant(), Identifier = tenant.Identifier.ToUpperInvariant(), Name = "Copy" };

        Assert.Equal("tenant-exists", (await Assert.ThrowsAsync<ConflictException>(() => TenantStore(async s => { await s.AddAsync(sameId, Ct); return 0; }))).Code);
        Assert.Equal("tenant-exists", (await Assert.ThrowsAsync<ConflictException>(() => TenantStore(async s => { await s.AddAsync(sameIdentifier, Ct); return 0; }))).Code);
        Assert.Null(await TenantStore(s => s.FindByIdAsync(sameIdentifier.Id, Ct)));
        Assert.Equal("Acme Bank", (await TenantStore(s => s.FindByIdAsync(tenant.Id, Ct)))!.Name);
    }
}
