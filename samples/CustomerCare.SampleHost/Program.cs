using System.Security.Cryptography;
using System.Text;
using CustomerCare.AspNetCore.Operator;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Realtime;
using CustomerCare.SampleHost.Seeding;
using CustomerCare.SampleHost.Web;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

// One setting switches the database: ConnectionStrings:Postgres (PostgreSQL) or else ConnectionStrings:Sqlite.
var postgres = configuration.GetConnectionString("Postgres");
var sqlite = configuration.GetConnectionString("Sqlite") ?? "Data Source=customercare.db";
void UseDatabase(DbContextOptionsBuilder ef)
{
    if (!string.IsNullOrWhiteSpace(postgres)) ef.UseNpgsql(postgres);
    else ef.UseSqlite(sqlite);
}

// Mail: through SMTP when Smtp:Host is set, else written as .eml files to a pickup folder (development).
var pickup = Path.GetFullPath(configuration["Mail:PickupFolder"] ?? Path.Combine(builder.Environment.ContentRootPath, "mail-pickup"));
var smtp = configuration.GetSection("Smtp");
var useSmtp = !string.IsNullOrWhiteSpace(smtp["Host"]);

var customerCare = builder.Services.AddCustomerCare(o =>
    {
        o.Tickets.ReopenWindow = TimeSpan.FromDays(14);
        o.Claims.RequireTenantClaim = true;
        o.Claims.NameClaimType = TenantClaimsPrincipalFactory.DisplayNameClaim;
        configuration.GetSection("CustomerCare:Caching").Bind(o.Caching);
    })
    .UseEntityFrameworkCore(UseDatabase)
    .AddEntityFrameworkCoreTenantStore()
    .AddMultiTenancy(t => t.WithRouteStrategy("tenant").WithStrategy(new TenantAuthPathBase.Strategy()).WithHeaderStrategy("X-Tenant"))
    .ConfigureHttp(o => configuration.GetSection("CustomerCare:Http").Bind(o))
    .AddRealtime(o => configuration.GetSection("CustomerCare:Realtime").Bind(o))
    .AddStaffAccountProvisioner<IdentityStaffAccountProvisioner>()
    .AddUserAccountEraser<IdentityAccountEraser>()
    .ConfigureNotifications(o => configuration.GetSection("CustomerCare:Notifications").Bind(o));
if (useSmtp) customerCare.AddSmtpNotifications(o => smtp.Bind(o));
else customerCare.AddPickupFolderNotifications(o => o.Folder = pickup);

// Several instances of the host share the hub's events through Redis when ConnectionStrings:Redis is set.
var redis = configuration.GetConnectionString("Redis");
if (!string.IsNullOrWhiteSpace(redis))
    customerCare.AddRedisScaleOut(redis, o => configuration.GetSection("CustomerCare:Redis").Bind(o));

// ASP.NET Core Identity with users scoped per tenant (see SampleIdentityDbContext).
if (!string.IsNullOrWhiteSpace(postgres))
{
    builder.Services.AddDbContext<NpgsqlSampleIdentityDbContext>(UseDatabase);
    builder.Services.AddScoped<SampleIdentityDbContext>(sp => sp.GetRequiredService<NpgsqlSampleIdentityDbContext>());
}
else
{
    builder.Services.AddDbContext<SqliteSampleIdentityDbContext>(UseDatabase);
    builder.Services.AddScoped<SampleIdentityDbContext>(sp => sp.GetRequiredService<SqliteSampleIdentityDbContext>());
}
builder.Services.AddIdentityApiEndpoints<SampleUser>(o =>
    {
        o.SignIn.RequireConfirmedEmail = true;
        o.User.RequireUniqueEmail = true;
        o.Lockout.AllowedForNewUsers = true;
        o.Lockout.MaxFailedAccessAttempts = 5;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        o.Password.RequiredLength = 10;
    })
    .AddEntityFrameworkStores<SampleIdentityDbContext>()
    .AddSignInManager<NewDeviceSignInManager>()
    .AddClaimsPrincipalFactory<TenantClaimsPrincipalFactory>();
// Browsers cannot put headers on a WebSocket: the hub also takes the bearer token as ?access_token=…
// (only on the hub's paths, so tokens do not end up in the logs of ordinary requests).
builder.Services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o => o.Events.OnMessageReceived = context =>
{
    if (SampleHub.IsHubPath(context.Request.Path) && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
        context.Token = token;
    return Task.CompletedTask;
});
builder.Services.ConfigureApplicationCookie(o =>
{
    o.Cookie.HttpOnly = true;
    o.Cookie.SameSite = SameSiteMode.Lax;
    o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});
builder.Services.AddHttpContextAccessor();
builder.Services.AddAuthorization();

// The web app for customers, agents and admins (Razor Pages under /t/{tenant}/, see Web/ and Pages/).
builder.Services.AddSampleWebApp(configuration);

// Identity's mail (confirmation, password reset) goes through CustomerCare's outbox too.
builder.Services.AddSingleton<IEmailSender<SampleUser>, OutboxEmailSender>();

builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "CustomerCare sample host";
    document.Components ??= new OpenApiComponents();
    document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
    document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
    {
        Type = SecuritySchemeType.Http,
        Scheme = "bearer",
        Description = "The accessToken from POST /t/{tenant}/api/auth/login. Cookies (?useCookies=true) work too.",
    };
    // Identity is mapped once at /auth and served under each tenant's path base (TenantAuthPathBase).
    if (document.Paths is { } paths)
    {
        foreach (var key in paths.Keys.Where(k => k.StartsWith(TenantAuthPathBase.AuthPrefix + "/", StringComparison.Ordinal)).ToList())
        {
            var item = paths[key];
            paths.Remove(key);
            foreach (var operation in item.Operations?.Values.ToList() ?? [])
            {
                operation.Parameters ??= [];
                operation.Parameters.Insert(0, new OpenApiParameter
                {
                    Name = "tenant",
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            paths["/t/{tenant}/api" + key] = item;
        }
    }
    document.Security ??= [];
    document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
    TenantAuthPathBase.DescribeTenantPaths(document);

    // The operator API takes its shared key, not a user's token.
    var operatorOperations = document.Paths?.Where(p => p.Key.StartsWith("/ops/", StringComparison.Ordinal))
        .SelectMany(p => p.Value.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).ToList() ?? [];
    if (operatorOperations.Count > 0)
    {
        document.Components.SecuritySchemes["operatorKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            Name = "X-Operator-Key",
            In = ParameterLocation.Header,
            Description = "The operator key (configuration Operator:ApiKey) for /ops/tenants.",
        };
        foreach (var operation in operatorOperations)
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("operatorKey", document)] = [] }];
    }
    return Task.CompletedTask;
}));

var app = builder.Build();

await app.Services.MigrateCustomerCareDatabaseAsync();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<SampleIdentityDbContext>().Database.MigrateAsync();
}
if (configuration.GetValue("Seed:DemoData", true)) await DemoData.SeedAsync(app.Services);

// Pages get HTML error pages a person understands; the APIs keep their problem details.
app.UseWhen(WebApp.IsPageRequest, web =>
{
    web.UseExceptionHandler("/error/500");
    web.UseStatusCodePagesWithReExecute("/error/{0}");
});
app.UseWhen(context => !WebApp.IsPageRequest(context), api =>
{
    api.UseExceptionHandler();
    api.UseStatusCodePages();
});
app.UseSecurityHeaders();   // Content-Security-Policy (script-src 'self', no inline), nosniff, no framing
app.UseStaticFiles();   // wwwroot: the web app's CSS and JS, and the vendored @microsoft/signalr browser client at /lib/signalr/signalr.min.js
app.UseTenantAuthPathBase();
app.UseRouting();
app.UseTenantPageGate();   // unknown / suspended tenant → HTML 404 / 503 page for pages
app.UseHubOriginCheck();   // the hub accepts the cookie: refuse other origins
app.UseCustomerCareTenancy();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();   // the web pages' limit (the API has CustomerCare's own)

app.MapRazorPages().RequireRateLimiting(WebApp.RateLimitPolicy);   // "/" lists the tenants; /t/{tenant}/... the app
app.MapTenantTheme();
app.MapOpenApi();

app.MapGroup(TenantAuthPathBase.AuthPrefix).RequireTenant()
    .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable)   // unknown or suspended tenant
    .MapIdentityApi<SampleUser>().WithTags("Identity");
app.MapGroup(TenantAuthPathBase.TenantApiPrefix).MapCustomerCare();
app.MapGroup(SampleHub.TenantPrefix).MapCustomerCareHub(SampleHub.Path);   // /t/{tenant}/hub

// The operator API (suspend / resume tenants), protected by a shared key from configuration.
var operatorKey = configuration["Operator:ApiKey"];
if (!string.IsNullOrEmpty(operatorKey))
{
    var expected = Encoding.UTF8.GetBytes(operatorKey);
    app.MapGroup("/ops/tenants").MapCustomerCareTenantAdministration().ProducesProblem(StatusCodes.Status401Unauthorized).AddEndpointFilter(async (context, next) =>
    {
        var given = Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers["X-Operator-Key"].ToString());
        return CryptographicOperations.FixedTimeEquals(given, expected)
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operator key required.", type: "urn:customercare:problem:unauthorized");
    });
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    if (useSmtp) app.Logger.LogInformation("Mail is sent through SMTP server {SmtpHost}:{SmtpPort}", smtp["Host"], smtp["Port"] ?? "587");
    else app.Logger.LogInformation("Development mail is written to {PickupFolder}", pickup);
});

app.Run();

/// <summary>The sample host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
