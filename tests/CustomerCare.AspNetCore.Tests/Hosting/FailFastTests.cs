using CustomerCare.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Tests.Hosting;

/// <summary>A host that is set up wrong fails at start with a message that says what to do (DESIGN.md §2).</summary>
public sealed class FailFastTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MapCustomerCare_without_AddCustomerCare_says_to_call_AddCustomerCare()
    {
        await using var app = NewBuilder().Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGroup("/t/{tenant}/api").MapCustomerCare());
        Assert.Contains("AddCustomerCare", error.Message, StringComparison.Ordinal);
        var tenancy = Assert.Throws<InvalidOperationException>(() => app.UseCustomerCareTenancy());
        Assert.Contains("AddCustomerCare", tenancy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapCustomerCare_without_AddMultiTenancy_says_to_call_AddMultiTenancy()
    {
        var builder = NewBuilder();
        builder.Services.AddCustomerCare().UseEntityFrameworkCore(ef => ef.UseSqlite("Data Source=:memory:"));
        await using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGroup("/t/{tenant}/api").MapCustomerCare());
        Assert.Contains("AddMultiTenancy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapCustomerCare_without_storage_says_to_configure_it()
    {
        var builder = NewBuilder();
        builder.Services.AddCustomerCare().AddMultiTenancy(t => t.WithRouteStrategy("tenant"));
        await using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGroup("/t/{tenant}/api").MapCustomerCare());
        Assert.Contains("UseEntityFrameworkCore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMultiTenancy_without_a_strategy_says_how_to_add_one()
    {
        var builder = NewBuilder();
        var error = Assert.Throws<InvalidOperationException>(() => builder.Services.AddCustomerCare().AddMultiTenancy(_ => { }));
        Assert.Contains("WithRouteStrategy", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidOptions => new()
    {
        { "MaxRequestBodyBytes = 10", "MaxRequestBodyBytes" },
        { "PermitsPerUser = 0", "PermitsPerUser" },
        { "PermitsPerTenant = -1", "PermitsPerTenant" },
        { "Window = 0", "Window" },
        { "SuspendedRetryAfterSeconds = 0", "SuspendedRetryAfterSeconds" },
        { "SubjectMaxLength = 0", "SubjectMaxLength" },
        { "DefaultPageSize > MaxPageSize", "DefaultPageSize" },
        { "ErasedUserName empty", "ErasedUserName" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task Invalid_options_fail_when_the_app_starts(string setting, string named)
    {
        var builder = NewBuilder();
        builder.Services.AddCustomerCare(o =>
            {
                if (setting == "SubjectMaxLength = 0") o.Tickets.SubjectMaxLength = 0;
                if (setting == "DefaultPageSize > MaxPageSize") o.Tickets.DefaultPageSize = o.Tickets.MaxPageSize + 1;
                if (setting == "ErasedUserName empty") o.ErasedUserName = " ";
            })
            .UseEntityFrameworkCore(ef => ef.UseSqlite("Data Source=:memory:"))
            .AddMultiTenancy(t => t.WithRouteStrategy("tenant"))
            .ConfigureHttp(o =>
            {
                if (setting == "MaxRequestBodyBytes = 10") o.MaxRequestBodyBytes = 10;
                if (setting == "PermitsPerUser = 0") o.RateLimits.PermitsPerUser = 0;
                if (setting == "PermitsPerTenant = -1") o.RateLimits.PermitsPerTenant = -1;
                if (setting == "Window = 0") o.RateLimits.Window = TimeSpan.Zero;
                if (setting == "SuspendedRetryAfterSeconds = 0") o.SuspendedRetryAfterSeconds = 0;
            });
        await using var app = builder.Build();
        app.UseCustomerCareTenancy();
        app.MapGroup("/t/{tenant}/api").MapCustomerCare();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Ct));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_configuration_starts()
    {
        // The counterpart of the tests above: the same setup with valid options starts and serves.
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Http = o => o.MaxRequestBodyBytes = 1024 });
        await host.As(Users.BankAdmin).MeAsync();
    }

    private static WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        return builder;
    }
}
