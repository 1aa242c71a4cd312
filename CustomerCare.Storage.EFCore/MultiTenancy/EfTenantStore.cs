using System.Text.Json;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.EntityFrameworkCore;

namespace CustomerCare.Storage.EFCore.MultiTenancy;

/// <summary>Tenants stored in the <c>cc_tenants</c> table.</summary>
internal sealed class EfTenantStore(CustomerCareDbContext db) : ITenantStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TenantInfo?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken)
    {
        var lower = identifier.ToLowerInvariant();
        var record = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Identifier == lower, cancellationToken);
        return record is null ? null : ToTenant(record);
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
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

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
