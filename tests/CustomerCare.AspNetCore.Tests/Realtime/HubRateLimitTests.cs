using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CustomerCare.AspNetCore.Tests.Realtime;

/// <summary>A flood of calls on one connection is throttled with a clear error; nobody else notices.</summary>
public sealed class HubRateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Flood_of_sends_is_rate_limited_per_connection_without_disconnecting_anyone_or_storing_the_excess()
    {
        // A bucket of 5 that does not refill during the test: exactly 5 metered calls per connection succeed.
        await using var host = await ApiHost.StartAsync(new ApiHostOptions
        {
            Kestrel = true,
            Realtime = o =>
            {
                o.RateLimit.TokenLimit = 5;
                o.RateLimit.TokensPerPeriod = 1;
                o.RateLimit.ReplenishmentPeriod = TimeSpan.FromHours(1);
            },
        });
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(host);
        var (otherCustomerId, otherTicket) = await HubScenario.AssignedTicketAsync(host);
        await using var flooder = await HubClient.ConnectAsync(host, customerId);
        await using var agent = await HubClient.ConnectAsync(host, Users.BankAgent1);
        await using var bystander = await HubClient.ConnectAsync(host, otherCustomerId);
        await flooder.JoinAsync(ticket);                      // 1 of 5
        await agent.JoinAsync(ticket);
        await agent.JoinAsync(otherTicket);

        var sends = Enumerable.Range(1, 30)
            .Select(i => flooder.Connection.InvokeAsync<JsonElement>("SendMessage", ticket.ToString(), $"spam {i}", null, null, Ct))
            .ToList();
        var outcomes = new List<string>();
        foreach (var send in sends)
        {
            try
            {
                await send;
                outcomes.Add("sent");
            }
            catch (HubException ex)
            {
                Assert.Contains("HubException: rate-limited: Too many calls on this connection; retry in ", ex.Message, StringComparison.Ordinal);
                outcomes.Add("limited");
            }
        }
        Assert.Equal(4, outcomes.Count(o => o == "sent"));
        Assert.Equal(26, outcomes.Count(o => o == "limited"));
        Assert.Equal(4, await host.CountMessagesAsync(ticket));

        // The flooder is still connected (unmetered calls work), only throttled.
        Assert.Equal(HubConnectionState.Connected, flooder.Connection.State);
        await flooder.Connection.InvokeAsync("LeaveTicket", ticket.ToString(), Ct);
        await flooder.ExpectErrorCodeAsync("rate-limited", "JoinTicket", ticket.ToString(), null);

        // Others are unaffected: their own buckets, their messages go through and arrive.
        var fromBystander = await bystander.SendAsync(otherTicket, "I am not spamming");
        Assert.Equal(fromBystander.Id(), (await agent.WaitForMessageAsync(otherTicket, 1)).Id());
        var fromAgent = await agent.SendAsync(ticket, "Please stop.");
        Assert.Equal(5, fromAgent.GetProperty("sequence").GetInt32());
        await agent.WaitForMessageAsync(ticket, 5);
        Assert.Equal([1, 2, 3, 4, 5], agent.MessageSequences(ticket));
    }
}
