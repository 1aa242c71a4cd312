using CustomerCare;
using CustomerCare.Assignment;
using CustomerCare.Customers;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds CustomerCare to a service collection.</summary>
public static class CustomerCareServiceCollectionExtensions
{
    /// <summary>
    /// Adds CustomerCare's core services and returns a builder to choose storage, tenancy and
    /// notifiers. Options are validated when the host starts.
    /// </summary>
    public static CustomerCareBuilder AddCustomerCare(this IServiceCollection services, Action<CustomerCareOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CustomerCareOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CustomerCareOptions>, CustomerCareOptionsValidator>());

        services.TryAddSingleton<CustomerCareMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AsyncLocalTenantContextAccessor>();
        services.TryAddSingleton<ITenantContextAccessor>(sp => sp.GetRequiredService<AsyncLocalTenantContextAccessor>());
        services.TryAddSingleton<ITenantContextSetter>(sp => sp.GetRequiredService<AsyncLocalTenantContextAccessor>());
        services.TryAddSingleton<ITenantStore>(_ => new InMemoryTenantStore());

        services.TryAddScoped<CustomerCare.Actors.IActorResolver>(sp => new CustomerCare.Actors.ClaimsActorResolver(
            sp.GetRequiredService<CustomerCare.Actors.IActorDirectory>(), sp.GetRequiredService<CustomerManager>(), sp.GetRequiredService<CustomerCare.Actors.ActorCache>(),
            sp.GetRequiredService<IOptions<CustomerCareOptions>>()));
        services.TryAddScoped<CustomerCare.Actors.IActorDirectory>(sp => new CustomerCare.Actors.StoreActorDirectory(
            sp.GetRequiredService<IStaffStore>(), sp.GetRequiredService<ICustomerStore>()));
        services.TryAddSingleton(sp => new CustomerCare.Actors.ActorCache(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<CustomerCareOptions>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssignmentStrategy, ManualAssignmentStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssignmentStrategy, RoundRobinAssignmentStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssignmentStrategy, LeastLoadedAssignmentStrategy>());
        services.TryAddScoped(sp => new AssignmentEngine(
            sp.GetRequiredService<IAssignmentStore>(),
            sp.GetRequiredService<IStaffStore>(),
            sp.GetServices<IAssignmentStrategy>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<NotificationPlanner>(),
            sp.GetRequiredService<StaffDirectoryCache>(),
            sp.GetRequiredService<AssignmentSnapshotCache>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AssignmentEngine>>()));
        services.TryAddSingleton<StaffDirectoryCache>();
        services.TryAddSingleton<AssignmentSnapshotCache>();
        services.TryAddScoped(sp => new AssignmentManager(
            sp.GetRequiredService<AssignmentEngine>(),
            sp.GetRequiredService<IAssignmentStore>(),
            sp.GetRequiredService<IStaffStore>(),
            sp.GetRequiredService<ITenantStore>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<TicketManager>()));
        services.TryAddScoped<IStaffAccountProvisioner, EmailAsUserIdProvisioner>();
        services.TryAddScoped<IUserAccountEraser, NoAccountEraser>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<ITicketNotifier, LoggingTicketNotifier>());
        services.TryAddSingleton<NotificationSignal>();
        services.TryAddSingleton(sp => new NotificationChannelNames(sp.GetServices<INotificationChannel>()));
        services.TryAddScoped(sp => new NotificationPlanner(
            sp.GetRequiredService<IStaffStore>(),
            sp.GetRequiredService<ICustomerStore>(),
            sp.GetRequiredService<INotificationPreferenceStore>(),
            sp.GetRequiredService<NotificationChannelNames>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<NotificationSignal>(),
            sp.GetRequiredService<AdminRecipientCache>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CustomerCareOptions>>()));
        services.TryAddSingleton(sp => new AdminRecipientCache(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<CustomerCareOptions>>()));
        services.TryAddScoped<INotificationOutbox>(sp => new NotificationOutbox(
            sp.GetRequiredService<NotificationPlanner>(),
            sp.GetRequiredService<INotificationStore>(),
            sp.GetRequiredService<ITenantContextAccessor>()));
        services.TryAddScoped(sp => new NotificationManager(
            sp.GetRequiredService<INotificationStore>(),
            sp.GetRequiredService<INotificationTemplateStore>(),
            sp.GetRequiredService<INotificationPreferenceStore>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<NotificationSignal>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new NotificationDispatcher(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetServices<INotificationChannel>(),
            sp.GetRequiredService<ITenantContextSetter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CustomerCareOptions>>(),
            sp.GetRequiredService<ILogger<NotificationDispatcher>>()));
        services.TryAddScoped(sp => new NotifierDispatcher(sp.GetServices<ITicketNotifier>(), sp.GetRequiredService<ILogger<NotifierDispatcher>>()));

        services.TryAddScoped(sp => new TicketManager(
            sp.GetRequiredService<ITicketStore>(),
            sp.GetRequiredService<IStaffStore>(),
            sp.GetRequiredService<ICustomerStore>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<AssignmentEngine>(),
            sp.GetRequiredService<NotifierDispatcher>(),
            sp.GetRequiredService<NotificationPlanner>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CustomerCareOptions>>()));
        services.TryAddScoped(sp => new StaffManager(
            sp.GetRequiredService<IStaffStore>(),
            sp.GetRequiredService<ITicketStore>(),
            sp.GetRequiredService<IStaffAccountProvisioner>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<NotifierDispatcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TicketManager>(),
            sp.GetRequiredService<NotificationPlanner>(),
            sp.GetRequiredService<CustomerCare.Actors.ActorCache>()));
        services.TryAddScoped(sp => new CustomerManager(
            sp.GetRequiredService<ICustomerStore>(),
            sp.GetRequiredService<ITenantContextAccessor>(),
            sp.GetRequiredService<IUserAccountEraser>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<CustomerCare.Actors.ActorCache>(),
            sp.GetRequiredService<IOptions<CustomerCareOptions>>()));

        return new CustomerCareBuilder(services);
    }
}
