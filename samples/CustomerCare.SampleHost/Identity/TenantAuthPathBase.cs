using CustomerCare.AspNetCore;
using CustomerCare.AspNetCore.MultiTenancy;
using Microsoft.OpenApi;

namespace CustomerCare.SampleHost.Identity;

/// <summary>
/// Serves the Identity API of every tenant from one mapping at <c>/auth</c>: a request to
/// <c>/t/{tenant}/api/auth/...</c> gets <c>/t/{tenant}/api</c> as its path base. Identity builds its
/// confirmation links by endpoint name, which cannot fill a <c>{tenant}</c> route parameter; with the
/// tenant in the path base the links come out right (<c>/t/acme-bank/api/auth/confirmEmail?...</c>).
/// </summary>
internal static class TenantAuthPathBase
{
    public const string AuthPrefix = "/auth";

    /// <summary>Where the CustomerCare API and, through the path base, the Identity API of a tenant are served.</summary>
    public const string TenantApiPrefix = "/t/{tenant}/api";

    public static IApplicationBuilder UseTenantAuthPathBase(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var segments = context.Request.Path.Value?.Split('/', 5);
        // ["", "t", "{tenant}", "api", "auth/..."]
        if (segments is { Length: 5 } && segments[1] == "t" && segments[3] == "api" && segments[2].Length > 0
            && (segments[4] == "auth" || segments[4].StartsWith("auth/", StringComparison.Ordinal)))
        {
            context.Request.PathBase = context.Request.PathBase.Add($"/t/{segments[2]}/api");
            context.Request.Path = "/" + segments[4];
        }
        return next(context);
    });

    /// <summary>
    /// Refuses Identity requests that name no tenant (neither <c>/t/{tenant}/api/auth/...</c> nor an
    /// <c>X-Tenant</c> header) with a 404 problem, as CustomerCare's own endpoints do: users only exist
    /// within a tenant, so without one registering failed with a 500 and the rest answered misleadingly.
    /// </summary>
    public static TBuilder RequireTenant<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) => context.HttpContext.GetCustomerCareTenant() is not null
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The tenant was not found.", type: "urn:customercare:problem:tenant-not-found"));

    /// <summary>
    /// Describes the Identity API where it is served (<c>/t/{tenant}/api/auth/...</c>, not the <c>/auth</c>
    /// it is mapped at) and declares the <c>tenant</c> path parameter, which no handler binds, on every
    /// path that has it, so that the OpenAPI document is valid and clients generated from it work.
    /// </summary>
    public static void DescribeTenantPaths(OpenApiDocument document)
    {
        if (document.Paths is null) return;
        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths)
        {
            var served = path == AuthPrefix || path.StartsWith(AuthPrefix + "/", StringComparison.Ordinal) ? TenantApiPrefix + path : path;
            if (served.Contains("{tenant}", StringComparison.Ordinal) && item is OpenApiPathItem pathItem
                && !(pathItem.Parameters?.Any(p => p.In == ParameterLocation.Path && p.Name == "tenant") ?? false))
            {
                pathItem.Parameters ??= [];
                pathItem.Parameters.Insert(0, new OpenApiParameter
                {
                    Name = "tenant",
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = "The tenant's identifier, e.g. acme-bank.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            paths.Add(served, item);
        }
        document.Paths = paths;
    }

    /// <summary>Resolves the tenant of requests whose path base is <c>/t/{tenant}/api</c>.</summary>
    public sealed class Strategy : ITenantResolutionStrategy
    {
        public ValueTask<string?> GetIdentifierAsync(HttpContext context)
        {
            var parts = context.Request.PathBase.Value?.Split('/');
            return ValueTask.FromResult(parts is { Length: 4 } && parts[1] == "t" && parts[3] == "api" ? parts[2] : null);
        }
    }
}
