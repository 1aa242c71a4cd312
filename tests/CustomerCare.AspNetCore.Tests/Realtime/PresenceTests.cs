using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using CustomerCare.AspNetCore.Realtime;
using CustomerCare.Staff;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.AspNetCore.Tests.Realtime;

/// <summary>Agent presence: pushed to admins, and (by default) the availability that automatic assignment uses.</summary>
public sealed class PresenceTests
{
    [Fact]
    public async Task Agent_coming_online_is_announced_to_admins_and_drains_the_queue_then_away_and_offline_follow()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Kestrel = true });
        var admin = host.As(Users.BankAdmin);
        await (await admin.SendAsync(HttpMethod.Put, "assignment", new { strategy = "round-robin" })).ExpectAsync(HttpStatusCode.OK);
        foreach (var agentId in new[] { Users.BankAgent1, Users.BankAgent2 })
            await (await admin.PatchAsync($"agents/{agentId}", new { availability = "offline" })).ExpectAsync(HttpStatusCode.OK);

        // Nobody is online: the new ticket waits in the queue.
        var customerId = Users.New();
        var ticket = (await host.As(customerId).CreateTicketAsync()).Id();
        Assert.Equal("new", (await admin.GetTicketAsync(ticket)).Str("status"));

        await using var adminHub = await HubClient.ConnectAsync(host, Users.BankAdmin);
        await using var customerHub = await HubClient.ConnectAsync(host, customerId);
        var agentHub = await HubClient.ConnectAsync(host, Users.BankAgent1);
        try
        {
            var online = await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent1);
            Assert.Equal("online", online.Str("availability"));
            Assert.Equal("Bank Agent One", online.Str("displayName"));
            Assert.Equal(AgentAvailability.Online, (await host.FindStaffAsync(Tenants.Bank, Users.BankAgent1))!.Availability);

            // Coming online drained the queue to this agent, who hears about it, as does the customer.
            var assigned = await agentHub.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket);
            Assert.Equal("assigned", assigned.Str("kind"));
            Assert.Equal(Users.BankAgent1, assigned.GetProperty("assignee").Str("id"));
            await customerHub.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket && u.Str("status") == "open");
            Assert.Equal(Users.BankAgent1, (await admin.GetTicketAsync(ticket)).GetProperty("assignee").Str("id"));

            // Away: no more automatic assignments.
            await agentHub.Connection.InvokeAsync("SetPresence", "away", TestContext.Current.CancellationToken);
            await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent1 && p.Str("availability") == "away");
            Assert.Equal(AgentAvailability.Away, (await host.FindStaffAsync(Tenants.Bank, Users.BankAgent1))!.Availability);
            var waiting = (await host.As(customerId).CreateTicketAsync()).Id();
            Assert.Equal("new", (await admin.GetTicketAsync(waiting)).Str("status"));

            var board = await adminHub.Connection.InvokeAsync<System.Text.Json.JsonElement>("GetPresence", TestContext.Current.CancellationToken);
            Assert.Equal("away", board.EnumerateArray().Single(p => p.Str("userId") == Users.BankAgent1).Str("availability"));
            Assert.Equal("offline", board.EnumerateArray().Single(p => p.Str("userId") == Users.BankAgent2).Str("availability"));

            // Only agents have a presence, only online and away can be chosen, only admins see the board.
            await customerHub.ExpectErrorCodeAsync("forbidden", "SetPresence", "online");
            await adminHub.ExpectErrorCodeAsync("forbidden", "SetPresence", "online");
            await agentHub.ExpectErrorCodeAsync("validation", "SetPresence", "offline");
            await agentHub.ExpectErrorCodeAsync("forbidden", "GetPresence");
            Assert.DoesNotContain(customerHub.Events, e => e.Name == "presence");
            Assert.DoesNotContain(agentHub.Events, e => e.Name == "presence");
        }
        finally
        {
            await agentHub.DisposeAsync();
        }

        // The last connection closed: offline.
        await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent1 && p.Str("availability") == "offline");
        Assert.Equal(AgentAvailability.Offline, (await host.FindStaffAsync(Tenants.Bank, Users.BankAgent1))!.Availability);
    }

    [Fact]
    public async Task A_second_connection_keeps_the_agent_online_until_both_close()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Kestrel = true });
        await using var adminHub = await HubClient.ConnectAsync(host, Users.BankAdmin);
        var first = await HubClient.ConnectAsync(host, Users.BankAgent2);
        var second = await HubClient.ConnectAsync(host, Users.BankAgent2);
        await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent2 && p.Str("availability") == "online");
        // The client's StartAsync returns after the handshake, before the server's OnConnectedAsync has counted the
        // connection: wait until both are counted, or closing the first could legitimately be the last one closing.
        var tracker = host.Services.GetRequiredService<PresenceTracker>();
        for (var i = 0; i < 400 && tracker.ConnectionsOf(Tenants.Bank, Users.BankAgent2) != 2; i++) await Task.Delay(25, TestContext.Current.CancellationToken);
        Assert.Equal(2, tracker.ConnectionsOf(Tenants.Bank, Users.BankAgent2));

        await first.DisposeAsync();
        for (var i = 0; i < 200 && tracker.ConnectionsOf(Tenants.Bank, Users.BankAgent2) != 1; i++) await Task.Delay(25, TestContext.Current.CancellationToken);
        Assert.Equal(1, tracker.ConnectionsOf(Tenants.Bank, Users.BankAgent2));
        // Still one tab open: a ticket update sent after the close reaches the admin after any presence event would have.
        var (_, ticket) = await HubScenario.AssignedTicketAsync(host);
        await adminHub.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket);
        Assert.DoesNotContain(adminHub.Received("presence"), p => p.Str("availability") == "offline");
        Assert.Equal(AgentAvailability.Online, (await host.FindStaffAsync(Tenants.Bank, Users.BankAgent2))!.Availability);

        await second.DisposeAsync();
        await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent2 && p.Str("availability") == "offline");
        Assert.Single(adminHub.Received("presence"), p => p.Str("availability") == "online");
    }

    [Fact]
    public async Task With_presence_not_driving_availability_it_is_only_announced()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Kestrel = true, Realtime = o => o.PresenceUpdatesAvailability = false });
        await (await host.As(Users.BankAdmin).PatchAsync($"agents/{Users.BankAgent1}", new { availability = "away" })).ExpectAsync(HttpStatusCode.OK);
        await using var adminHub = await HubClient.ConnectAsync(host, Users.BankAdmin);
        var agentHub = await HubClient.ConnectAsync(host, Users.BankAgent1);
        await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent1 && p.Str("availability") == "online");
        await agentHub.DisposeAsync();
        await adminHub.WaitForAsync("presence", p => p.Str("userId") == Users.BankAgent1 && p.Str("availability") == "offline");
        Assert.Equal(AgentAvailability.Away, (await host.FindStaffAsync(Tenants.Bank, Users.BankAgent1))!.Availability);
    }
}
