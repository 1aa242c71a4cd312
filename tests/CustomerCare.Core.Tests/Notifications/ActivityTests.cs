using CustomerCare.Notifications;
using CustomerCare.Storage.EFCore;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Notifications;

/// <summary>
/// A ticket change writes one activity in its own transaction; the dispatcher works out who is told from it, once, and
/// an activity it cannot work out is retried and then set aside without holding back the others.
/// </summary>
public sealed class ActivityTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<List<OutboxActivity>> ActivitiesAsync(Desk desk)
        => desk.RunAsync(sp => sp.GetRequiredService<CustomerCareDbContext>().Set<OutboxActivity>().AsNoTracking().OrderBy(a => a.Id).ToListAsync(Ct));

    /// <summary>The tenant's outbox rows as they are, without working out the waiting activities first.</summary>
    private static Task<List<OutboxNotification>> RowsAsIsAsync(Desk desk)
        => desk.RunAsync(sp => sp.GetRequiredService<CustomerCareDbContext>().Set<OutboxNotification>().AsNoTracking().ToListAsync(Ct));

    [Fact]
    public async Task A_change_writes_one_activity_and_the_dispatcher_turns_it_into_notifications_once()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAsync();
        await desk.PostAsync(desk.Customer, ticket.Id, "Any news?");

        var activities = await ActivitiesAsync(desk);
        Assert.Equal([TicketEventKind.Created, TicketEventKind.MessagePosted], activities.Select(a => a.Kind));
        Assert.All(activities, a => Assert.Equal((ticket.Id, "ACME-1001", 0), (a.TicketId, a.TicketReference, a.Attempts)));
        Assert.True(activities[0].Id < activities[1].Id);
        Assert.Empty(await RowsAsIsAsync(desk));

        while (await fixture.Dispatcher.PlanActivitiesAsync(Ct) > 0) { }
        Assert.Empty(await ActivitiesAsync(desk));
        var rows = await RowsAsIsAsync(desk);
        // The acknowledgement and the admin's "new ticket"; the customer's message goes to the admin (nobody is assigned).
        Assert.Equal(["message-posted->ada@example.test", "ticket-created->ada@example.test", "ticket-received->carol@example.test"],
            rows.Select(n => $"{NotificationKinds.Name(n.Kind)}->{n.RecipientAddress}").Order());
        Assert.All(rows, n => Assert.Equal("ACME-1001", n.TicketReference));

        Assert.Equal(0, await fixture.Dispatcher.PlanActivitiesAsync(Ct));
        Assert.Equal(3, (await RowsAsIsAsync(desk)).Count);
    }

    [Fact]
    public async Task An_activity_that_cannot_be_worked_out_is_retried_then_set_aside_and_the_others_go_out()
    {
        var desk = await fixture.CreateDeskAsync();
        var first = await desk.CreateAsync();
        await desk.RunAsync(async sp =>
        {
            var db = sp.GetRequiredService<CustomerCareDbContext>();
            var created = await db.Set<OutboxActivity>().SingleAsync(Ct);
            // Data it cannot read, ahead of the good activity of the next ticket.
            created.DataJson = "not json";
            await db.SaveChangesAsync(Ct);
        });
        var second = await desk.CreateAsync();

        var rows = await fixture.OutboxAsync(desk);   // works out activities until none is left to try

        Assert.Equal([second.Id, second.Id], rows.Select(n => n.TicketId!.Value));
        var stuck = Assert.Single(await ActivitiesAsync(desk));
        Assert.Equal(first.Id, stuck.TicketId);
        Assert.Equal(3, stuck.Attempts);   // MaxAttempts of the fixture
        Assert.Equal(0, await fixture.Dispatcher.PlanActivitiesAsync(Ct));
    }
}
