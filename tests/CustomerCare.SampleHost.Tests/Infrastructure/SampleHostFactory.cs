using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace CustomerCare.SampleHost.Tests.Infrastructure;

/// <summary>
/// Runs the sample host in-process as <c>dotnet run</c> would in Development, but with its own
/// temporary SQLite file, mail pickup folder and operator key, so factories never share state.
/// </summary>
public class SampleHostFactory : WebApplicationFactory<Program>
{
    /// <summary>The operator key the host is configured with.</summary>
    public const string OperatorKey = "test-operator-key-7f3c";

    public SampleHostFactory()
        : this(Path.Combine(Path.GetTempPath(), "customercare-sample-tests", Guid.NewGuid().ToString("N")), ownsRoot: true)
    {
    }

    /// <summary>A host on the database and pickup folder in <paramref name="root"/>; only the owner deletes it.</summary>
    protected SampleHostFactory(string root, bool ownsRoot)
    {
        Root = root;
        _ownsRoot = ownsRoot;
        Directory.CreateDirectory(Root);
        Mail = new PickupMailbox(Path.Combine(Root, "mail"));
    }

    private readonly bool _ownsRoot;

    /// <summary>Temp folder holding this host's database and mail.</summary>
    public string Root { get; }

    /// <summary>The SQLite database file.</summary>
    public string DatabasePath => Path.Combine(Root, "customercare.db");

    /// <summary>Mail the host wrote.</summary>
    public PickupMailbox Mail { get; }

    /// <summary>Whether the demo tenants are seeded (the default, as with <c>dotnet run</c>).</summary>
    protected virtual bool SeedDemoData => true;

    /// <summary>A PostgreSQL connection string to use instead of SQLite, or <c>null</c>.</summary>
    protected virtual string? PostgresConnectionString => null;

    /// <summary>A Redis connection string for the hub's scale-out, or <c>null</c> for none.</summary>
    protected virtual string? RedisConnectionString => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Sqlite", $"Data Source={DatabasePath}");
        // Empty means "not PostgreSQL" in Program.cs; set it so an environment variable cannot switch the database.
        builder.UseSetting("ConnectionStrings:Postgres", PostgresConnectionString ?? "");
        builder.UseSetting("ConnectionStrings:Redis", RedisConnectionString ?? "");
        builder.UseSetting("Mail:PickupFolder", Mail.Folder);
        builder.UseSetting("Operator:ApiKey", OperatorKey);
        builder.UseSetting("Seed:DemoData", SeedDemoData ? "true" : "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Identity's default PBKDF2 cost (100,000 iterations) is most of the CPU of these tests, which
        // sign in and register a few hundred times on a 2-core machine. Hashes stay PBKDF2, just cheaper.
        builder.ConfigureServices(services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000));
    }

    /// <summary>A second host on this host's database and pickup folder, as after a restart. Disposing it leaves them.</summary>
    public SampleHostFactory Restarted() => new SameRoot(Root);

    private sealed class SameRoot(string root) : SampleHostFactory(root, ownsRoot: false);

    /// <summary>A client that neither keeps cookies nor follows redirects (each test decides).</summary>
    public Api Api() => new(CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false }), Mail);

    /// <summary>A client that keeps cookies (for <c>?useCookies=true</c>).</summary>
    public Api CookieApi() => new(CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false }), Mail);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        SqliteConnection.ClearAllPools();
        if (!_ownsRoot) return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}
