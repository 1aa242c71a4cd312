namespace CustomerCare.MultiTenancy;

/// <summary>Turns tenant identifiers into tenants.</summary>
public interface ITenantStore
{
    /// <summary>Finds the tenant a strategy's identifier names, or <c>null</c>.</summary>
    Task<TenantInfo?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken);

    /// <summary>Finds a tenant by id, or <c>null</c>.</summary>
    Task<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists every tenant.</summary>
    Task<IReadOnlyList<TenantInfo>> GetAllAsync(CancellationToken cancellationToken);

    /// <summary>Adds a tenant; throws <see cref="Errors.ConflictException"/> when the id or identifier is taken.</summary>
    Task AddAsync(TenantInfo tenant, CancellationToken cancellationToken);

    /// <summary>Saves changes to an existing tenant (name, status, settings).</summary>
    Task UpdateAsync(TenantInfo tenant, CancellationToken cancellationToken);
}

/// <summary>Tenants held in memory, for tenants defined in configuration and for tests.</summary>
public sealed class InMemoryTenantStore : ITenantStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TenantInfo> _byId = new(StringComparer.Ordinal);

    /// <summary>Creates a store holding <paramref name="tenants"/>.</summary>
    public InMemoryTenantStore(IEnumerable<TenantInfo>? tenants = null)
    {
        foreach (var tenant in tenants ?? []) _byId[tenant.Id] = tenant;
    }

    /// <inheritdoc />
    public Task<TenantInfo?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_byId.Values.FirstOrDefault(t => string.Equals(t.Identifier, identifier, StringComparison.OrdinalIgnoreCase)));
    }

    /// <inheritdoc />
    public Task<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_byId.GetValueOrDefault(id));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TenantInfo>> GetAllAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<TenantInfo>>([.. _byId.Values]);
    }

    /// <inheritdoc />
    public Task AddAsync(TenantInfo tenant, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_byId.ContainsKey(tenant.Id) || _byId.Values.Any(t => string.Equals(t.Identifier, tenant.Identifier, StringComparison.OrdinalIgnoreCase)))
                throw new Errors.ConflictException("tenant-exists", $"A tenant with id '{tenant.Id}' or identifier '{tenant.Identifier}' already exists.");
            _byId[tenant.Id] = tenant;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UpdateAsync(TenantInfo tenant, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_byId.ContainsKey(tenant.Id)) throw new Errors.NotFoundException("tenant");
            _byId[tenant.Id] = tenant;
        }
        return Task.CompletedTask;
    }
}
