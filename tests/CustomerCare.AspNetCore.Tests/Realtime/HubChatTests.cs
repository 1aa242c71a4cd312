using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CustomerCare.AspNetCore.Tests.Realtime;

/// <summary>Chat over the hub: joining with a cursor, sending, pushing to exactly those allowed to see, and the same rules as HTTP.</summary>
public sealed class HubChatTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private const string NotFound = "not-found: The ticket was not found.";

    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Join_returns_exactly_the_messages_after_the_cursor_that_the_caller_may_see()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        var customerHttp = Host.As(customerId);
        var agentHttp = Host.As(Users.BankAgent1);
        await customerHttp.PostMessageAsync(ticket, "one");
        await customerHttp.PostMessageAsync(ticket, "two");
        await agentHttp.PostMessageAsync(ticket, "three (note)", "internal");
        await agentHttp.PostMessageAsync(ticket, "four");

        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);

        var joined = await customer.JoinAsync(ticket, after: 1);
        Assert.Equal(ticket, joined.GetProperty("ticket").Id());
        Assert.Equal("pending", joined.GetProperty("ticket").Str("status"));   // the agent answered last
        Assert.Equal([2, 4], Sequences(joined));
        Assert.Equal(["two", "four"], joined.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")));
        Assert.False(joined.GetProperty("hasMore").GetBoolean());

        var agentGap = await agent.JoinAsync(ticket, after: 2);
        Assert.Equal([3, 4], Sequences(agentGap));
        var everything = await customer.JoinAsync(ticket);
        Assert.Equal([1, 2, 4], Sequences(everything));
        Assert.Empty(Sequences(await customer.JoinAsync(ticket, after: 4)));
        await customer.ExpectErrorCodeAsync("validation", "JoinTicket", ticket.ToString(), -1);

        // Joined: the next message arrives live, as stored.
        var sent = await customer.SendAsync(ticket, "five");
        Assert.Equal(5, sent.GetProperty("sequence").GetInt32());
        var pushed = await agent.WaitForMessageAsync(ticket, 5);
        Assert.Equal(sent.Id(), pushed.Id());
        Assert.Equal("five", pushed.Str("body"));
    }

    [Fact]
    public async Task Join_pages_a_long_gap_and_says_when_more_follow()
    {
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Kestrel = true, Realtime = o => o.JoinMaxMessages = 3 });
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(host);
        var customerHttp = host.As(customerId);
        for (var i = 1; i <= 5; i++) await customerHttp.PostMessageAsync(ticket, $"m{i}");

        await using var customer = await HubClient.ConnectAsync(host, customerId);
        var first = await customer.JoinAsync(ticket, after: 0);
        Assert.Equal([1, 2, 3], Sequences(first));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        var rest = await customer.JoinAsync(ticket, after: 3);
        Assert.Equal([4, 5], Sequences(rest));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task Message_sent_over_the_hub_is_stored_returned_and_pushed_to_everyone_who_joined()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await using var admin = await HubClient.ConnectAsync(Host, Users.BankAdmin);
        foreach (var client in new[] { customer, agent, admin }) await client.JoinAsync(ticket);

        var sent = await customer.SendAsync(ticket, "  My card is blocked.  ");
        Assert.Equal(1, sent.GetProperty("sequence").GetInt32());
        Assert.Equal("My card is blocked.", sent.Str("body"));
        Assert.Equal("public", sent.Str("visibility"));
        Assert.Equal("customer", sent.Str("authorRole"));
        Assert.Equal(customerId, sent.GetProperty("author").Str("id"));
        Assert.Equal(1, await Host.CountMessagesAsync(ticket));

        foreach (var client in new[] { agent, admin, customer })
        {
            var pushed = await client.WaitForMessageAsync(ticket, 1);
            Assert.Equal(sent.ToString(), pushed.ToString());
        }

        // And the other way round.
        var reply = await agent.SendAsync(ticket, "Unblocked it for you.");
        Assert.Equal(reply.Id(), (await customer.WaitForMessageAsync(ticket, 2)).Id());
        Assert.Equal("pending", (await customer.WaitForAsync("ticketUpdated", u => u.Str("status") == "pending")).Str("status"));
    }

    [Fact]
    public async Task Message_posted_over_HTTP_is_pushed_like_one_sent_over_the_hub()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await customer.JoinAsync(ticket);
        await agent.JoinAsync(ticket);

        var fromCustomer = await Host.As(customerId).PostMessageAsync(ticket, "Posted with curl");
        Assert.Equal(fromCustomer.ToString(), (await agent.WaitForMessageAsync(ticket, 1)).ToString());
        var fromAgent = await Host.As(Users.BankAgent1).PostMessageAsync(ticket, "Answered from the API");
        Assert.Equal(fromAgent.ToString(), (await customer.WaitForMessageAsync(ticket, 2)).ToString());
    }

    [Fact]
    public async Task Internal_note_reaches_staff_but_never_the_customer()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await using var admin = await HubClient.ConnectAsync(Host, Users.BankAdmin);
        foreach (var client in new[] { customer, agent, admin }) await client.JoinAsync(ticket);

        var note = await agent.SendAsync(ticket, "Customer called twice already.", "internal");
        Assert.Equal("internal", note.Str("visibility"));
        await Host.As(Users.BankAdmin).PostMessageAsync(ticket, "Note over HTTP", "internal");
        await agent.SendAsync(ticket, "Public reply");

        foreach (var staff in new[] { agent, admin })
        {
            await staff.WaitForMessageAsync(ticket, 3);
            Assert.Equal([1, 2, 3], staff.MessageSequences(ticket));
        }
        // The public reply came after both notes: had a note been pushed to the customer, it would be here already.
        await customer.WaitForMessageAsync(ticket, 3);
        Assert.Equal([3], customer.MessageSequences(ticket));
        Assert.DoesNotContain(customer.Events, e => e.Payload.ToString().Contains("Customer called twice", StringComparison.Ordinal));
        await customer.ExpectErrorCodeAsync("forbidden", "SendMessage", ticket.ToString(), "sneaky note", "internal", null);
    }

    [Fact]
    public async Task Ticket_changes_are_pushed_to_the_customer_the_assignee_and_admins()
    {
        var customerId = Users.New();
        var ticket = (await Host.As(customerId).CreateTicketAsync()).Id();
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await using var admin = await HubClient.ConnectAsync(Host, Users.BankAdmin);

        var assigned = await Host.As(Users.BankAdmin).AssignAsync(ticket, Users.BankAgent1);
        foreach (var client in new[] { customer, agent, admin })
        {
            var update = await client.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket && u.Str("kind") == "assigned");
            Assert.Equal("open", update.Str("status"));
            Assert.Equal(Users.BankAgent1, update.GetProperty("assignee").Str("id"));
            Assert.Equal(assigned.Version(), update.Version());
            Assert.Equal(assigned.Str("number"), update.Str("number"));
            Assert.Equal("normal", update.Str("priority"));
        }

        var resolved = await Host.As(Users.BankAgent1).ChangeStatusAsync(ticket, "resolve");
        var resolvedUpdate = await customer.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket && u.Str("status") == "resolved");
        Assert.Equal("statusChanged", resolvedUpdate.Str("kind"));
        Assert.Equal(resolved.Version(), resolvedUpdate.Version());

        // Someone else's ticket changes: not a word to this customer.
        var (_, other) = await HubScenario.AssignedTicketAsync(Host);
        await admin.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == other && u.Str("kind") == "assigned");
        Assert.DoesNotContain(customer.Received("ticketUpdated"), u => u.GetProperty("ticketId").GetGuid() == other);
    }

    [Fact]
    public async Task Reassigned_ticket_stops_reaching_the_previous_agent()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        var (_, sentinelTicket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var previous = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await customer.JoinAsync(ticket);
        await previous.JoinAsync(ticket);
        await previous.JoinAsync(sentinelTicket);

        await Host.As(Users.BankAdmin).AssignAsync(ticket, Users.BankAgent2);
        var update = await previous.WaitForAsync("ticketUpdated", u => u.GetProperty("ticketId").GetGuid() == ticket);
        Assert.Equal(Users.BankAgent2, update.GetProperty("assignee").Str("id"));

        await using var next = await HubClient.ConnectAsync(Host, Users.BankAgent2);
        await next.JoinAsync(ticket);
        await customer.SendAsync(ticket, "Is anyone there?");
        await next.WaitForMessageAsync(ticket, 1);
        // Pushed in order: a message on the sentinel ticket arriving means the first one would have arrived too.
        await Host.As(Users.BankAdmin).PostMessageAsync(sentinelTicket, "sentinel");
        await previous.WaitForMessageAsync(sentinelTicket, 1);
        Assert.Empty(previous.MessageSequences(ticket));
        Assert.Equal(NotFound, await previous.ExpectErrorAsync("SendMessage", ticket.ToString(), "still here?", null, null));
    }

    [Fact]
    public async Task Tickets_the_caller_may_not_see_fail_exactly_like_unknown_or_malformed_ids_and_change_nothing()
    {
        var (_, ticket) = await HubScenario.AssignedTicketAsync(Host);
        var (_, telcoTicket) = await HubScenario.AssignedTicketAsync(Host, Tenants.Telco);
        var before = await Host.TicketStateAsync(ticket);
        await using var otherCustomer = await HubClient.ConnectAsync(Host, Users.New());
        await using var otherAgent = await HubClient.ConnectAsync(Host, Users.BankAgent2);
        await using var bankAdmin = await HubClient.ConnectAsync(Host, Users.BankAdmin);

        string?[] ids = [ticket.ToString(), Guid.NewGuid().ToString(), "not-a-guid", "", null, telcoTicket.ToString(), "' OR 1=1 --"];
        foreach (var id in ids)
        {
            Assert.Equal(NotFound, await otherCustomer.ExpectErrorAsync("JoinTicket", id, null));
            Assert.Equal(NotFound, await otherCustomer.ExpectErrorAsync("SendMessage", id, "hello", null, null));
            Assert.Equal(NotFound, await otherCustomer.ExpectErrorAsync("Typing", id));
        }
        // Staff too: an agent of the same tenant who is not assigned, an admin of another tenant's ticket.
        Assert.Equal(NotFound, await otherAgent.ExpectErrorAsync("JoinTicket", ticket.ToString(), null));
        Assert.Equal(NotFound, await otherAgent.ExpectErrorAsync("SendMessage", ticket.ToString(), "hello", null, null));
        Assert.Equal(NotFound, await bankAdmin.ExpectErrorAsync("JoinTicket", telcoTicket.ToString(), null));
        Assert.Equal(NotFound, await bankAdmin.ExpectErrorAsync("SendMessage", telcoTicket.ToString(), "hello", null, null));

        Assert.Equal(before, await Host.TicketStateAsync(ticket));
        Assert.Equal(0, await Host.CountMessagesAsync(telcoTicket));
        // Refused calls leave the connection working.
        Assert.Equal(HubConnectionState.Connected, otherCustomer.Connection.State);
    }

    [Fact]
    public async Task Closed_ticket_refuses_messages_and_typing()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await customer.JoinAsync(ticket);
        await Host.As(customerId).ChangeStatusAsync(ticket, "close");
        var before = await Host.TicketStateAsync(ticket);

        var error = await customer.ExpectErrorCodeAsync("ticket-closed", "SendMessage", ticket.ToString(), "One more thing", null, null);
        Assert.Contains("closed", error, StringComparison.Ordinal);
        await customer.ExpectErrorCodeAsync("ticket-closed", "Typing", ticket.ToString());
        Assert.Equal(before, await Host.TicketStateAsync(ticket));
    }

    [Fact]
    public async Task Invalid_messages_are_refused_with_the_field_and_nothing_is_stored()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await customer.JoinAsync(ticket);
        var before = await Host.TicketStateAsync(ticket);

        Assert.Equal("validation: body: Body must be at most 5000 characters.",
            await customer.ExpectErrorAsync("SendMessage", ticket.ToString(), new string('x', 5001), null, null));
        await customer.ExpectErrorCodeAsync("validation", "SendMessage", ticket.ToString(), "   ", null, null);
        await customer.ExpectErrorCodeAsync("validation", "SendMessage", ticket.ToString(), null, null, null);
        Assert.Contains("visibility", await customer.ExpectErrorCodeAsync("validation", "SendMessage", ticket.ToString(), "hi", "secret", null), StringComparison.Ordinal);
        Assert.Contains("clientMessageId", await customer.ExpectErrorCodeAsync("validation", "SendMessage", ticket.ToString(), "hi", null, new string('k', 201)), StringComparison.Ordinal);
        Assert.Equal(before, await Host.TicketStateAsync(ticket));

        // Exactly at the limit is fine.
        var longest = await customer.SendAsync(ticket, new string('y', 5000));
        Assert.Equal(5000, longest.Str("body").Length);
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_closes_only_that_connection()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await customer.JoinAsync(ticket);
        await agent.JoinAsync(ticket);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        customer.Connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        var before = await Host.TicketStateAsync(ticket);

        // 100 KB is over the hub's 64 KiB limit: the server closes this connection without reading the call.
        var send = customer.Connection.InvokeAsync<JsonElement>("SendMessage", ticket.ToString(), new string('z', 100_000), null, null, TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<Exception>(() => send);
        await closed.Task.WaitAsync(HubClient.Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(HubConnectionState.Disconnected, customer.Connection.State);

        Assert.Equal(before, await Host.TicketStateAsync(ticket));
        var reply = await agent.SendAsync(ticket, "Still working here.");
        Assert.Equal(1, reply.GetProperty("sequence").GetInt32());
    }

    [Fact]
    public async Task Retried_send_with_the_same_client_message_id_returns_the_stored_message_and_is_pushed_once()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await customer.JoinAsync(ticket);
        await agent.JoinAsync(ticket);
        var clientMessageId = Guid.NewGuid().ToString();

        var first = await customer.SendAsync(ticket, "Hello?", clientMessageId: clientMessageId);
        var retry = await customer.SendAsync(ticket, "Hello?", clientMessageId: clientMessageId);
        Assert.Equal(first.ToString(), retry.ToString());
        // The same key through the HTTP API's Idempotency-Key is the same request too.
        var overHttp = await Host.As(customerId).PostAsync($"tickets/{ticket}/messages", new { body = "Hello?" }, ("Idempotency-Key", clientMessageId));
        Assert.Equal(first.Id(), (await overHttp.ExpectAsync(HttpStatusCode.Created)).Id());
        Assert.Equal(["true"], overHttp.Headers.GetValues("Idempotent-Replayed"));
        await customer.ExpectErrorCodeAsync("idempotency-key-reused", "SendMessage", ticket.ToString(), "Another text", null, clientMessageId);

        var second = await customer.SendAsync(ticket, "Hello again", clientMessageId: Guid.NewGuid().ToString());
        Assert.Equal(2, second.GetProperty("sequence").GetInt32());
        await agent.WaitForMessageAsync(ticket, 2);
        Assert.Equal([1, 2], agent.MessageSequences(ticket));
        Assert.Equal(2, await Host.CountMessagesAsync(ticket));
    }

    [Fact]
    public async Task Typing_reaches_the_other_side_but_not_the_sender_and_is_throttled()
    {
        var (customerId, ticket) = await HubScenario.AssignedTicketAsync(Host);
        await using var customer = await HubClient.ConnectAsync(Host, customerId);
        await using var agent = await HubClient.ConnectAsync(Host, Users.BankAgent1);
        await using var admin = await HubClient.ConnectAsync(Host, Users.BankAdmin);
        foreach (var client in new[] { customer, agent, admin }) await client.JoinAsync(ticket);

        await customer.Connection.InvokeAsync("Typing", ticket.ToString(), TestContext.Current.CancellationToken);
        await customer.Connection.InvokeAsync("Typing", ticket.ToString(), TestContext.Current.CancellationToken);   // within the interval: ignored
        var typing = await agent.WaitForAsync("typing");
        Assert.Equal(ticket, typing.GetProperty("ticketId").GetGuid());
        Assert.Equal(customerId, typing.GetProperty("user").Str("id"));
        Assert.Equal("customer", typing.Str("role"));
        await admin.WaitForAsync("typing");

        // A message sent after the typing calls: once it arrives, any typing event would have arrived before it.
        await agent.Connection.InvokeAsync("Typing", ticket.ToString(), TestContext.Current.CancellationToken);
        await agent.SendAsync(ticket, "Typing done");
        await customer.WaitForMessageAsync(ticket, 1);
        await admin.WaitForMessageAsync(ticket, 1);
        Assert.Single(agent.Received("typing"));                                      // the customer's, once (throttled)
        Assert.Equal([Users.BankAgent1], customer.Received("typing").Select(t => t.GetProperty("user").Str("id")));   // not its own
        Assert.Equal(2, admin.Received("typing").Count);
    }

    private static int[] Sequences(JsonElement joined)
        => [.. joined.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("sequence").GetInt32())];
}
