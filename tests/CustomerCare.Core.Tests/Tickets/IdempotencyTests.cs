using CustomerCare.Errors;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;

namespace CustomerCare.Tests.Tickets;

/// <summary>A retried request with the same key creates nothing new; the key reused with another body is refused.</summary>
public sealed class IdempotencyTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Same_key_and_same_request_returns_the_same_ticket()
    {
        var desk = await fixture.CreateDeskAsync();
        var request = DeskOperations.Request();

        var first = await desk.Tickets(m => m.CreateAsync(desk.Customer, request, "key-1", Ct));
        var second = await desk.Tickets(m => m.CreateAsync(desk.Customer, request with { }, "key-1", Ct));

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Value.Id, second.Value.Id);
        Assert.Equal(first.Value.Number, second.Value.Number);
        Assert.Single((await desk.ListAsync(desk.Admin)).Items);
    }

    [Fact]
    public async Task Same_key_with_a_different_request_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();
        await desk.CreateAsync(desk.Customer, DeskOperations.Request("First"), "key-1");

        var error = await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() =>
            desk.CreateAsync(desk.Customer, DeskOperations.Request("Second"), "key-1"));

        Assert.Equal("idempotency-key-reused", error.Code);
        Assert.Equal(["First"], (await desk.ListAsync(desk.Admin)).Items.Select(t => t.Subject));
    }

    [Fact]
    public async Task Same_key_of_another_user_is_an_independent_request()
    {
        var desk = await fixture.CreateDeskAsync();

        var a = await desk.Tickets(m => m.CreateAsync(desk.Customer, DeskOperations.Request(), "key-1", Ct));
        var b = await desk.Tickets(m => m.CreateAsync(desk.Customer2, DeskOperations.Request(), "key-1", Ct));

        Assert.False(b.Replayed);
        Assert.NotEqual(a.Value.Id, b.Value.Id);
        Assert.Equal(2, (await desk.ListAsync(desk.Admin)).Items.Count);
    }

    [Fact]
    public async Task Without_a_key_every_request_creates_a_ticket()
    {
        var desk = await fixture.CreateDeskAsync();

        await desk.CreateAsync(desk.Customer);
        await desk.CreateAsync(desk.Customer);

        Assert.Equal(2, (await desk.ListAsync(desk.Admin)).Items.Count);
    }

    [Fact]
    public async Task Same_key_and_same_message_returns_the_same_message()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        var request = new PostMessageRequest { Body = "Any news?" };

        var first = await desk.Tickets(m => m.PostMessageAsync(desk.Customer, ticket.Id, request, "msg-1", Ct));
        var second = await desk.Tickets(m => m.PostMessageAsync(desk.Customer, ticket.Id, request with { }, "msg-1", Ct));

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Value.Id, second.Value.Id);
        Assert.Equal(1, second.Value.Sequence);
        Assert.Single(await desk.MessagesAsync(desk.Admin, ticket.Id));
        Assert.Equal(1, (await desk.ReloadAsync(ticket.Id)).MessageCount);
    }

    [Fact]
    public async Task Same_message_key_with_a_different_body_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Customer, ticket.Id, "Any news?", key: "msg-1");

        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => desk.PostAsync(desk.Customer, ticket.Id, "Hello?", key: "msg-1"));

        Assert.Equal(["Any news?"], (await desk.MessagesAsync(desk.Admin, ticket.Id)).Select(m => m.Body));
    }

    [Fact]
    public async Task Message_key_reused_on_another_ticket_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();
        var one = await desk.CreateAssignedAsync();
        var two = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Customer, one.Id, "Any news?", key: "msg-1");

        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => desk.PostAsync(desk.Customer, two.Id, "Any news?", key: "msg-1"));

        Assert.Empty(await desk.MessagesAsync(desk.Admin, two.Id));
    }

    [Fact]
    public async Task Concurrent_replays_of_one_create_store_one_ticket()
    {
        var desk = await fixture.CreateDeskAsync();
        var request = DeskOperations.Request();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            desk.Tickets(m => m.CreateAsync(desk.Customer, request, "same-key", Ct)), Ct)));

        Assert.Single(results.Select(r => r.Value.Id).Distinct());
        Assert.Single(results, r => !r.Replayed);
        Assert.Single((await desk.ListAsync(desk.Admin)).Items);
    }
}
