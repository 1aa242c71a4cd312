using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Hosting;

/// <summary>Per-user and per-tenant rate limits (429 with Retry-After). Each test has its own host with low limits.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Sixth_request_of_a_user_is_rate_limited_and_other_users_are_not()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Http = o => o.RateLimits.PermitsPerUser = 5 });
        var alice = host.As(Users.New("alice"));
        for (var i = 0; i < 5; i++) await alice.MeAsync();

        var limited = await alice.GetAsync("me");
        await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        // A refused write does nothing.
        var before = await host.CountTicketsAsync();
        await (await alice.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank))).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal(before, await host.CountTicketsAsync());

        // Someone else, and the same user in another tenant, are not affected.
        await host.As(Users.New("bob")).MeAsync();
        await host.As(alice.UserId, Tenants.Telco).MeAsync();
    }

    [Fact]
    public async Task Anonymous_callers_are_limited_too()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Http = o => o.RateLimits.PermitsPerUser = 3 });
        var anonymous = host.As(null);
        for (var i = 0; i < 3; i++) await (await anonymous.GetAsync("tickets")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var limited = await anonymous.GetAsync("tickets");
        await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        // Signed-in users have their own allowance.
        await host.As(Users.New()).MeAsync();
    }

    [Fact]
    public async Task A_tenant_has_a_limit_for_all_its_users_together()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions
        {
            Http = o =>
            {
                o.RateLimits.PermitsPerUser = 100;
                o.RateLimits.PermitsPerTenant = 8;
            },
        });
        for (var user = 0; user < 4; user++)
        {
            var client = host.As(Users.New());
            await client.MeAsync();
            await client.MeAsync();
        }

        var limited = await host.As(Users.New("late")).GetAsync("me");
        await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        await (await host.As(Users.BankAdmin).GetAsync("agents")).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");

        // Another tenant has its own allowance.
        await host.As(Users.TelcoAdmin, Tenants.Telco).MeAsync();
    }

    [Fact]
    public async Task Limits_can_be_turned_off()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions
        {
            Http = o =>
            {
                o.RateLimits.Enabled = false;
                o.RateLimits.PermitsPerUser = 1;
                o.RateLimits.PermitsPerTenant = 1;
            },
        });
        var client = host.As(Users.New());
        for (var i = 0; i < 5; i++) await client.MeAsync();
    }
}
