using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Benchmarks.Scale;

/// <summary>
/// The raw baselines: the least a host could do with EF Core alone. One insert into a table of the
/// same shape as a ticket, one query by id and the agent-queue keyset query on the very rows
/// CustomerCare stores (<c>cc_tickets</c>, mapped here by the host's own entity).
/// </summary>
internal static class RawEndpoints
{
    private static readonly int[] QueueStatuses = [0, 1, 2];   // new, open, pending

    public static void Map(RouteGroupBuilder raw)
    {
        raw.MapPost("/tickets", CreateAsync);
        raw.MapGet("/tickets/{id:guid}", GetAsync);
        raw.MapGet("/queue", QueueAsync);
    }

    private static async Task<Results<Created<RawTicket>, BadRequest>> CreateAsync(string t, HttpContext context, RawDbContext db)
    {
        var body = await context.Request.ReadFromJsonAsync<RawCreateRequest>(context.RequestAborted);
        if (body is null || string.IsNullOrWhiteSpace(body.Subject) || string.IsNullOrWhiteSpace(body.Description)) return TypedResults.BadRequest();
        var now = DateTimeOffset.UtcNow;
        var row = new RawTicket
        {
            Id = Guid.CreateVersion7(now),
            TenantId = t,
            CustomerId = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            Subject = body.Subject,
            Description = body.Description,
            Status = 0,
            Priority = 1,
            CreatedAt = now,
        };
        db.RawTickets.Add(row);
        await db.SaveChangesAsync(context.RequestAborted);
        return TypedResults.Created($"/raw/{t}/tickets/{row.Id}", row);
    }

    private static async Task<Results<Ok<TicketRow>, NotFound>> GetAsync(string t, Guid id, RawDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.Tickets.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == t && r.Id == id, cancellationToken);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(row);
    }

    private static async Task<Ok<List<TicketRow>>> QueueAsync(string t, string agent, long? cursor, RawDbContext db, CancellationToken cancellationToken)
    {
        var statuses = QueueStatuses;
        var q = db.Tickets.AsNoTracking().Where(r => r.TenantId == t && (r.AssigneeId == agent || r.AssigneeId == null) && statuses.Contains(r.Status));
        if (cursor is { } before) q = q.Where(r => r.Number < before);
        return TypedResults.Ok(await q.OrderByDescending(r => r.Number).Take(26).ToListAsync(cancellationToken));
    }
}

internal sealed record RawCreateRequest(string? Subject, string? Description);

/// <summary>The host's own EF Core context for the baselines (no CustomerCare types).</summary>
internal sealed class RawDbContext(DbContextOptions<RawDbContext> options) : DbContext(options)
{
    public const string RawTable = "bench_raw_tickets";

    public DbSet<RawTicket> RawTickets => Set<RawTicket>();

    public DbSet<TicketRow> Tickets => Set<TicketRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Same storage as CustomerCare's SQLite model: UTC ticks, which SQLite can order.
        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RawTicket>(b =>
        {
            b.ToTable(RawTable);
            b.HasKey(r => r.Id);
        });
        modelBuilder.Entity<TicketRow>(b =>
        {
            b.ToTable("cc_tickets");
            b.HasKey(r => new { r.TenantId, r.Id });
        });
    }

    /// <summary>Creates the baseline table (the library's migrations know nothing of it).</summary>
    public static string CreateTableSql(string provider) => provider == "postgres"
        ? $"""
          CREATE TABLE IF NOT EXISTS "{RawTable}" ("Id" uuid PRIMARY KEY, "TenantId" varchar(64) NOT NULL, "CustomerId" varchar(200) NOT NULL,
            "Subject" varchar(1000) NOT NULL, "Description" text NOT NULL, "Status" integer NOT NULL, "Priority" integer NOT NULL, "CreatedAt" timestamptz NOT NULL)
          """
        : $"""
          CREATE TABLE IF NOT EXISTS "{RawTable}" ("Id" TEXT NOT NULL PRIMARY KEY, "TenantId" TEXT NOT NULL, "CustomerId" TEXT NOT NULL,
            "Subject" TEXT NOT NULL, "Description" TEXT NOT NULL, "Status" INTEGER NOT NULL, "Priority" INTEGER NOT NULL, "CreatedAt" INTEGER NOT NULL)
          """;
}

internal sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

internal sealed class RawTicket
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Description { get; set; } = "";
    public int Status { get; set; }
    public int Priority { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of <c>cc_tickets</c> as a host would map it itself: every column, no conversions.</summary>
internal sealed class TicketRow
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    public long Number { get; set; }
    public string Reference { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Description { get; set; } = "";
    public int Status { get; set; }
    public int Priority { get; set; }
    public string? Category { get; set; }
    public string CustomFields { get; set; } = "{}";
    public string CustomerId { get; set; } = "";
    public string CustomerName { get; set; } = "";
    public string? AssigneeId { get; set; }
    public string? AssigneeName { get; set; }
    public int Channel { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FirstResponseAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int MessageCount { get; set; }
    public long Version { get; set; }
}
