using System.Net;
using System.Net.WebSockets;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using CustomerCare.AspNetCore.Realtime;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.AspNetCore.Tests.Realtime;

/// <summary>Who may connect to the hub: a caller signed in to the tenant in the path, nobody else.</summary>
public sealed class HubConnectionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private ApiHost Host => fixture.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signed_in_caller_connects_and_can_call()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        Assert.Equal(HubConnectionState.Connected, customer.Connection.State);
        Assert.Equal(ticket, (await customer.JoinAsync(ticket)).GetProperty("ticket").Id());
    }

    [Fact]
    public async Task Anonymous_caller_cannot_connect()
    {
        await using var anonymous = HubClient.Build(Host, null, Tenants.Bank);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);

        // The negotiate request answers with CustomerCare's problem details.
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        var negotiate = await http.PostAsync("/t/bank/hub/negotiate?negotiateVersion=1", null, Ct);
        await negotiate.ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Anonymous_caller_cannot_skip_negotiation_and_open_a_WebSocket()
    {
        await using var anonymous = new HubConnectionBuilder().WithUrl(new Uri(Host.BaseAddress, "/t/bank/hub"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
        }).Build();
        await Assert.ThrowsAnyAsync<WebSocketException>(() => anonymous.StartAsync(Ct));
        Assert.Equal(HubConnectionState.Disconnected, anonymous.State);
    }

    [Fact]
    public async Task Token_issued_for_another_tenant_cannot_connect()
    {
        // A bank admin's token presented to the telco hub, and a telco customer's token to the bank hub.
        await using var bankTokenOnTelco = HubClient.Build(Host, Users.BankAdmin, Tenants.Telco, tokenTenant: Tenants.Bank);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => bankTokenOnTelco.StartAsync(Ct))).StatusCode);
        await using var telcoTokenOnBank = HubClient.Build(Host, Users.New(), Tenants.Bank, tokenTenant: Tenants.Telco);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => telcoTokenOnBank.StartAsync(Ct))).StatusCode);
    }

    [Fact]
    public async Task Unknown_or_suspended_tenant_cannot_be_connected_to()
    {
        await using var unknown = HubClient.Build(Host, Users.New(), "no-such-tenant");
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<HttpRequestException>(() => unknown.StartAsync(Ct))).StatusCode);
        await using var suspended = HubClient.Build(Host, Users.New(), Tenants.Suspended);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Assert.ThrowsAsync<HttpRequestException>(() => suspended.StartAsync(Ct))).StatusCode);
    }

    [Fact]
    public async Task Each_call_runs_in_the_connections_tenant()
    {
        // Two connections of different tenants on the same host, calling alternately: each sees its own data only.
        var (bankCustomer, bankTicket) = await HubScenario.AssignedTicketAsync(Host);
        var (telcoCustomer, telcoTicket) = await HubScenario.AssignedTicketAsync(Host, Tenants.Telco);
        await using var bank = await HubClient.ConnectAsync(Host, bankCustomer);
        await using var telco = await HubClient.ConnectAsync(Host, telcoCustomer, Tenants.Telco);
        for (var i = 0; i < 3; i++)
        {
            await bank.SendAsync(bankTicket, $"bank {i}");
            await telco.SendAsync(telcoTicket, $"telco {i}");
        }
        var bankMessages = (await bank.JoinAsync(bankTicket)).GetProperty("messages").EnumerateArray().Select(m => m.Str("body")).ToList();
        Assert.Equal(["bank 0", "bank 1", "bank 2"], bankMessages);
        Assert.Equal(Tenants.Telco, (await Host.FindTicketAsync(telcoTicket))!.TenantId);
        Assert.Equal(3, await Host.CountMessagesAsync(telcoTicket));
    }

    [Fact]
    public async Task Resync_drops_connections_so_that_clients_reconnect_and_catch_up_by_cursor()
    {
        // What the scale-out calls after a backplane outage: the client must reconnect by itself (not be told to stay away).
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var connection = HubClient.Build(Host, customerId, Tenants.Bank,
            configure: b => b.WithAutomaticReconnect(Enumerable.Repeat(TimeSpan.FromMilliseconds(200), 50).Prepend(TimeSpan.Zero).ToArray()));   // a loaded CI machine may refuse a few attempts
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Reconnected += _ => { reconnected.TrySetResult(); return Task.CompletedTask; };
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<System.Text.Json.JsonElement>("JoinTicket", ticket.ToString(), null, Ct);

        var resync = Host.Services.GetRequiredService<IRealtimeResync>();
        Assert.True(resync.ConnectionCount >= 1);
        resync.ResyncAll("test");
        await Host.As(Users.BankAgent1).PostMessageAsync(ticket, "Sent while you were away");
        await reconnected.Task.WaitAsync(HubClient.Timeout, Ct);

        Assert.Equal(HubConnectionState.Connected, connection.State);
        var gap = await connection.InvokeAsync<System.Text.Json.JsonElement>("JoinTicket", ticket.ToString(), 0, Ct);
        Assert.Equal("Sent while you were away", Assert.Single(gap.GetProperty("messages").EnumerateArray()).Str("body"));
    }

    [Fact]
    public async Task Calls_to_a_tenant_suspended_while_connected_are_refused_until_it_resumes()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host, Tenants.Telco);
        await using var customer = await HubClient.ConnectAsync(Host, customerId, Tenants.Telco);
        await customer.JoinAsync(ticket);
        var before = await Host.TicketStateAsync(ticket);

        var telco = (await Host.Services.GetRequiredService<CustomerCare.MultiTenancy.ITenantStore>().FindByIdAsync(Tenants.Telco, Ct))!;
        telco.Status = CustomerCare.MultiTenancy.TenantStatus.Suspended;
        try
        {
            await customer.ExpectErrorCodeAsync("tenant-suspended", "SendMessage", ticket.ToString(), "Hello?", null, null);
            await customer.ExpectErrorCodeAsync("tenant-suspended", "JoinTicket", ticket.ToString(), null);
            Assert.Equal(before, await Host.TicketStateAsync(ticket));
        }
        finally
        {
            telco.Status = CustomerCare.MultiTenancy.TenantStatus.Active;
        }
        Assert.Equal(1, (await customer.SendAsync(ticket, "Back again")).GetProperty("sequence").GetInt32());
    }
}
