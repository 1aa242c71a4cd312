using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Tickets;

/// <summary>Idempotency-Key on POST /tickets and POST /tickets/{id}/messages: retries create nothing new.</summary>
public sealed class IdempotencyTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Retrying_a_ticket_with_the_same_key_and_body_returns_the_same_ticket()
    {
        var customer = Host.As(Users.New());
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        var body = ApiClient.TicketBody(Tenants.Bank, "Lost card");

        var first = await customer.PostAsync("tickets", body, key);
        var created = await first.ExpectAsync(HttpStatusCode.Created);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var countAfterFirst = await Host.CountTicketsAsync();

        var second = await customer.PostAsync("tickets", body, key);
        var replayed = await second.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(created.Id(), replayed.Id());
        Assert.Equal(created.Str("number"), replayed.Str("number"));
        Assert.Equal(["true"], second.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(first.Headers.Location, second.Headers.Location);

        Assert.Equal(countAfterFirst, await Host.CountTicketsAsync());
        var list = await (await customer.GetAsync("tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([created.Id()], list.GetProperty("items").EnumerateArray().Select(t => t.Id()));
    }

    [Fact]
    public async Task Same_ticket_key_with_another_body_is_a_422_and_creates_nothing()
    {
        var customer = Host.As(Users.New());
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        await (await customer.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank, "Lost card"), key)).ExpectAsync(HttpStatusCode.Created);
        var before = await Host.CountTicketsAsync();

        await (await customer.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank, "Stolen card"), key))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        await (await customer.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank, "Lost card", priority: "urgent"), key))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        Assert.Equal(before, await Host.CountTicketsAsync());
    }

    [Fact]
    public async Task Keys_belong_to_one_user_so_another_user_may_use_the_same_key()
    {
        var key = ("Idempotency-Key", "retry-1");
        var body = ApiClient.TicketBody(Tenants.Bank, "Lost card");
        var alice = await (await Host.As(Users.New("alice")).PostAsync("tickets", body, key)).ExpectAsync(HttpStatusCode.Created);

        var bobResponse = await Host.As(Users.New("bob")).PostAsync("tickets", body, key);
        var bob = await bobResponse.ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual(alice.Id(), bob.Id());
        Assert.False(bobResponse.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Retrying_a_message_with_the_same_key_posts_it_once()
    {
        var owner = Host.As(Users.New());
        var ticket = (await owner.CreateTicketAsync()).Id();
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());

        var first = await owner.PostAsync($"tickets/{ticket}/messages", new { body = "Any news?" }, key);
        var message = await first.ExpectAsync(HttpStatusCode.Created);
        var state = await Host.TicketStateAsync(ticket);

        var second = await owner.PostAsync($"tickets/{ticket}/messages", new { body = "Any news?" }, key);
        var replayed = await second.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(message.Id(), replayed.Id());
        Assert.Equal(["true"], second.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(state, await Host.TicketStateAsync(ticket));

        await (await owner.PostAsync($"tickets/{ticket}/messages", new { body = "Hello?" }, key))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(state, await Host.TicketStateAsync(ticket));

        var messages = await (await owner.GetAsync($"tickets/{ticket}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Any news?"], messages.EnumerateArray().Select(m => m.Str("body")));

        // The same key on another ticket is another request: a reuse.
        var other = (await owner.CreateTicketAsync()).Id();
        await (await owner.PostAsync($"tickets/{other}/messages", new { body = "Any news?" }, key))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(0, await Host.CountMessagesAsync(other));
    }

    [Fact]
    public async Task Message_keys_belong_to_one_user()
    {
        var owner = Host.As(Users.New());
        var ticket = (await owner.CreateTicketAsync()).Id();
        var admin = Host.As(Users.BankAdmin);
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());

        var fromOwner = await (await owner.PostAsync($"tickets/{ticket}/messages", new { body = "Thanks" }, key)).ExpectAsync(HttpStatusCode.Created);
        var adminResponse = await admin.PostAsync($"tickets/{ticket}/messages", new { body = "Thanks" }, key);
        var fromAdmin = await adminResponse.ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual(fromOwner.Id(), fromAdmin.Id());
        Assert.False(adminResponse.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await Host.CountMessagesAsync(ticket));
    }

    [Fact]
    public async Task A_replayed_message_is_not_shown_to_someone_who_can_no_longer_see_the_ticket()
    {
        // The replay answers with the stored message, but still only to a caller who may see the ticket.
        var owner = Host.As(Users.New());
        var ticket = (await owner.CreateTicketAsync()).Id();
        var admin = Host.As(Users.BankAdmin);
        await admin.AssignAsync(ticket, Users.BankAgent1);
        var agent = Host.As(Users.BankAgent1);
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        await (await agent.PostAsync($"tickets/{ticket}/messages", new { body = "On it" }, key)).ExpectAsync(HttpStatusCode.Created);

        await admin.AssignAsync(ticket, Users.BankAgent2);
        await (await agent.PostAsync($"tickets/{ticket}/messages", new { body = "On it" }, key)).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_create_one_ticket()
    {
        var customer = Host.As(Users.New());
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        var body = ApiClient.TicketBody(Tenants.Bank, "Double click");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => customer.PostAsync("tickets", body, key)));
        var ids = new List<Guid>();
        foreach (var response in responses) ids.Add((await response.ExpectAsync(HttpStatusCode.Created)).Id());
        Assert.Single(ids.Distinct());
        var list = await (await customer.GetAsync("tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, list.GetProperty("nextCursor").ValueKind);
    }
}
