using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerCare;
using CustomerCare.AspNetCore;
using CustomerCare.AspNetCore.Customers;
using CustomerCare.AspNetCore.MultiTenancy;
using CustomerCare.AspNetCore.Notifications;
using CustomerCare.Notifications;
using CustomerCare.AspNetCore.Staff;
using CustomerCare.AspNetCore.Tickets;
using CustomerCare.Customers;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Adds CustomerCare's ASP.NET Core services.</summary>
    public static class CustomerCareAspNetCoreBuilderExtensions
    {
        /// <summary>
        /// Resolves a tenant for each request with the configured strategies (route value, header,
        /// host name; first match wins) and adds the HTTP API's services. Call
        /// <c>app.UseCustomerCareTenancy()</c> in the pipeline.
        /// </summary>
        public static CustomerCareBuilder AddMultiTenancy(this CustomerCareBuilder builder, Action<TenancyBuilder> configure)
        {
            ArgumentNullException.ThrowIfNull(builder);
            ArgumentNullException.ThrowIfNull(configure);
            var tenancy = new TenancyBuilder();
            configure(tenancy);
            if (tenancy.Strategies.Count == 0)
                throw new InvalidOperationException("AddMultiTenancy needs at least one strategy, e.g. t => t.WithRouteStrategy(\"tenant\").");
            var services = builder.Services;
            foreach (var strategy in tenancy.Strategies) services.AddSingleton(strategy);

            services.AddOptions<CustomerCareHttpOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CustomerCareHttpOptions>, CustomerCareHttpOptionsValidator>());
            services.TryAddSingleton<CustomerCareRateLimiter>();
            services.TryAddSingleton<CustomerCareEndpointFilter>();
            services.TryAddSingleton<CustomerCareHttpMarker>();
            services.AddProblemDetails();
            services.ConfigureHttpJsonOptions(o =>
            {
                if (!o.SerializerOptions.Converters.OfType<JsonStringEnumConverter>().Any())
                    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            });
            return builder;
        }

        /// <summary>Configures the HTTP API: body size limit, rate limits, the suspended-tenant answer.</summary>
        public static CustomerCareBuilder ConfigureHttp(this CustomerCareBuilder builder, Action<CustomerCareHttpOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.Services.Configure(configure);
            return builder;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Adds CustomerCare to the request pipeline and the endpoint table.</summary>
    public static class CustomerCareApplicationBuilderExtensions
    {
        /// <summary>
        /// Resolves the tenant of each request. Place it after routing (so route values are known)
        /// and before authentication. Unknown tenants get 404, suspended tenants 503.
        /// </summary>
        public static IApplicationBuilder UseCustomerCareTenancy(this IApplicationBuilder app)
        {
            ArgumentNullException.ThrowIfNull(app);
            EnsureServices(app.ApplicationServices);
            return app.UseMiddleware<TenantResolutionMiddleware>();
        }

        /// <summary>
        /// Maps the CustomerCare HTTP API on <paramref name="endpoints"/> (typically a group the host
        /// chose, e.g. <c>app.MapGroup("/t/{tenant}/api").MapCustomerCare()</c>). Returns the group so
        /// the host can add authorization or other conventions.
        /// </summary>
        public static RouteGroupBuilder MapCustomerCare(this IEndpointRouteBuilder endpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            EnsureServices(endpoints.ServiceProvider);

            var api = endpoints.MapGroup("")
                .AddEndpointFilter<CustomerCareEndpointFilter>()
                .WithTags("CustomerCare")
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

            api.MapGet("/me", CustomerEndpoints.GetMe).WithName("CustomerCare.GetMe").WithSummary("The caller: user id, role and tenant.");
            api.MapPatch("/me", CustomerEndpoints.UpdateMe).WithName("CustomerCare.UpdateMe").WithSummary("Update the caller's phone number (customers).")
                .Accepts<UpdateProfileRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
            MapNonJsonTwin(api, "PATCH", "/me");
            api.MapDelete("/me", CustomerEndpoints.DeleteMe).WithName("CustomerCare.DeleteMe").WithSummary("Delete the caller's account and erase their personal data (customers).")
                .ProducesProblem(StatusCodes.Status403Forbidden);

            var tickets = api.MapGroup("/tickets");
            tickets.MapPost("", TicketEndpoints.CreateTicket).WithName("CustomerCare.CreateTicket").WithSummary("Raise a ticket. Supports Idempotency-Key.")
                .Accepts<CreateTicketRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
            MapNonJsonTwin(tickets, "POST", "");
            MapNonJsonTwin(tickets, "POST", "/{id}/assign");
            MapNonJsonTwin(tickets, "POST", "/{id}/messages");
            tickets.MapGet("", TicketEndpoints.ListTickets).WithName("CustomerCare.ListTickets")
                .WithSummary("Tickets the caller may see, newest first. Filters: status, assignee (id, me, none), priority, category, q; cursor and limit (at most 100).")
                .ProducesValidationProblem();
            tickets.MapGet("/{id}", TicketEndpoints.GetTicket).WithName("CustomerCare.GetTicket").WithSummary("One ticket, with its version as ETag.");
            tickets.MapPost("/{id}/assign", TicketEndpoints.AssignTicket).WithName("CustomerCare.AssignTicket").WithSummary("Assign to an agent, or unassign with agentId null (admins). Honours If-Match.")
                .Accepts<AssignRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
            foreach (var (path, handler, summary) in new (string, Delegate, string)[]
            {
                ("/{id}/resolve", TicketEndpoints.ResolveTicket, "Resolve (assigned agent or admin). Honours If-Match."),
                ("/{id}/close", TicketEndpoints.CloseTicket, "Close (the ticket's customer or an admin). Honours If-Match."),
                ("/{id}/reopen", TicketEndpoints.ReopenTicket, "Reopen a resolved or closed ticket within the reopen window (customer or admin). Honours If-Match."),
            })
            {
                tickets.MapPost(path, handler).WithName("CustomerCare." + char.ToUpperInvariant(path[6]) + path[7..] + "Ticket").WithSummary(summary)
                    .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
                    .ProducesProblem(StatusCodes.Status412PreconditionFailed);
            }
            tickets.MapPost("/{id}/messages", TicketEndpoints.PostMessage).WithName("CustomerCare.PostMessage")
                .WithSummary("Post a public message or an internal note (staff). Closed tickets refuse messages. Supports Idempotency-Key.")
                .Accepts<PostMessageRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
            tickets.MapGet("/{id}/messages", TicketEndpoints.ListMessages).WithName("CustomerCare.ListMessages")
                .WithSummary("Messages oldest first after the 'after' sequence cursor; internal notes only for staff.").ProducesValidationProblem();
            tickets.MapGet("/{id}/events", TicketEndpoints.ListEvents).WithName("CustomerCare.ListTicketEvents").WithSummary("The ticket's audit trail, oldest first.");

            var agents = api.MapGroup("/agents");
            agents.MapGet("", StaffEndpoints.ListAgents).WithName("CustomerCare.ListAgents").WithSummary("The staff directory (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden);
            agents.MapPost("", StaffEndpoints.AddAgent).WithName("CustomerCare.AddAgent").WithSummary("Add an agent or admin; the host mails a set-password link (admins).")
                .Accepts<AddStaffRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
            MapNonJsonTwin(agents, "POST", "");
            agents.MapDelete("/{id}", StaffEndpoints.RemoveAgent).WithName("CustomerCare.RemoveAgent")
                .WithSummary("Deactivate a staff member; their unresolved tickets return to the unassigned queue (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

            agents.MapPatch("/{id}", StaffEndpoints.UpdateAgent).WithName("CustomerCare.UpdateAgent")
                .WithSummary("Change an agent's capacity, groups (admins) or availability (admins, or the agent themselves); the queue drains.")
                .Accepts<CustomerCare.Assignment.UpdateAgentRequest>("application/json").ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

            var assignment = api.MapGroup("/assignment");
            assignment.MapGet("", StaffEndpoints.GetAssignment).WithName("CustomerCare.GetAssignment")
                .WithSummary("The assignment strategy, category routing, queue length and each agent's load, capacity and availability (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden);
            assignment.MapPut("", StaffEndpoints.UpdateAssignment).WithName("CustomerCare.UpdateAssignment")
                .WithSummary("Choose the strategy (manual, round-robin, least-loaded, …) and route categories to groups (admins).")
                .Accepts<CustomerCare.Assignment.UpdateAssignmentRequest>("application/json").ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

            var customers = api.MapGroup("/customers");
            customers.MapGet("", CustomerEndpoints.ListCustomers).WithName("CustomerCare.ListCustomers")
                .WithSummary("Customers with tickets raised, resolved and notifications sent (admins).")
                .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
            customers.MapDelete("/{id}", CustomerEndpoints.DeleteCustomer).WithName("CustomerCare.DeleteCustomer")
                .WithSummary("Erase a customer's personal data; tickets and messages stay under 'deleted user' (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden);

            var notifications = api.MapGroup("/notifications");
            notifications.MapGet("/dead-letters", NotificationEndpoints.ListDeadLetters).WithName("CustomerCare.ListDeadLetters")
                .WithSummary("Notifications that could not be delivered after the last attempt, oldest first; cursor and limit (admins).")
                .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
            notifications.MapPost("/{id}/retry", NotificationEndpoints.Retry).WithName("CustomerCare.RetryNotification")
                .WithSummary("Put a dead-lettered notification back in the queue with fresh attempts (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
            notifications.MapGet("/templates", NotificationEndpoints.ListTemplates).WithName("CustomerCare.ListNotificationTemplates")
                .WithSummary("Every notification kind's template (the tenant's own or the default) with its placeholders (admins).")
                .ProducesProblem(StatusCodes.Status403Forbidden);
            notifications.MapPut("/templates/{kind}", NotificationEndpoints.SaveTemplate).WithName("CustomerCare.SaveNotificationTemplate")
                .WithSummary("Save the tenant's template of a kind; a syntax error or an unknown placeholder is a validation problem (admins).")
                .Accepts<SaveTemplateRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
            MapNonJsonTwin(notifications, "PUT", "/templates/{kind}");
            notifications.MapDelete("/templates/{kind}", NotificationEndpoints.ResetTemplate).WithName("CustomerCare.ResetNotificationTemplate")
                .WithSummary("Go back to the default template of a kind (admins).").ProducesProblem(StatusCodes.Status403Forbidden);
            notifications.MapGet("/preferences", NotificationEndpoints.GetPreferences).WithName("CustomerCare.GetNotificationPreferences")
                .WithSummary("The caller's opted-out notification kinds and the kinds that may be refused.");
            notifications.MapPut("/preferences", NotificationEndpoints.SetPreferences).WithName("CustomerCare.SetNotificationPreferences")
                .WithSummary("Refuse optional notification kinds (message-posted, ticket-status-changed); security mail cannot be refused.")
                .Accepts<UpdatePreferencesRequest>("application/json").ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
            MapNonJsonTwin(notifications, "PUT", "/preferences");
            return api;
        }

        /// <summary>
        /// Routing answers a Content-Type outside an endpoint's <c>Accepts</c> metadata with a bare 415 before
        /// any CustomerCare code runs: no tenant or sign-in check, no problem details. A twin of each JSON
        /// endpoint without that metadata (hidden from OpenAPI) takes such requests instead and answers the
        /// 415 problem after the usual checks; routing still prefers the JSON endpoint for JSON bodies.
        /// </summary>
        private static void MapNonJsonTwin(IEndpointRouteBuilder group, string method, string pattern)
            => group.MapMethods(pattern, [method], RejectNonJson).ExcludeFromDescription();

        private static IResult RejectNonJson() => throw new UnsupportedMediaTypeException();

        internal static void EnsureServices(IServiceProvider services)
        {
            var registered = services.GetService(typeof(Microsoft.Extensions.DependencyInjection.IServiceProviderIsService)) as Microsoft.Extensions.DependencyInjection.IServiceProviderIsService;
            bool Has(Type type) => registered?.IsService(type) ?? services.GetService(type) is not null;
            if (!Has(typeof(TicketManager)))
                throw new InvalidOperationException("CustomerCare services are missing: call services.AddCustomerCare() when configuring services.");
            if (!Has(typeof(CustomerCareHttpMarker)))
                throw new InvalidOperationException("CustomerCare's HTTP services are missing: call services.AddCustomerCare().AddMultiTenancy(t => t.WithRouteStrategy(\"tenant\")).");
            if (!Has(typeof(ITicketStore)))
                throw new InvalidOperationException("CustomerCare has no storage: call services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite(\"Data Source=customercare.db\")).");
        }
    }
}

namespace CustomerCare.AspNetCore
{
    internal sealed class CustomerCareHttpMarker;
}
