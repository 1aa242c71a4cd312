using CustomerCare.Errors;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;

namespace CustomerCare.Tests.Tickets;

/// <summary>Optimistic concurrency: a pinned stale version is a 412; unpinned concurrent changes are retried.</summary>
public sealed class ConcurrencyTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stale_expected_version_is_refused_with_the_current_version()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        var seen = ticket.Version;
        await desk.PostAsync(desk.Customer, ticket.Id, "Someone else changed it");
        var current = await desk.ReloadAsync(ticket.Id);

        var error = await Assert.ThrowsAsync<PreconditionFailedException>(() => desk.ResolveAsync(desk.Agent, ticket.Id, expectedVersion: seen));

        Assert.Equal(current.Version, error.CurrentVersion);
        Assert.Equal("stale-version", error.Code);
        var after = await desk.ReloadAsync(ticket.Id);
        Assert.Equal(TicketStatus.Open, after.Status);
        Assert.Equal(current.Version, after.Version);
    }

    [Fact]
    public async Task Current_expected_version_is_accepted()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();

        var resolved = await desk.ResolveAsync(desk.Agent, ticket.Id, expectedVersion: ticket.Version);

        Assert.Equal(ticket.Version + 1, resolved.Version);
        Assert.Equal(TicketStatus.Resolved, resolved.Status);
    }

    [Fact]
    public async Task Stale_expected_version_on_assign_and_close_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync();
        var stale = ticket.Version;
        await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent2.UserId, stale));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => desk.CloseAsync(desk.Customer, ticket.Id, stale));
        Assert.Equal(desk.Agent.UserId, (await desk.ReloadAsync(ticket.Id)).AssigneeId);
    }

    [Fact]
    public async Task Concurrent_message_posts_all_succeed_with_distinct_sequences()
    {
        // The manager retries a conflicting write up to five times; five writers can conflict with
        // each other at most four times, so all of them must get through.
        const int writers = 5;
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var posts = Enumerable.Range(1, writers).Select(i => Task.Run(async () =>
        {
            await go.Task;
            var author = i % 2 == 0 ? desk.Agent : desk.Customer;
            return await desk.PostAsync(author, ticket.Id, $"message {i}");
        }, Ct)).ToList();
        go.SetResult();
        var messages = await Task.WhenAll(posts);

        Assert.Equal(Enumerable.Range(1, writers), messages.Select(m => m.Sequence).Order());
        var stored = await desk.MessagesAsync(desk.Admin, ticket.Id);
        Assert.Equal(Enumerable.Range(1, writers), stored.Select(m => m.Sequence));
        Assert.Equal(messages.Select(m => m.Body).Order(), stored.Select(m => m.Body).Order());
        var after = await desk.ReloadAsync(ticket.Id);
        Assert.Equal(writers, after.MessageCount);
        Assert.Equal(ticket.Version + writers, after.Version);
    }
}
