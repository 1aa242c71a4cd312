using CustomerCare.MultiTenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CustomerCare.SampleHost.Identity;

/// <summary>An Identity user that belongs to exactly one tenant: the same email in two tenants is two accounts.</summary>
public sealed class SampleUser : IdentityUser
{
    /// <summary>The tenant the account belongs to.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Name shown in the helpdesk.</summary>
    public string? DisplayName { get; set; }
}

/// <summary>
/// Identity's tables, scoped to the current tenant: a query filter hides other tenants' users (so
/// sign-in, registration and uniqueness checks only see this tenant) and new users are stamped with it.
/// </summary>
public abstract class SampleIdentityDbContext(DbContextOptions options, ITenantContextAccessor tenant) : IdentityDbContext<SampleUser>(options)
{
    /// <summary>The tenant users are scoped to.</summary>
    public string? CurrentTenantId => tenant.Current?.TenantId;

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<SampleUser>(b =>
        {
            b.Property(u => u.TenantId).HasMaxLength(64);
            b.Property(u => u.DisplayName).HasMaxLength(200);
            foreach (var index in b.Metadata.GetIndexes().ToList()) b.Metadata.RemoveIndex(index);
            b.HasIndex(u => new { u.TenantId, u.NormalizedUserName }).HasDatabaseName("UserNameIndex").IsUnique();
            b.HasIndex(u => new { u.TenantId, u.NormalizedEmail }).HasDatabaseName("EmailIndex");
            b.HasQueryFilter("__tenant__", u => u.TenantId == CurrentTenantId);
        });
    }

    /// <inheritdoc />
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void StampTenant()
    {
        foreach (var entry in ChangeTracker.Entries<SampleUser>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            var tenantId = CurrentTenantId ?? throw new InvalidOperationException("Users can only be changed within a tenant.");
            if (entry.State == EntityState.Added && string.IsNullOrEmpty(entry.Entity.TenantId)) entry.Entity.TenantId = tenantId;
            if (entry.Entity.TenantId != tenantId) throw new InvalidOperationException("Refusing to change a user of another tenant.");
        }
    }
}

/// <summary>Identity on SQLite.</summary>
public sealed class SqliteSampleIdentityDbContext(DbContextOptions<SqliteSampleIdentityDbContext> options, ITenantContextAccessor tenant)
    : SampleIdentityDbContext(options, tenant);

/// <summary>Identity on PostgreSQL.</summary>
public sealed class NpgsqlSampleIdentityDbContext(DbContextOptions<NpgsqlSampleIdentityDbContext> options, ITenantContextAccessor tenant)
    : SampleIdentityDbContext(options, tenant);

internal sealed class NoTenant : ITenantContextAccessor
{
    public TenantContext? Current => null;
}

internal sealed class SqliteIdentityDesignFactory : IDesignTimeDbContextFactory<SqliteSampleIdentityDbContext>
{
    public SqliteSampleIdentityDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteSampleIdentityDbContext>().UseSqlite("Data Source=design.db").Options, new NoTenant());
}

internal sealed class NpgsqlIdentityDesignFactory : IDesignTimeDbContextFactory<NpgsqlSampleIdentityDbContext>
{
    public NpgsqlSampleIdentityDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<NpgsqlSampleIdentityDbContext>().UseNpgsql("Host=localhost;Database=design").Options, new NoTenant());
}
