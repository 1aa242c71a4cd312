using System.Net;
using System.Text.RegularExpressions;
using CustomerCare.MultiTenancy;
using CustomerCare.SampleHost.Identity;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CustomerCare.SampleHost.Tests.Browser;

/// <summary>The sample host on real Kestrel at <c>127.0.0.1:0</c> (a browser needs a real socket).</summary>
public sealed class KestrelSampleHost : SampleHostFactory
{
    public KestrelSampleHost() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    /// <summary>Starts the server and returns its address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().TrimEnd('/');
    }
}

/// <summary>
/// One sample host and one Chromium for all browser tests (they share the collection, so they run one
/// after another): Debian's Chromium from <c>CUSTOMERCARE_TEST_CHROMIUM</c> (test.sh sets it), driven by
/// Playwright; never <c>playwright install</c>. Without Chromium the tests skip with the reason.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public KestrelSampleHost Host { get; } = new();

    /// <summary>The host's base address.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where screenshots go: <c>TestResults/screenshots</c> at the repository root.</summary>
    public string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    private string? _skipReason;

    public async ValueTask InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            _skipReason = "Chromium not available: set CUSTOMERCARE_TEST_CHROMIUM to its path (test.sh sets it when /usr/bin/chromium exists; apt-get install chromium).";
            return;
        }
        BaseUrl = Host.Start();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser context (its own cookies, like a separate person), phone-sized when asked.</summary>
    public async Task<IBrowserContext> NewContextAsync(bool phone = false)
    {
        if (_skipReason is not null) Assert.Skip(_skipReason);
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>A page in a new context that fails the test on any script error or CSP violation.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await NewContextAsync(phone);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) errors.Add(message.Text);
        };
        _pageErrors[page] = errors;
        return page;
    }

    private readonly Dictionary<IPage, List<string>> _pageErrors = [];

    /// <summary>Script errors and CSP violations seen on <paramref name="page"/>.</summary>
    public IReadOnlyList<string> ErrorsOf(IPage page) => _pageErrors.TryGetValue(page, out var list) ? list : [];

    /// <summary>Signs in through the sign-in page and waits for the landing page.</summary>
    public static async Task SignInAsync(IPage page, string tenant, string email, string password)
    {
        await page.GotoAsync($"/t/{tenant}/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/t/{Regex.Escape(tenant)}/tickets"));
    }

    /// <summary>Creates a confirmed customer account in <paramref name="tenant"/> directly (faster than the pages, which the journey covers).</summary>
    public async Task CreateCustomerAsync(string tenant, string email, string name)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var info = await services.GetRequiredService<ITenantStore>().FindByIdentifierAsync(tenant, CancellationToken.None);
        Assert.NotNull(info);
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(info));
        var created = await services.GetRequiredService<UserManager<SampleUser>>()
            .CreateAsync(new SampleUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name }, Api.StrongPassword);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    /// <summary>Raises <paramref name="count"/> tickets as the customer with <paramref name="customerEmail"/> (through <c>TicketManager</c>, as the pages do).</summary>
    public async Task RaiseTicketsAsync(string tenant, string customerEmail, int count, string subjectPrefix)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var info = await services.GetRequiredService<ITenantStore>().FindByIdentifierAsync(tenant, CancellationToken.None);
        Assert.NotNull(info);
        using var _ = services.GetRequiredService<ITenantContextSetter>().BeginScope(new TenantContext(info));
        var user = await services.GetRequiredService<UserManager<SampleUser>>().FindByEmailAsync(customerEmail);
        Assert.NotNull(user);
        var actor = new CustomerCare.Actors.Actor(info.Id, user.Id, CustomerCare.Actors.ActorRole.Customer, user.DisplayName ?? customerEmail, customerEmail);
        await services.GetRequiredService<CustomerCare.Customers.CustomerManager>().EnsureProfileAsync(user.Id, actor.DisplayName, customerEmail, CancellationToken.None);
        var tickets = services.GetRequiredService<CustomerCare.Tickets.TicketManager>();
        var field = info.Settings.CustomFields.Where(f => f.Required).ToDictionary(f => f.Key, f => (string?)"F-1");
        for (var i = 1; i <= count; i++)
        {
            await tickets.CreateAsync(actor, new CustomerCare.Tickets.CreateTicketRequest
            {
                Subject = $"{subjectPrefix} {i:00}",
                Description = "Raised by the paging test.",
                CustomFields = field,
            }, null, CancellationToken.None);
        }
    }

    /// <summary>Runs axe on the page; returns the serious and critical violations, described.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{page.Url}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Select(n => n.Html))}")];
    }

    /// <summary>Writes a full-page screenshot to the screenshot folder.</summary>
    public async Task ScreenshotAsync(IPage page, string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await Host.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CustomerCare.sln"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
