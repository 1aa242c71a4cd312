using System.Text.Json;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.MultiTenancy;

/// <summary>
/// Tenants stored in the <c>cc_tenants</c> table. Look-ups by identifier (every request's tenant resolution) go
/// through <see cref="TenantCache"/>; look-ups by id always read the table, because callers change what they read.
/// </summary>
internal sealed class EfTenantStore(CustomerCareDbContext db, TenantCache cache) : ITenantStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TenantInfo?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken)
    {
        var lower = identifier.ToLowerInvariant();
        if (cache.TryGet(lower, out var cached)) return ToTenant(cached);
        var version = cache.Version;
        var record = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Identifier == lower, cancellationToken);
        if (record is null) return null;
        cache.Set(lower, record, version);
        return ToTenant(record);
    }

    public async Task<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        var record = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        return record is null ? null : ToTenant(record);
    }

    public async Task<IReadOnlyList<TenantInfo>> GetAllAsync(CancellationToken cancellationToken)
        => [.. (await db.Tenants.AsNoTracking().OrderBy(t => t.Id).ToListAsync(cancellationToken)).Select(ToTenant)];

    public async Task AddAsync(TenantInfo tenant, CancellationToken cancellationToken)
    {
        try
        {
            db.Tenants.Add(ToRecord(tenant));
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Tickets.EfTicketStore.IsUniqueViolation(ex))
        {
            throw new ConflictException("tenant-exists", $"A tenant with id '{tenant.Id}' or identifier '{tenant.Identifier}' already exists.");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task UpdateAsync(TenantInfo tenant, CancellationToken cancellationToken)
    {
        try
        {
            var record = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenant.Id, cancellationToken) ?? throw new NotFoundException("tenant");
            record.Name = tenant.Name;
            record.Status = tenant.Status;
            record.SettingsJson = JsonSerializer.Serialize(tenant.Settings, Json);
            await db.SaveChangesAsync(cancellationToken);
            cache.Remove(record.Identifier);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    // A new instance per call: callers may change what they get without touching the cached copy.
    private static TenantInfo ToTenant(TenantRecord r) => new()
    {
        Id = r.Id,
        Identifier = r.Identifier,
        Name = r.Name,
        Status = r.Status,
        Settings = JsonSerializer.Deserialize<TenantSettings>(r.SettingsJson, Json) ?? new TenantSettings(),
    };

    private static TenantRecord ToRecord(TenantInfo t) => new()
    {
        Id = t.Id,
        Identifier = t.Identifier.ToLowerInvariant(),
        Name = t.Name,
        Status = t.Status,
        SettingsJson = JsonSerializer.Serialize(t.Settings, Json),
    };
}

/// <summary>
/// Tenants by identifier for <see cref="CacheOptions.TenantDuration"/>. Kept as detached copies of their rows so that
/// every caller gets its own <see cref="TenantInfo"/>. Changes saved through this host instance clear the entry at once.
/// </summary>
internal sealed class TenantCache(TimeProvider time, Microsoft.Extensions.Options.IOptions<CustomerCareOptions> options)
{
    private readonly Caching.ExpiringCache<string, TenantRecord> _entries = new(time, maxEntries: 100_000, StringComparer.Ordinal);

    public long Version => _entries.Version;

    public bool TryGet(string identifier, out TenantRecord record) => _entries.TryGet(identifier, out record);

    public void Set(string identifier, TenantRecord record, long versionBeforeRead) => _entries.Set(identifier, new TenantRecord
    {
        Id = record.Id,
        Identifier = record.Identifier,
        Name = record.Name,
        Status = record.Status,
        SettingsJson = record.SettingsJson,
    }, options.Value.Caching.TenantDuration, versionBeforeRead);

    public void Remove(string identifier) => _entries.Remove(identifier);
}
