using System.Text.Json;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CustomerCare.Storage.EFCore;

/// <summary>
/// CustomerCare's EF Core model. Every tenant-owned entity has a <c>TenantId</c> with the named
/// query filter <see cref="TenantFilter"/>, and <c>SaveChanges</c> refuses rows of another tenant.
/// Provider-specific subclasses carry each provider's migrations.
/// </summary>
public abstract class CustomerCareDbContext : DbContext
{
    /// <summary>The name of the query filter that scopes every tenant-owned entity to the current tenant.</summary>
    public const string TenantFilter = "__tenant__";

    private readonly ITenantContextAccessor _tenant;

    /// <summary>Creates the context; the tenant accessor scopes queries and writes.</summary>
    protected CustomerCareDbContext(DbContextOptions options, ITenantContextAccessor tenant) : base(options)
    {
        _tenant = tenant;
        // EF Core wraps each SaveChanges inside an explicit transaction in a savepoint, so that the transaction could go on
        // after a failed save. No store goes on after a failure (the transaction is rolled back), and on PostgreSQL each
        // savepoint costs two more round trips (SAVEPOINT, RELEASE) per change.
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>The tenant queries and writes are scoped to, read at the time of each query.</summary>
    public string? CurrentTenantId => _tenant.Current?.TenantId;

    /// <summary>A ticket number an assignment session took with its lock, for the new ticket saved in it.</summary>
    internal long? ReservedTicketNumber { get; set; }

    /// <summary>
    /// Set by an assignment session whose last write is the new ticket (PostgreSQL): the ticket's command ends with
    /// <c>COMMIT</c>, one round trip fewer, and sets <see cref="NewTicketCommitted"/>. Cleared when the session ends.
    /// </summary>
    internal bool CommitWithNewTicket { get; set; }

    /// <summary>Whether the new ticket's command committed the session's transaction (<see cref="CommitWithNewTicket"/>).</summary>
    internal bool NewTicketCommitted { get; set; }

    /// <summary>The optimistic assignment the next new ticket is written under, if any (<c>IAssignmentStore.GuardNextNewTicket</c>).</summary>
    internal Assignment.EfAssignmentGuard? AssignmentGuard { get; set; }

    internal DbSet<TenantRecord> Tenants => Set<TenantRecord>();
    internal DbSet<Ticket> Tickets => Set<Ticket>();
    internal DbSet<TicketMessage> Messages => Set<TicketMessage>();
    internal DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    internal DbSet<TicketCounter> TicketCounters => Set<TicketCounter>();
    internal DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    internal DbSet<StaffMember> Staff => Set<StaffMember>();
    internal DbSet<CustomerProfile> Customers => Set<CustomerProfile>();
    internal DbSet<Assignment.AssignmentState> AssignmentStates => Set<Assignment.AssignmentState>();
    internal DbSet<Assignment.AgentLoad> AgentLoads => Set<Assignment.AgentLoad>();
    internal DbSet<CustomerCare.Notifications.OutboxNotification> Notifications => Set<CustomerCare.Notifications.OutboxNotification>();
    internal DbSet<CustomerCare.Notifications.OutboxActivity> OutboxActivities => Set<CustomerCare.Notifications.OutboxActivity>();
    internal DbSet<CustomerCare.Notifications.NotificationOptOut> NotificationOptOuts => Set<CustomerCare.Notifications.NotificationOptOut>();
    internal DbSet<CustomerCare.Notifications.NotificationTemplate> NotificationTemplates => Set<CustomerCare.Notifications.NotificationTemplate>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TenantRecord>(b =>
        {
            b.ToTable("cc_tenants");
            b.HasKey(t => t.Id);
            b.Property(t => t.Id).HasMaxLength(64);
            b.Property(t => t.Identifier).HasMaxLength(64);
            b.Property(t => t.Name).HasMaxLength(200);
            b.HasIndex(t => t.Identifier).IsUnique();
        });

        modelBuilder.Entity<Ticket>(b =>
        {
            b.ToTable("cc_tickets");
            TenantOwned(b);
            b.HasKey(t => new { t.TenantId, t.Id });
            b.HasIndex(t => new { t.TenantId, t.Number }).IsUnique();
            b.HasIndex(t => new { t.TenantId, t.AssigneeId, t.Number });
            b.HasIndex(t => new { t.TenantId, t.CustomerId, t.Number });
            b.HasIndex(t => new { t.TenantId, t.Status, t.Number });
            b.HasIndex(t => new { t.TenantId, t.Status, t.Priority, t.Number });
            b.Property(t => t.Reference).HasMaxLength(40);
            b.Property(t => t.Subject).HasMaxLength(1000);
            b.Property(t => t.Category).HasMaxLength(100);
            b.Property(t => t.CustomerId).HasMaxLength(200);
            b.Property(t => t.CustomerName).HasMaxLength(200);
            b.Property(t => t.AssigneeId).HasMaxLength(200);
            b.Property(t => t.AssigneeName).HasMaxLength(200);
            b.Property(t => t.Version).IsConcurrencyToken();
            b.Property(t => t.CustomFields).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                    v => v.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
                    v => new Dictionary<string, string>(v)));
        });

        modelBuilder.Entity<TicketMessage>(b =>
        {
            b.ToTable("cc_messages");
            TenantOwned(b);
            b.HasKey(m => new { m.TenantId, m.Id });
            b.HasIndex(m => new { m.TenantId, m.TicketId, m.Sequence }).IsUnique();
            b.HasOne<Ticket>().WithMany().HasForeignKey(m => new { m.TenantId, m.TicketId }).OnDelete(DeleteBehavior.Cascade);
            b.Property(m => m.AuthorId).HasMaxLength(200);
            b.Property(m => m.AuthorName).HasMaxLength(200);
        });

        modelBuilder.Entity<TicketEvent>(b =>
        {
            b.ToTable("cc_ticket_events");
            TenantOwned(b);
            b.HasKey(e => new { e.TenantId, e.Id });
            b.HasIndex(e => new { e.TenantId, e.TicketId, e.CreatedAt });
            b.HasOne<Ticket>().WithMany().HasForeignKey(e => new { e.TenantId, e.TicketId }).OnDelete(DeleteBehavior.Cascade);
            b.Property(e => e.ActorId).HasMaxLength(200);
            b.Property(e => e.AssigneeId).HasMaxLength(200);
            b.Property(e => e.Detail).HasMaxLength(500);
        });

        modelBuilder.Entity<TicketCounter>(b =>
        {
            b.ToTable("cc_ticket_counters");
            TenantOwned(b);
            b.HasKey(c => c.TenantId);
        });

        modelBuilder.Entity<IdempotencyRecord>(b =>
        {
            b.ToTable("cc_idempotency");
            TenantOwned(b);
            b.HasKey(r => new { r.TenantId, r.UserId, r.Key });
            b.Property(r => r.UserId).HasMaxLength(200);
            b.Property(r => r.Key).HasMaxLength(200);
            b.Property(r => r.RequestHash).HasMaxLength(64);
        });

        modelBuilder.Entity<StaffMember>(b =>
        {
            b.ToTable("cc_staff");
            TenantOwned(b);
            b.HasKey(s => new { s.TenantId, s.UserId });
            b.HasIndex(s => new { s.TenantId, s.Email });
            b.Property(s => s.UserId).HasMaxLength(200);
            b.Property(s => s.Email).HasMaxLength(254);
            b.Property(s => s.DisplayName).HasMaxLength(200);
            b.Property(s => s.Groups).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<string>>(v, JsonSerializerOptions.Default) ?? new List<string>(),
                new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, g) => HashCode.Combine(h, g)), v => v.ToList()))
                .HasMaxLength(6000);
        });

        modelBuilder.Entity<Assignment.AssignmentState>(b =>
        {
            b.ToTable("cc_assignment_state");
            TenantOwned(b);
            b.HasKey(s => s.TenantId);
            b.Property(s => s.LastAssignedAgentId).HasMaxLength(200);
        });

        modelBuilder.Entity<Assignment.AgentLoad>(b =>
        {
            // Kept by database triggers on cc_tickets and cc_staff (migration AgentLoadCounters), never written by EF.
            b.ToTable("cc_agent_loads");
            TenantOwned(b);
            b.HasKey(l => new { l.TenantId, l.AgentId });
            b.Property(l => l.AgentId).HasMaxLength(200);
        });

        modelBuilder.Entity<CustomerProfile>(b =>
        {
            b.ToTable("cc_customers");
            TenantOwned(b);
            b.HasKey(c => new { c.TenantId, c.UserId });
            b.Property(c => c.UserId).HasMaxLength(200);
            b.Property(c => c.Email).HasMaxLength(254);
            b.Property(c => c.DisplayName).HasMaxLength(200);
            b.Property(c => c.Phone).HasMaxLength(40);
        });

        modelBuilder.Entity<CustomerCare.Notifications.OutboxNotification>(b =>
        {
            b.ToTable("cc_notifications");
            TenantOwned(b);
            b.HasKey(n => new { n.TenantId, n.Id });
            // The dispatcher claims due rows of every tenant: the one index not led by TenantId (see ModelTests).
            // Partial (same SQL on SQLite and PostgreSQL): sent and dead rows leave it, so the queue's index stays small.
            b.HasIndex(n => new { n.Status, n.NextAttemptAt }).HasDatabaseName("IX_cc_notifications_due").HasFilter("\"Status\" IN (0, 1)");
            // The other indexes are partial too, so that writing a new (pending) row, which happens inside the
            // transaction of the change that causes it, touches only the primary key and the due index.
            b.HasIndex(n => new { n.TenantId, n.Id }).HasDatabaseName("IX_cc_notifications_dead").HasFilter("\"Status\" = 3");
            b.HasIndex(n => new { n.TenantId, n.CoalesceKey }).HasFilter("\"CoalesceKey\" IS NOT NULL");
            b.HasIndex(n => new { n.TenantId, n.RecipientUserId }).HasDatabaseName("IX_cc_notifications_sent").HasFilter("\"Status\" = 2");
            b.Property(n => n.Channel).HasMaxLength(40);
            b.Property(n => n.RecipientUserId).HasMaxLength(200);
            b.Property(n => n.RecipientAddress).HasMaxLength(500);
            b.Property(n => n.RecipientName).HasMaxLength(200);
            b.Property(n => n.TicketReference).HasMaxLength(40);
            b.Property(n => n.CoalesceKey).HasMaxLength(400);
            b.Property(n => n.LastError).HasMaxLength(500);
            b.Property(n => n.ClaimedBy).HasMaxLength(100);
        });

        modelBuilder.Entity<CustomerCare.Notifications.OutboxActivity>(b =>
        {
            b.ToTable("cc_outbox_activities");
            TenantOwned(b);
            // The dispatcher takes activities of every tenant in the order they were written, so the key is the database's
            // own sequence and nothing else is indexed: writing one costs a single row (on SQLite the rowid itself; no
            // AUTOINCREMENT, whose bookkeeping table would be a second write).
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedOnAdd().HasAnnotation("Sqlite:ValueGenerationStrategy", Microsoft.EntityFrameworkCore.Metadata.SqliteValueGenerationStrategy.None);
            b.Property(a => a.TicketReference).HasMaxLength(40);
        });

        modelBuilder.Entity<CustomerCare.Notifications.NotificationOptOut>(b =>
        {
            b.ToTable("cc_notification_optouts");
            TenantOwned(b);
            b.HasKey(o => new { o.TenantId, o.UserId, o.Kind });
            b.Property(o => o.UserId).HasMaxLength(200);
        });

        modelBuilder.Entity<CustomerCare.Notifications.NotificationTemplate>(b =>
        {
            b.ToTable("cc_notification_templates");
            TenantOwned(b);
            b.HasKey(t => new { t.TenantId, t.Kind });
            b.Property(t => t.Subject).HasMaxLength(300);
        });
    }

    private void TenantOwned<T>(EntityTypeBuilder<T> b) where T : class
    {
        b.Property<string>("TenantId").HasMaxLength(64).IsRequired();
        b.HasQueryFilter(TenantFilter, e => EF.Property<string>(e, "TenantId") == CurrentTenantId);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        EnforceTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc />
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        EnforceTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Stamps added rows with the current tenant; refuses writes without a tenant or to another tenant's rows.</summary>
    private void EnforceTenant()
    {
        var tenantId = CurrentTenantId;
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            var property = entry.Metadata.FindProperty("TenantId");
            if (property is null) continue;
            if (tenantId is null)
                throw new TenantMismatchException($"Cannot save a {entry.Metadata.ClrType.Name} without a current tenant. Set one with ITenantContextSetter.BeginScope.");

            var current = entry.Property("TenantId");
            if (entry.State == EntityState.Added)
            {
                if (string.IsNullOrEmpty((string?)current.CurrentValue)) current.CurrentValue = tenantId;
                else if (!string.Equals((string?)current.CurrentValue, tenantId, StringComparison.Ordinal))
                    throw new TenantMismatchException($"Refusing to add a {entry.Metadata.ClrType.Name} of tenant '{current.CurrentValue}' while the current tenant is '{tenantId}'.");
            }
            else if (!string.Equals((string?)current.OriginalValue, tenantId, StringComparison.Ordinal)
                     || !string.Equals((string?)current.CurrentValue, tenantId, StringComparison.Ordinal))
            {
                throw new TenantMismatchException($"Refusing to change a {entry.Metadata.ClrType.Name} of tenant '{current.OriginalValue}' while the current tenant is '{tenantId}'.");
            }
        }
    }
}

/// <summary>Thrown when a write would cross tenants or happen without a tenant. Always a bug in the caller.</summary>
public sealed class TenantMismatchException(string message) : InvalidOperationException(message);

/// <summary>A tenant as stored.</summary>
internal sealed class TenantRecord
{
    public string Id { get; set; } = "";
    public string Identifier { get; set; } = "";
    public string Name { get; set; } = "";
    public TenantStatus Status { get; set; }
    public string SettingsJson { get; set; } = "{}";
}

/// <summary>The last ticket number handed out in a tenant.</summary>
internal sealed class TicketCounter
{
    public string TenantId { get; set; } = "";
    public long LastNumber { get; set; }
}
