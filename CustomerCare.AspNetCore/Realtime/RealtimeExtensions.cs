using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerCare;
using CustomerCare.Actors;
using CustomerCare.AspNetCore;
using CustomerCare.AspNetCore.Realtime;
using CustomerCare.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Adds CustomerCare's real-time hub.</summary>
    public static class CustomerCareRealtimeBuilderExtensions
    {
        /// <summary>
        /// Adds the real-time hub (map it with <c>MapCustomerCareHub()</c>): SignalR with the JSON protocol
        /// (camelCase, enums as camelCase strings, like the HTTP API), the notifier that pushes every
        /// ticket change to the hub's clients whatever front end made it, agent presence and the
        /// per-connection rate limit. Options are validated when the host starts. For several host
        /// instances add a backplane, e.g. <c>.AddRedisScaleOut(connectionString)</c>.
        /// </summary>
        public static CustomerCareBuilder AddRealtime(this CustomerCareBuilder builder, Action<CustomerCareRealtimeOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(builder);
            var services = builder.Services;
            var options = services.AddOptions<CustomerCareRealtimeOptions>();
            if (configure is not null) options.Configure(configure);
            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CustomerCareRealtimeOptions>, CustomerCareRealtimeOptionsValidator>());

            services.TryAddSingleton<CustomerCareRealtimeMarker>();
            services.TryAddSingleton<RealtimeConnections>();
            services.TryAddSingleton<IRealtimeResync>(sp => sp.GetRequiredService<RealtimeConnections>());
            services.TryAddSingleton<RealtimeRateLimiter>();
            services.TryAddSingleton<IAgentConnectionCounter, LocalAgentConnectionCounter>();
            services.TryAddSingleton<PresenceTracker>();
            services.TryAddSingleton<RealtimeHubFilter>();
            services.TryAddEnumerable(ServiceDescriptor.Scoped<ITicketNotifier, RealtimeTicketNotifier>());

            services.AddSignalR()
                .AddJsonProtocol(o =>
                {
                    if (!o.PayloadSerializerOptions.Converters.OfType<JsonStringEnumConverter>().Any())
                        o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
                })
                .AddHubOptions<CustomerCareHub>(o => o.AddFilter<RealtimeHubFilter>());
            services.AddOptions<HubOptions<CustomerCareHub>>()
                .Configure<IOptions<CustomerCareRealtimeOptions>>((hub, realtime) => hub.MaximumReceiveMessageSize = realtime.Value.MaximumReceiveMessageSize);
            return builder;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps CustomerCare's real-time hub.</summary>
    public static class CustomerCareHubEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps the real-time hub at <paramref name="pattern"/> under a route that resolves the tenant, e.g.
        /// <c>app.MapGroup("/t/{tenant}").MapCustomerCareHub("/hub")</c>. The negotiate and connect requests
        /// need a resolved tenant (404 problem otherwise) and a caller signed in to it, by the host's
        /// authentication (401 problem otherwise), so a token of another tenant cannot connect. Returns the
        /// hub's convention builder for the host's own conventions (e.g. <c>RequireAuthorization</c>).
        /// </summary>
        public static HubEndpointConventionBuilder MapCustomerCareHub(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/hub")
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
            CustomerCareApplicationBuilderExtensions.EnsureServices(endpoints.ServiceProvider);
            if (endpoints.ServiceProvider.GetService(typeof(CustomerCareRealtimeMarker)) is null)
                throw new InvalidOperationException("CustomerCare's real-time services are missing: call services.AddCustomerCare()...AddRealtime() before MapCustomerCareHub().");

            var hub = endpoints.MapHub<CustomerCareHub>(pattern);
            // Refuse the negotiate and connect requests of callers without tenant or actor before SignalR runs.
            hub.Add(endpoint =>
            {
                var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"The hub endpoint {endpoint.DisplayName} has no request delegate.");
                endpoint.RequestDelegate = context => RequireActorAsync(context, inner);
            });
            return hub;
        }

        private static async Task RequireActorAsync(HttpContext context, RequestDelegate next)
        {
            var tenant = context.GetCustomerCareTenant();
            if (tenant is null)
            {
                await Problems.Write(context, Problems.TenantNotFound());
                return;
            }
            var resolver = context.RequestServices.GetRequiredService<IActorResolver>();
            if (await resolver.ResolveAsync(context.User, tenant, context.RequestAborted) is null)
            {
                await Problems.Write(context, Problems.Unauthorized());
                return;
            }
            await next(context);
        }
    }
}

namespace CustomerCare.AspNetCore.Realtime
{
    /// <summary>Marks that <c>AddRealtime</c> ran.</summary>
    internal sealed class CustomerCareRealtimeMarker;
}
