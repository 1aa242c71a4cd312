using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using CustomerCare.MultiTenancy;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.AspNetCore.Tests.MultiTenancy;

/// <summary>Tenant resolution (DESIGN.md §4): unknown tenants, suspended tenants, isolation between tenants.</summary>
public sealed class TenancyTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("nowhere", "me")]
    [InlineData("nowhere", "tickets")]
    [InlineData("BANKX", "agents")]
    [InlineData("a-tenant-identifier-that-is-much-longer-than-any-tenant-identifier-may-be", "me")]
    public async Task Unknown_tenant_is_a_404_problem_for_everyone(string tenant, string path)
    {
        await (await Host.As(null, tenant).GetAsync(path)).ExpectProblemAsync(HttpStatusCode.NotFound, "tenant-not-found");
        await (await Host.As(Users.BankAdmin, tenant, tokenTenant: Tenants.Bank).GetAsync(path)).ExpectProblemAsync(HttpStatusCode.NotFound, "tenant-not-found");
        await (await Host.As(Users.New(), tenant).PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank))).ExpectProblemAsync(HttpStatusCode.NotFound, "tenant-not-found");
    }

    [Fact]
    public async Task Tenant_identifier_in_the_route_is_case_insensitive()
    {
        var me = await Host.As(Users.BankAdmin, "BANK", tokenTenant: Tenants.Bank).MeAsync();
        Assert.Equal("bank", me.Str("tenant"));
        Assert.Equal("admin", me.Str("role"));
    }

    [Fact]
    public async Task Suspended_tenant_answers_503_with_Retry_After()
    {
        foreach (var client in new[] { Host.As(null, Tenants.Suspended), Host.As(Users.New(), Tenants.Suspended) })
        {
            var response = await client.GetAsync("tickets");
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "tenant-suspended");
            Assert.Equal(TimeSpan.FromSeconds(300), response.Headers.RetryAfter?.Delta);
        }
        await (await Host.As(Users.New(), Tenants.Suspended).PostAsync("tickets", ApiClient.TicketBody(Tenants.Suspended)))
            .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "tenant-suspended");
        Assert.Equal(0, await Host.CountTicketsAsync(Tenants.Suspended));
    }

    [Fact]
    public async Task Suspending_a_tenant_stops_it_at_once_while_the_others_keep_working_and_resuming_restores_it()
    {
        var telcoCustomer = Host.As(Users.New(), Tenants.Telco);
        var ticket = (await telcoCustomer.CreateTicketAsync()).Id();
        var store = Host.Services.GetRequiredService<ITenantStore>();
        var telco = (await store.FindByIdAsync(Tenants.Telco, Ct))!;

        await store.UpdateAsync(Copy(telco, TenantStatus.Suspended), Ct);
        try
        {
            var refused = await telcoCustomer.GetAsync($"tickets/{ticket}");
            await refused.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "tenant-suspended");
            Assert.NotNull(refused.Headers.RetryAfter);
            var before = await Host.TicketStateAsync(ticket);
            await (await telcoCustomer.PostAsync($"tickets/{ticket}/messages", new { body = "Hello?" })).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "tenant-suspended");
            await (await Host.As(Users.TelcoAdmin, Tenants.Telco).PostAsync($"tickets/{ticket}/close")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "tenant-suspended");
            Assert.Equal(before, await Host.TicketStateAsync(ticket));

            // The bank is not affected.
            var bankTicket = await Host.As(Users.New()).CreateTicketAsync();
            await Host.As(Users.BankAdmin).AssignAsync(bankTicket.Id(), Users.BankAgent1);
        }
        finally
        {
            await store.UpdateAsync(Copy(telco, TenantStatus.Active), Ct);
        }

        await telcoCustomer.GetTicketAsync(ticket);
        await telcoCustomer.PostMessageAsync(ticket, "Back again");
    }

    [Fact]
    public async Task The_same_user_id_in_two_tenants_sees_only_the_tickets_of_the_tenant_it_calls()
    {
        var userId = Users.New("shared");
        var inBank = Host.As(userId, Tenants.Bank);
        var inTelco = Host.As(userId, Tenants.Telco);
        var bankTicket = (await inBank.CreateTicketAsync(ApiClient.TicketBody(Tenants.Bank, "Bank matter"))).Id();
        var telcoTicket = (await inTelco.CreateTicketAsync(ApiClient.TicketBody(Tenants.Telco, "Telco matter"))).Id();

        var bankList = await (await inBank.GetAsync("tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([bankTicket], bankList.GetProperty("items").EnumerateArray().Select(t => t.Id()));
        var telcoList = await (await inTelco.GetAsync("tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([telcoTicket], telcoList.GetProperty("items").EnumerateArray().Select(t => t.Id()));

        await (await inBank.GetAsync($"tickets/{telcoTicket}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await inTelco.GetAsync($"tickets/{bankTicket}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await inBank.PostAsync($"tickets/{telcoTicket}/close")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal("new", (await inTelco.GetTicketAsync(telcoTicket)).Str("status"));

        // A token issued for one tenant does not work on the other, whatever the user id.
        await (await Host.As(userId, Tenants.Telco, tokenTenant: Tenants.Bank).GetAsync("tickets")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        // Ticket numbers are per tenant.
        Assert.StartsWith("BANK-", (await inBank.GetTicketAsync(bankTicket)).Str("number"), StringComparison.Ordinal);
        Assert.StartsWith("TEL-", (await inTelco.GetTicketAsync(telcoTicket)).Str("number"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_a_customer_in_one_tenant_leaves_the_same_user_in_another_tenant_alone()
    {
        var userId = Users.New("shared");
        var telcoTicket = (await Host.As(userId, Tenants.Telco).CreateTicketAsync()).Id();
        await Host.As(userId, Tenants.Bank).CreateTicketAsync();

        await (await Host.As(Users.BankAdmin).DeleteAsync($"customers/{userId}")).ExpectAsync(HttpStatusCode.NoContent);

        await (await Host.As(userId, Tenants.Bank).GetAsync("me")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var telcoTicketNow = await Host.As(userId, Tenants.Telco).GetTicketAsync(telcoTicket);
        Assert.NotEqual("deleted user", telcoTicketNow.GetProperty("customer").Str("name"));
    }

    private static TenantInfo Copy(TenantInfo tenant, TenantStatus status) => new()
    {
        Id = tenant.Id,
        Identifier = tenant.Identifier,
        Name = tenant.Name,
        Status = status,
        Settings = tenant.Settings,
    };
}
