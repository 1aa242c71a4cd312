using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CustomerCare.AspNetCore.Tests.Tickets;

/// <summary>The ticket lifecycle over HTTP (DESIGN.md §3), the audit trail, and optimistic concurrency with ETag / If-Match.</summary>
public sealed class LifecycleTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Ticket_goes_from_raised_to_closed_and_then_refuses_messages()
    {
        var customerId = Users.New();
        var customer = Host.As(customerId, Tenants.Telco, name: "Grace Hopper");
        var admin = Host.As(Users.TelcoAdmin, Tenants.Telco);
        var agent = Host.As(Users.TelcoAgent1, Tenants.Telco);

        // The customer raises it with the tenant's required custom field.
        var createResponse = await customer.PostAsync("tickets", new
        {
            subject = "Bill too high",
            description = "My March bill charges roaming I never used.",
            priority = "high",
            customFields = new Dictionary<string, string> { ["billNumber"] = "INV-2031" },
        });
        var created = await createResponse.ExpectAsync(HttpStatusCode.Created);
        var id = created.Id();
        Assert.Equal($"/t/telco/api/tickets/{id}", createResponse.Headers.Location?.OriginalString);
        Assert.Equal($"\"{created.Version()}\"", createResponse.Headers.ETag?.ToString());
        Assert.Equal("new", created.Str("status"));
        Assert.Equal("high", created.Str("priority"));
        Assert.Equal("api", created.Str("channel"));
        Assert.Equal("INV-2031", created.GetProperty("customFields").Str("billNumber"));
        Assert.StartsWith("TEL-", created.Str("number"), StringComparison.Ordinal);
        Assert.Equal(customerId, created.GetProperty("customer").Str("id"));
        Assert.Equal("Grace Hopper", created.GetProperty("customer").Str("name"));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("assignee").ValueKind);

        // The admin assigns an agent.
        var assigned = await admin.AssignAsync(id, Users.TelcoAgent1);
        Assert.Equal("open", assigned.Str("status"));
        Assert.Equal(Users.TelcoAgent1, assigned.GetProperty("assignee").Str("id"));
        Assert.Equal("Telco Agent One", assigned.GetProperty("assignee").Str("name"));

        // Agent replies: waiting on the customer.
        var replyResponse = await agent.PostAsync($"tickets/{id}/messages", new { body = "Roaming was charged by mistake; we will refund it." });
        var reply = await replyResponse.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal($"/t/telco/api/tickets/{id}/messages?after=0", replyResponse.Headers.Location?.OriginalString);
        Assert.Equal(1, reply.GetProperty("sequence").GetInt32());
        Assert.Equal("agent", reply.Str("authorRole"));
        var afterReply = await customer.GetTicketAsync(id);
        Assert.Equal("pending", afterReply.Str("status"));
        Assert.Equal(JsonValueKind.String, afterReply.GetProperty("firstResponseAt").ValueKind);

        // Customer answers: back to open.
        await customer.PostMessageAsync(id, "Thanks! When will I see it?");
        Assert.Equal("open", (await customer.GetTicketAsync(id)).Str("status"));

        // Agent resolves, customer closes.
        var resolved = await agent.ChangeStatusAsync(id, "resolve");
        Assert.Equal("resolved", resolved.Str("status"));
        Assert.Equal(JsonValueKind.String, resolved.GetProperty("resolvedAt").ValueKind);
        var closed = await customer.ChangeStatusAsync(id, "close");
        Assert.Equal("closed", closed.Str("status"));
        Assert.Equal(JsonValueKind.String, closed.GetProperty("closedAt").ValueKind);

        // Chats are disabled on a closed ticket, for everyone.
        var state = await Host.TicketStateAsync(id);
        foreach (var who in new[] { customer, agent, admin })
        {
            var refused = await who.PostAsync($"tickets/{id}/messages", new { body = "One more thing" });
            await refused.ExpectProblemAsync(HttpStatusCode.Conflict, "ticket-closed");
        }
        await (await admin.PostAsync($"tickets/{id}/messages", new { body = "Note", visibility = "internal" })).ExpectProblemAsync(HttpStatusCode.Conflict, "ticket-closed");
        Assert.Equal(state, await Host.TicketStateAsync(id));

        // The conversation, oldest first.
        var messages = await (await customer.GetAsync($"tickets/{id}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([1, 2], messages.EnumerateArray().Select(m => m.GetProperty("sequence").GetInt32()));
        Assert.Equal(["agent", "customer"], messages.EnumerateArray().Select(m => m.Str("authorRole")));
        var afterFirst = await (await customer.GetAsync($"tickets/{id}/messages?after=1")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([2], afterFirst.EnumerateArray().Select(m => m.GetProperty("sequence").GetInt32()));

        // The audit trail, oldest first.
        var events = await (await admin.GetAsync($"tickets/{id}/events")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(
            [
                "created:-:new", "assigned:new:open", "messagePosted:-:-", "statusChanged:open:pending",
                "messagePosted:-:-", "statusChanged:pending:open", "statusChanged:open:resolved", "statusChanged:resolved:closed",
            ],
            events.EnumerateArray().Select(e => $"{e.Str("kind")}:{e.GetProperty("fromStatus").GetString() ?? "-"}:{e.GetProperty("toStatus").GetString() ?? "-"}"));
        Assert.Equal(
            [customerId, Users.TelcoAdmin, Users.TelcoAgent1, Users.TelcoAgent1, customerId, customerId, Users.TelcoAgent1, customerId],
            events.EnumerateArray().Select(e => e.Str("actorId")));
        Assert.Equal(Users.TelcoAgent1, events[1].Str("assigneeId"));
    }

    [Fact]
    public async Task Json_is_camel_case_with_lower_case_enums_and_utc_iso_times()
    {
        var owner = Host.As(Users.New());
        var response = await owner.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank));
        var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":\"new\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"priority\":\"normal\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"channel\":\"api\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"customFields\":{}", raw, StringComparison.Ordinal);
        Assert.DoesNotMatch("\"[A-Z][A-Za-z]*\":", raw);

        var ticket = System.Text.Json.JsonDocument.Parse(raw).RootElement;
        var createdAt = ticket.Str("createdAt");
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$", createdAt);
        Assert.Equal(TimeSpan.Zero, DateTimeOffset.Parse(createdAt, System.Globalization.CultureInfo.InvariantCulture).Offset);

        await Host.As(Users.BankAdmin).AssignAsync(ticket.Id(), Users.BankAgent1);
        await Host.As(Users.BankAgent1).PostMessageAsync(ticket.Id(), "Hello", "internal");
        var events = await (await Host.As(Users.BankAdmin).GetAsync($"tickets/{ticket.Id()}/events")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["created", "assigned", "messagePosted"], events.EnumerateArray().Select(e => e.Str("kind")));
        var messages = await (await Host.As(Users.BankAdmin).GetAsync($"tickets/{ticket.Id()}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("internal", messages[0].Str("visibility"));
        Assert.Equal("agent", messages[0].Str("authorRole"));
    }

    [Fact]
    public async Task Audit_trail_keeps_the_order_of_changes_made_at_the_same_instant()
    {
        // A staff reply writes two events in one change (message posted, then open -> pending): they
        // share a timestamp, so the trail must not depend on random id bits to order them.
        var admin = Host.As(Users.BankAdmin);
        var agent = Host.As(Users.BankAgent1);
        for (var i = 0; i < 12; i++)
        {
            var id = (await Host.As(Users.New()).CreateTicketAsync()).Id();
            await admin.AssignAsync(id, Users.BankAgent1);
            await agent.PostMessageAsync(id, "Looking into it.");
            var events = await (await admin.GetAsync($"tickets/{id}/events")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(["created", "assigned", "messagePosted", "statusChanged"], events.EnumerateArray().Select(e => e.Str("kind")));
        }
    }

    [Fact]
    public async Task ETag_is_the_version_and_a_stale_If_Match_changes_nothing()
    {
        var owner = Host.As(Users.New());
        var admin = Host.As(Users.BankAdmin);
        var id = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(id, Users.BankAgent1);

        var get = await owner.GetAsync($"tickets/{id}");
        var ticket = await get.ExpectAsync(HttpStatusCode.OK);
        var version = ticket.Version();
        Assert.Equal(2, version);
        Assert.Equal($"\"{version}\"", get.Headers.ETag?.ToString());

        var state = await Host.TicketStateAsync(id);
        var stale = $"\"{version - 1}\"";
        await (await admin.PostAsync($"tickets/{id}/resolve", null, ("If-Match", stale))).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "stale-version");
        await (await owner.PostAsync($"tickets/{id}/close", null, ("If-Match", stale))).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "stale-version");
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = Users.BankAgent2 }, ("If-Match", stale))).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "stale-version");
        await (await admin.PostAsync($"tickets/{id}/resolve", null, ("If-Match", $"\"{version + 5}\""))).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "stale-version");
        Assert.Equal(state, await Host.TicketStateAsync(id));

        var resolve = await admin.PostAsync($"tickets/{id}/resolve", null, ("If-Match", $"\"{version}\""));
        var resolved = await resolve.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("resolved", resolved.Str("status"));
        Assert.Equal(version + 1, resolved.Version());
        Assert.Equal($"\"{version + 1}\"", resolve.Headers.ETag?.ToString());

        // Weak form and '*' are accepted too.
        var reopened = await (await owner.PostAsync($"tickets/{id}/reopen", null, ("If-Match", $"W/\"{version + 1}\""))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("open", reopened.Str("status"));
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = Users.BankAgent2 }, ("If-Match", "*"))).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Illegal_transitions_are_conflicts_not_silent_no_ops()
    {
        var owner = Host.As(Users.New());
        var admin = Host.As(Users.BankAdmin);
        var id = (await owner.CreateTicketAsync()).Id();

        await (await owner.PostAsync($"tickets/{id}/reopen")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = (string?)null })).ExpectProblemAsync(HttpStatusCode.Conflict, "already-assigned");
        await admin.AssignAsync(id, Users.BankAgent1);
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = Users.BankAgent1 })).ExpectProblemAsync(HttpStatusCode.Conflict, "already-assigned");
        await admin.ChangeStatusAsync(id, "resolve");
        var state = await Host.TicketStateAsync(id);
        await (await admin.PostAsync($"tickets/{id}/resolve")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = Users.BankAgent2 })).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        Assert.Equal(state, await Host.TicketStateAsync(id));
        await owner.ChangeStatusAsync(id, "close");
        await (await owner.PostAsync($"tickets/{id}/close")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        await (await admin.PostAsync($"tickets/{id}/resolve")).ExpectProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
    }

    [Fact]
    public async Task Customer_reply_reopens_a_resolved_ticket_and_reopen_returns_to_open_or_new()
    {
        var owner = Host.As(Users.New());
        var admin = Host.As(Users.BankAdmin);

        var assigned = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(assigned, Users.BankAgent1);
        await admin.ChangeStatusAsync(assigned, "resolve");
        await owner.PostMessageAsync(assigned, "It happened again.");
        Assert.Equal("open", (await owner.GetTicketAsync(assigned)).Str("status"));
        await owner.ChangeStatusAsync(assigned, "close");
        Assert.Equal("open", (await owner.ChangeStatusAsync(assigned, "reopen")).Str("status"));

        var unassigned = (await owner.CreateTicketAsync()).Id();
        await owner.ChangeStatusAsync(unassigned, "close");
        Assert.Equal("new", (await admin.ChangeStatusAsync(unassigned, "reopen")).Str("status"));
    }

    [Fact]
    public async Task Unassigning_returns_the_ticket_to_the_queue_and_only_active_staff_can_be_assigned()
    {
        var owner = Users.New();
        var admin = Host.As(Users.BankAdmin);
        var id = (await Host.As(owner).CreateTicketAsync()).Id();
        await admin.AssignAsync(id, Users.BankAgent1);

        var unassigned = await admin.AssignAsync(id, null);
        Assert.Equal("new", unassigned.Str("status"));
        Assert.Equal(JsonValueKind.Null, unassigned.GetProperty("assignee").ValueKind);

        var state = await Host.TicketStateAsync(id);
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = owner })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "agentId");
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = "nobody" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "agentId");
        await (await admin.PostAsync($"tickets/{id}/assign", new { agentId = Users.TelcoAgent1 })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "agentId");
        Assert.Equal(state, await Host.TicketStateAsync(id));
    }

    [Fact]
    public async Task Reopen_after_the_window_is_a_conflict()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(5) };
        await using var host = await ApiHost.StartAsync(new ApiHostOptions { Time = clock, CustomerCare = o => o.Tickets.ReopenWindow = TimeSpan.FromDays(14) });
        var owner = host.As(Users.New());
        var id = (await owner.CreateTicketAsync()).Id();
        await owner.ChangeStatusAsync(id, "close");

        clock.Advance(TimeSpan.FromDays(13));
        await owner.ChangeStatusAsync(id, "reopen");
        await owner.ChangeStatusAsync(id, "close");

        clock.Advance(TimeSpan.FromDays(15));
        var state = await host.TicketStateAsync(id);
        await (await owner.PostAsync($"tickets/{id}/reopen")).ExpectProblemAsync(HttpStatusCode.Conflict, "reopen-window-passed");
        Assert.Equal(state, await host.TicketStateAsync(id));
    }
}
