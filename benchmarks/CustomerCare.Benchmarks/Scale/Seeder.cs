using System.Diagnostics;
using System.Globalization;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace CustomerCare.Benchmarks.Scale;

/// <summary>
/// Generates a helpdesk at scale: tenants, staff and customers through the library's own stores, then
/// tickets and messages bulk-loaded (PostgreSQL binary <c>COPY</c>, SQLite prepared inserts in one
/// transaction per chunk) exactly as the library would have written them: per-tenant numbers from 1001
/// with the tenant's counter moved past them, references, statuses, assignees, message sequences.
/// Tenant 0 is large (half of all tickets); the other tenants share the rest, as on a shared platform.
/// Deterministic: the same sizes give the same rows.
/// </summary>
internal sealed class Seeder(string provider, string connection, IServiceProvider services, int tenantCount)
{
    private const int Chunk = 20_000;
    private static readonly DateTimeOffset Origin = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly long[] _counts = new long[tenantCount];

    public static string TenantId(int index) => $"t{index:D3}";

    public static string AgentId(int index) => $"agent-{index:D2}";

    public static string CustomerId(int index) => $"cust-{index:D5}";

    public const string AdminId = "admin";

    public int Agents(int tenant) => tenant == 0 ? 20 : 5;

    public int Customers(int tenant) => tenant == 0 ? 2000 : 200;

    public long TicketsOf(int tenant) => _counts[tenant];

    public long Total => _counts.Sum();

    /// <summary>Tenants, staff (an admin and agents) and customer profiles, plus the baseline's table.</summary>
    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        var tenants = services.GetRequiredService<ITenantStore>();
        for (var t = 0; t < tenantCount; t++)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ITenantStore>().AddAsync(new TenantInfo
                {
                    Id = TenantId(t),
                    Identifier = TenantId(t),
                    Name = $"Tenant {t}",
                    Settings = new TenantSettings { TicketPrefix = $"T{t:D3}" },
                }, cancellationToken);
            }
            var tenant = await FindTenantAsync(t, cancellationToken);
            using (services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant)))
            {
                await using var scope = services.CreateAsyncScope();
                var staff = scope.ServiceProvider.GetRequiredService<IStaffStore>();
                await staff.AddAsync(new StaffMember { UserId = AdminId, DisplayName = "Admin", Email = $"admin@{tenant.Id}.bench.example", Role = ActorRole.Admin }, cancellationToken);
                for (var a = 0; a < Agents(t); a++)
                    await staff.AddAsync(new StaffMember { UserId = AgentId(a), DisplayName = $"Agent {a}", Email = $"agent{a}@{tenant.Id}.bench.example", Role = ActorRole.Agent }, cancellationToken);
            }
        }
        _ = tenants;

        await using (var db = Open(provider, connection))
        {
            await db.OpenAsync(cancellationToken);
            await using var create = db.CreateCommand();
            create.CommandText = RawDbContext.CreateTableSql(provider);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await InsertCustomersAsync(provider, connection,
            Enumerable.Range(0, tenantCount).SelectMany(t => Enumerable.Range(0, Customers(t)).Select(c => (TenantId(t), new Person(CustomerId(c), $"Customer {c}")))),
            cancellationToken);
    }

    private static System.Data.Common.DbConnection Open(string provider, string connection)
        => provider == "postgres" ? new NpgsqlConnection(connection) : new SqliteConnection(connection);

    /// <summary>Customer profiles (<c>cc_customers</c>) in bulk, as <c>CustomerManager.EnsureProfileAsync</c> would have written them.</summary>
    public static async Task InsertCustomersAsync(string provider, string connection, IEnumerable<(string Tenant, Person Customer)> customers, CancellationToken cancellationToken)
    {
        if (provider == "postgres")
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync(cancellationToken);
            await using var copy = await db.BeginBinaryImportAsync(
                "COPY cc_customers (\"TenantId\", \"UserId\", \"DisplayName\", \"Email\", \"CreatedAt\") FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var (tenant, customer) in customers)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(tenant, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(customer.Id, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(customer.Name, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync($"{customer.Id}@{tenant}.bench.example", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(Origin.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        else
        {
            await using var db = new SqliteConnection(connection);
            await db.OpenAsync(cancellationToken);
            await using var tx = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
            await using var insert = new SqliteCommand("INSERT INTO cc_customers (TenantId, UserId, DisplayName, Email, CreatedAt) VALUES ($t, $u, $n, $e, $c)", db, tx);
            var p = new[] { "$t", "$u", "$n", "$e", "$c" }.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
            foreach (var (tenant, customer) in customers)
            {
                p[0].Value = tenant;
                p[1].Value = customer.Id;
                p[2].Value = customer.Name;
                p[3].Value = $"{customer.Id}@{tenant}.bench.example";
                p[4].Value = SqliteTime(Origin);
                p[4].SqliteType = SqliteType.Integer;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
    }

    private async Task<TenantInfo> FindTenantAsync(int t, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ITenantStore>().FindByIdAsync(TenantId(t), cancellationToken)
               ?? throw new InvalidOperationException($"tenant {TenantId(t)} was not stored");
    }

    /// <summary>How many tickets a tenant has when the whole database holds <paramref name="total"/>.</summary>
    public long Target(int tenant, long total)
    {
        if (tenantCount == 1) return total;
        var big = total / 2;
        if (tenant == 0) return big;
        var rest = total - big;
        var each = rest / (tenantCount - 1);
        return each + (tenant <= rest % (tenantCount - 1) ? 1 : 0);
    }

    /// <summary>Adds tickets (with messages) until the database holds <paramref name="total"/>; returns the seconds it took.</summary>
    public async Task<double> GrowToAsync(long total, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var existing = await CountAsync(cancellationToken);
        for (var t = 0; t < tenantCount; t++)
        {
            var target = Target(t, total);
            var (count, last) = existing.GetValueOrDefault(TenantId(t), (0L, 1000L));
            _counts[t] = count;
            while (_counts[t] < target)
            {
                var from = _counts[t];
                var to = Math.Min(target, from + Chunk);
                var tickets = Generate(Shape(t), HashCode.Combine(t, from), from, to, last + 1 - from);
                last += to - from;
                if (provider == "postgres") await CopyPostgresAsync(TenantId(t), $"T{t:D3}", tickets, last, cancellationToken);
                else await InsertSqliteAsync(TenantId(t), $"T{t:D3}", tickets, last, cancellationToken);
                _counts[t] = to;
            }
        }
        await AnalyzeAsync(cancellationToken);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Refreshes planner statistics, as PostgreSQL's autovacuum does after bulk loads (SQLite: see BENCHMARKS.md).</summary>
    private async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        if (provider == "postgres")
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync(cancellationToken);
            foreach (var table in new[] { "cc_tickets", "cc_messages" })
            {
                await using var command = new NpgsqlCommand($"VACUUM ANALYZE {table}", db) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    internal sealed record GeneratedTicket(Guid Id, long Number, int Status, int Priority, Person Customer, Person? Assignee, DateTimeOffset CreatedAt, int Messages)
    {
        public string CustomerId => Customer.Id;

        public string? AssigneeId => Assignee?.Id;
    }

    /// <summary>A customer or an agent as tickets name them: user id and display name.</summary>
    internal sealed record Person(string Id, string Name);

    /// <summary>Who a tenant's generated tickets are raised by and assigned to.</summary>
    internal sealed record TenantShape(IReadOnlyList<Person> Agents, IReadOnlyList<Person> Customers);

    private TenantShape Shape(int tenant) => new(
        [.. Enumerable.Range(0, Agents(tenant)).Select(a => new Person(AgentId(a), $"Agent {a}"))],
        [.. Enumerable.Range(0, Customers(tenant)).Select(c => new Person(CustomerId(c), $"Customer {CustomerId(c)[5..]}"))]);

    /// <summary>
    /// Bulk-loads <paramref name="count"/> more tickets (with messages) into one tenant of an existing database
    /// (e.g. a tenant of the sample host), numbered after the tenant's highest number, raised by and assigned to
    /// <paramref name="shape"/>'s people, the same mix of statuses as <see cref="GrowToAsync"/>; then refreshes
    /// planner statistics. Returns the seconds it took.
    /// </summary>
    public static async Task<double> LoadTenantAsync(string provider, string connection, string tenantId, string prefix, TenantShape shape, long count, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var seeder = new Seeder(provider, connection, null!, 0);
        var last = (await seeder.CountAsync(cancellationToken)).GetValueOrDefault(tenantId, (0L, 1000L)).Item2;
        await using (System.Data.Common.DbConnection db = provider == "postgres" ? new NpgsqlConnection(connection) : new SqliteConnection(connection))
        {
            await db.OpenAsync(cancellationToken);
            await using var counter = db.CreateCommand();
            counter.CommandText = "SELECT \"LastNumber\" FROM cc_ticket_counters WHERE \"TenantId\" = @t";
            var parameter = counter.CreateParameter();
            parameter.ParameterName = "@t";
            parameter.Value = tenantId;
            counter.Parameters.Add(parameter);
            if (await counter.ExecuteScalarAsync(cancellationToken) is { } n and not DBNull) last = Math.Max(last, Convert.ToInt64(n, CultureInfo.InvariantCulture));
        }
        for (long from = 0; from < count; from += Chunk)
        {
            var to = Math.Min(count, from + Chunk);
            var tickets = Generate(shape, unchecked((int)from * 31 + tenantId.Length), from, to, last + 1 - from);
            last += to - from;
            if (provider == "postgres") await seeder.CopyPostgresAsync(tenantId, prefix, tickets, last, cancellationToken);
            else await seeder.InsertSqliteAsync(tenantId, prefix, tickets, last, cancellationToken);
        }
        await seeder.AnalyzeAsync(cancellationToken);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Tickets per tenant and the tenant's highest number, as stored (tickets raised over HTTP included).</summary>
    private async Task<Dictionary<string, (long Count, long Last)>> CountAsync(CancellationToken cancellationToken)
    {
        await using System.Data.Common.DbConnection db = provider == "postgres" ? new NpgsqlConnection(connection) : new SqliteConnection(connection);
        await db.OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = """SELECT "TenantId", COUNT(*), MAX("Number") FROM cc_tickets GROUP BY "TenantId" """;
        var result = new Dictionary<string, (long, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return result;
    }

    private static List<GeneratedTicket> Generate(TenantShape shape, int seed, long from, long to, long numberOffset)
    {
        var random = new Random(seed);
        var list = new List<GeneratedTicket>((int)(to - from));
        for (var i = from; i < to; i++)
        {
            var created = Origin.AddSeconds(i * 30);
            var r = random.NextDouble();
            // 10 % new (unassigned), 12 % open, 8 % pending, 10 % resolved, 60 % closed.
            var status = r < 0.10 ? TicketStatus.New : r < 0.22 ? TicketStatus.Open : r < 0.30 ? TicketStatus.Pending : r < 0.40 ? TicketStatus.Resolved : TicketStatus.Closed;
            var assignee = status == TicketStatus.New ? null : shape.Agents[random.Next(shape.Agents.Count)];
            list.Add(new GeneratedTicket(Guid.CreateVersion7(created), numberOffset + i, (int)status, random.Next(4),
                shape.Customers[random.Next(shape.Customers.Count)], assignee, created, random.Next(5)));
        }
        return list;
    }

    private static string Subject(GeneratedTicket t) => $"Card payment declined at checkout #{t.Number}";

    private const string Description = "I tried to pay with my card three times this morning and every attempt was declined, although the balance is fine. Please check what is blocking it.";

    private const string Body = "Thank you, we are looking into it and will get back to you shortly with what we found on the account.";

    private async Task CopyPostgresAsync(string id, string prefix, List<GeneratedTicket> tickets, long lastNumber, CancellationToken cancellationToken)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginTransactionAsync(cancellationToken);
        await using (var copy = await db.BeginBinaryImportAsync(
            """COPY cc_tickets ("Id", "TenantId", "Number", "Reference", "Subject", "Description", "Status", "Priority", "CustomFields", "CustomerId", "CustomerName", "AssigneeId", "AssigneeName", "Channel", "CreatedAt", "UpdatedAt", "FirstResponseAt", "ResolvedAt", "ClosedAt", "MessageCount", "Version") FROM STDIN (FORMAT BINARY)""",
            cancellationToken))
        {
            foreach (var t in tickets)
            {
                var updated = t.CreatedAt.AddHours(2).UtcDateTime;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(t.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(t.Number, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync($"{prefix}-{t.Number}", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(Subject(t), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(Description, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(t.Status, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(t.Priority, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync("{}", NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(t.CustomerId, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(t.Customer.Name, NpgsqlDbType.Varchar, cancellationToken);
                if (t.Assignee is null) { await copy.WriteNullAsync(cancellationToken); await copy.WriteNullAsync(cancellationToken); }
                else
                {
                    await copy.WriteAsync(t.Assignee.Id, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync(t.Assignee.Name, NpgsqlDbType.Varchar, cancellationToken);
                }
                await copy.WriteAsync((int)TicketChannel.Web, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(t.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(updated, NpgsqlDbType.TimestampTz, cancellationToken);
                if (t.AssigneeId is null || t.Messages < 2) await copy.WriteNullAsync(cancellationToken);
                else await copy.WriteAsync(t.CreatedAt.AddMinutes(30).UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                if (t.Status >= (int)TicketStatus.Resolved) await copy.WriteAsync(updated, NpgsqlDbType.TimestampTz, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                if (t.Status == (int)TicketStatus.Closed) await copy.WriteAsync(updated, NpgsqlDbType.TimestampTz, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(t.Messages, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(1L + t.Messages, NpgsqlDbType.Bigint, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var copy = await db.BeginBinaryImportAsync(
            """COPY cc_messages ("Id", "TenantId", "TicketId", "Sequence", "AuthorId", "AuthorName", "AuthorRole", "Body", "Visibility", "CreatedAt") FROM STDIN (FORMAT BINARY)""",
            cancellationToken))
        {
            foreach (var t in tickets)
            {
                for (var s = 1; s <= t.Messages; s++)
                {
                    var (author, name, role) = Author(t, s);
                    var at = t.CreatedAt.AddMinutes(s);
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync(t.Id, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(s, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(author, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync(name, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync((int)role, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(Body, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync((int)MessageVisibility.Public, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(at.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                }
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var counter = new NpgsqlCommand(
            """INSERT INTO cc_ticket_counters ("TenantId", "LastNumber") VALUES (@t, @n) ON CONFLICT ("TenantId") DO UPDATE SET "LastNumber" = GREATEST(cc_ticket_counters."LastNumber", @n)""", db, tx))
        {
            counter.Parameters.AddWithValue("t", id);
            counter.Parameters.AddWithValue("n", lastNumber);
            await counter.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    private static (string Id, string Name, ActorRole Role) Author(GeneratedTicket t, int sequence)
        => sequence % 2 == 0 && t.Assignee is not null
            ? (t.Assignee.Id, t.Assignee.Name, ActorRole.Agent)
            : (t.Customer.Id, t.Customer.Name, ActorRole.Customer);

    /// <summary>What CustomerCare's SQLite model stores for a <see cref="DateTimeOffset"/>: UTC ticks (so that SQLite can order them).</summary>
    private static long SqliteTime(DateTimeOffset value) => value.UtcTicks;

    /// <summary>The text EF Core's SQLite provider stores for a <see cref="Guid"/> (upper case).</summary>
    private static string SqliteGuid(Guid value) => value.ToString().ToUpperInvariant();

    private async Task InsertSqliteAsync(string id, string prefix, List<GeneratedTicket> tickets, long lastNumber, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(connection);
        await db.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        await using var ticket = new SqliteCommand(
            """
            INSERT INTO cc_tickets (Id, TenantId, Number, Reference, Subject, Description, Status, Priority, CustomFields, CustomerId, CustomerName,
              AssigneeId, AssigneeName, Channel, CreatedAt, UpdatedAt, FirstResponseAt, ResolvedAt, ClosedAt, MessageCount, Version)
            VALUES ($id, $tenant, $number, $reference, $subject, $description, $status, $priority, '{}', $customer, $customerName,
              $assignee, $assigneeName, 0, $created, $updated, $firstResponse, $resolved, $closed, $messages, $version)
            """, db, tx);
        string[] names = ["$id", "$tenant", "$number", "$reference", "$subject", "$description", "$status", "$priority", "$customer", "$customerName",
            "$assignee", "$assigneeName", "$created", "$updated", "$firstResponse", "$resolved", "$closed", "$messages", "$version"];
        var tp = names.ToDictionary(n => n, n => ticket.Parameters.Add(new SqliteParameter { ParameterName = n }));
        await using var message = new SqliteCommand(
            """
            INSERT INTO cc_messages (Id, TenantId, TicketId, Sequence, AuthorId, AuthorName, AuthorRole, Body, Visibility, CreatedAt)
            VALUES ($id, $tenant, $ticket, $sequence, $author, $name, $role, $body, 0, $created)
            """, db, tx);
        var mp = new[] { "$id", "$tenant", "$ticket", "$sequence", "$author", "$name", "$role", "$body", "$created" }
            .ToDictionary(n => n, n => message.Parameters.Add(new SqliteParameter { ParameterName = n }));
        foreach (var t in tickets)
        {
            var updated = SqliteTime(t.CreatedAt.AddHours(2));
            tp["$id"].Value = SqliteGuid(t.Id);
            tp["$tenant"].Value = id;
            tp["$number"].Value = t.Number;
            tp["$reference"].Value = $"{prefix}-{t.Number}";
            tp["$subject"].Value = Subject(t);
            tp["$description"].Value = Description;
            tp["$status"].Value = t.Status;
            tp["$priority"].Value = t.Priority;
            tp["$customer"].Value = t.CustomerId;
            tp["$customerName"].Value = t.Customer.Name;
            tp["$assignee"].Value = (object?)t.AssigneeId ?? DBNull.Value;
            tp["$assigneeName"].Value = (object?)t.Assignee?.Name ?? DBNull.Value;
            tp["$created"].Value = SqliteTime(t.CreatedAt);
            tp["$updated"].Value = updated;
            tp["$firstResponse"].Value = t.AssigneeId is null || t.Messages < 2 ? DBNull.Value : (object)SqliteTime(t.CreatedAt.AddMinutes(30));
            tp["$resolved"].Value = t.Status >= (int)TicketStatus.Resolved ? (object)updated : DBNull.Value;
            tp["$closed"].Value = t.Status == (int)TicketStatus.Closed ? (object)updated : DBNull.Value;
            tp["$messages"].Value = t.Messages;
            tp["$version"].Value = 1L + t.Messages;
            await ticket.ExecuteNonQueryAsync(cancellationToken);
            for (var s = 1; s <= t.Messages; s++)
            {
                var (author, name, role) = Author(t, s);
                var at = t.CreatedAt.AddMinutes(s);
                mp["$id"].Value = SqliteGuid(Guid.CreateVersion7(at));
                mp["$tenant"].Value = id;
                mp["$ticket"].Value = SqliteGuid(t.Id);
                mp["$sequence"].Value = s;
                mp["$author"].Value = author;
                mp["$name"].Value = name;
                mp["$role"].Value = (int)role;
                mp["$body"].Value = Body;
                mp["$created"].Value = SqliteTime(at);
                await message.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using (var counter = new SqliteCommand(
            """INSERT INTO cc_ticket_counters (TenantId, LastNumber) VALUES ($t, $n) ON CONFLICT (TenantId) DO UPDATE SET LastNumber = MAX(LastNumber, $n)""", db, tx))
        {
            counter.Parameters.AddWithValue("$t", id);
            counter.Parameters.AddWithValue("$n", lastNumber);
            await counter.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Reads seeded rows back through the library's store, so a seeding mistake fails the run instead of skewing it.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        var tenant = await FindTenantAsync(0, cancellationToken);
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(tenant));
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ITicketStore>();
        var page = await store.QueryAsync(new TicketQuery { Limit = 5 }, cancellationToken);
        if (page.Count == 0 || page.Select(p => p.Number).Distinct().Count() != page.Count)
            throw new InvalidOperationException("seeded tickets do not read back in order");
        var found = await store.FindAsync(page[^1].Id, cancellationToken) ?? throw new InvalidOperationException("a seeded ticket is not found by id");
        var messages = await store.GetMessagesAsync(found.Id, 0, 10, true, cancellationToken);
        if (messages.Count != found.MessageCount) throw new InvalidOperationException($"ticket {found.Reference}: {messages.Count} messages read back, {found.MessageCount} expected");
    }
}
