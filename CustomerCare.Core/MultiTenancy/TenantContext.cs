namespace CustomerCare.MultiTenancy;

/// <summary>The tenant a unit of work runs for. Immutable: switching tenant means setting a new context.</summary>
public sealed class TenantContext
{
    /// <summary>Creates a context for <paramref name="tenant"/>.</summary>
    public TenantContext(TenantInfo tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        Tenant = tenant;
    }

    /// <summary>The current tenant.</summary>
    public TenantInfo Tenant { get; }

    /// <summary>Shortcut for <c>Tenant.Id</c>.</summary>
    public string TenantId => Tenant.Id;
}

/// <summary>Reads the tenant of the current unit of work. Read-only on purpose: only the resolver sets it.</summary>
public interface ITenantContextAccessor
{
    /// <summary>The current tenant context, or <c>null</c> when none was resolved.</summary>
    TenantContext? Current { get; }
}

/// <summary>Sets the tenant of the current asynchronous flow. Used by tenant resolution, background jobs and tests.</summary>
public interface ITenantContextSetter
{
    /// <summary>Makes <paramref name="context"/> current until the returned scope is disposed.</summary>
    IDisposable BeginScope(TenantContext? context);
}

/// <summary>Flows the tenant context with the asynchronous call chain.</summary>
internal sealed class AsyncLocalTenantContextAccessor : ITenantContextAccessor, ITenantContextSetter
{
    private static readonly AsyncLocal<TenantContext?> CurrentContext = new();

    public TenantContext? Current => CurrentContext.Value;

    public IDisposable BeginScope(TenantContext? context)
    {
        var previous = CurrentContext.Value;
        CurrentContext.Value = context;
        return new Restore(previous);
    }

    private sealed class Restore(TenantContext? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            CurrentContext.Value = previous;
        }
    }
}
