using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CustomerCare;

/// <summary>Configures CustomerCare's services; returned by <c>services.AddCustomerCare()</c>.</summary>
public sealed class CustomerCareBuilder
{
    internal CustomerCareBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for package-specific extension methods.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a notifier that receives ticket activity (several may be added).</summary>
    public CustomerCareBuilder AddNotifier<TNotifier>() where TNotifier : class, ITicketNotifier
    {
        Services.TryAddEnumerable(ServiceDescriptor.Scoped<ITicketNotifier, TNotifier>());
        return this;
    }

    /// <summary>
    /// Adds a notification channel (email, webhook, SMS, …). Every registered channel gets its own outbox
    /// row per recipient, delivered, retried and dead-lettered on its own. Without any channel, no
    /// notification is written.
    /// </summary>
    public CustomerCareBuilder AddNotificationChannel<TChannel>() where TChannel : class, INotificationChannel
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, TChannel>());
        return this;
    }

    /// <summary>Configures notifications: batching window, retries, dispatcher (also <c>AddCustomerCare(o => o.Notifications…)</c>).</summary>
    public CustomerCareBuilder ConfigureNotifications(Action<NotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<CustomerCareOptions>(o => configure(o.Notifications));
        return this;
    }

    /// <summary>Replaces how principals become actors (e.g. to map a host's own role claims).</summary>
    public CustomerCareBuilder ReplaceActorResolver<TResolver>() where TResolver : class, IActorResolver
    {
        Services.Replace(ServiceDescriptor.Scoped<IActorResolver, TResolver>());
        return this;
    }

    /// <summary>
    /// Adds an assignment strategy that tenants can choose by its name (besides the built-in
    /// <c>manual</c>, <c>round-robin</c> and <c>least-loaded</c>), e.g. a model that predicts the best agent.
    /// </summary>
    public CustomerCareBuilder AddAssignmentStrategy<TStrategy>() where TStrategy : class, IAssignmentStrategy
    {
        Services.TryAddEnumerable(ServiceDescriptor.Scoped<IAssignmentStrategy, TStrategy>());
        return this;
    }

    /// <summary>Sets how staff accounts are created in the host when an admin adds an agent.</summary>
    public CustomerCareBuilder AddStaffAccountProvisioner<TProvisioner>() where TProvisioner : class, IStaffAccountProvisioner
    {
        Services.Replace(ServiceDescriptor.Scoped<IStaffAccountProvisioner, TProvisioner>());
        return this;
    }

    /// <summary>Sets how the host deletes a person's account when their personal data is erased.</summary>
    public CustomerCareBuilder AddUserAccountEraser<TEraser>() where TEraser : class, IUserAccountEraser
    {
        Services.Replace(ServiceDescriptor.Scoped<IUserAccountEraser, TEraser>());
        return this;
    }

    /// <summary>Uses tenants defined in code or configuration, held in memory.</summary>
    public CustomerCareBuilder AddInMemoryTenants(params TenantInfo[] tenants)
    {
        Services.Replace(ServiceDescriptor.Singleton<ITenantStore>(new InMemoryTenantStore(tenants)));
        return this;
    }
}

/// <summary>Marks that <c>AddCustomerCare</c> ran, so that later calls can fail fast with a useful message.</summary>
internal sealed class CustomerCareMarker;
