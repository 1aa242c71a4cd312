using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;

namespace CustomerCare.Tests.Tickets;

/// <summary>
/// The lifecycle of DESIGN.md §3 as a table: every status × every action, done by someone allowed
/// to do it, ends in the listed status or in a 409 with the listed code. Illegal transitions are
/// never a silent no-op: the ticket is left exactly as it was.
/// </summary>
public sealed class LifecycleTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    public enum Start
    {
        New,
        Open,
        Pending,
        Resolved,
        Closed,
        ResolvedUnassigned,
        ClosedUnassigned,
    }

    public enum Act
    {
        /// <summary>Admin assigns to an agent who is not the current assignee.</summary>
        AssignOther,

        /// <summary>Admin assigns to the current assignee (nobody, for an unassigned ticket).</summary>
        AssignSame,

        /// <summary>Admin unassigns.</summary>
        Unassign,

        /// <summary>The assigned agent (the admin when nobody is assigned) resolves.</summary>
        Resolve,

        /// <summary>The customer who raised it closes it.</summary>
        Close,

        /// <summary>The customer who raised it reopens it.</summary>
        Reopen,

        /// <summary>The customer posts a public message.</summary>
        CustomerReply,

        /// <summary>The assigned agent (the admin when nobody is assigned) posts a public message.</summary>
        StaffReply,

        /// <summary>The assigned agent (the admin when nobody is assigned) adds an internal note.</summary>
        InternalNote,
    }

    public static TheoryData<Start, Act, string> Table => new()
    {
        // new: unassigned
        { Start.New, Act.AssignOther, "Open" },
        { Start.New, Act.AssignSame, "409 already-assigned" },
        { Start.New, Act.Unassign, "409 already-assigned" },
        { Start.New, Act.Resolve, "Resolved" },
        { Start.New, Act.Close, "Closed" },
        { Start.New, Act.Reopen, "409 invalid-transition" },
        { Start.New, Act.CustomerReply, "New" },
        { Start.New, Act.StaffReply, "New" },
        { Start.New, Act.InternalNote, "New" },

        // open: assigned
        { Start.Open, Act.AssignOther, "Open" },
        { Start.Open, Act.AssignSame, "409 already-assigned" },
        { Start.Open, Act.Unassign, "New" },
        { Start.Open, Act.Resolve, "Resolved" },
        { Start.Open, Act.Close, "Closed" },
        { Start.Open, Act.Reopen, "409 invalid-transition" },
        { Start.Open, Act.CustomerReply, "Open" },
        { Start.Open, Act.StaffReply, "Pending" },
        { Start.Open, Act.InternalNote, "Open" },

        // pending: waiting on the customer
        { Start.Pending, Act.AssignOther, "Pending" },
        { Start.Pending, Act.AssignSame, "409 already-assigned" },
        { Start.Pending, Act.Unassign, "New" },
        { Start.Pending, Act.Resolve, "Resolved" },
        { Start.Pending, Act.Close, "Closed" },
        { Start.Pending, Act.Reopen, "409 invalid-transition" },
        { Start.Pending, Act.CustomerReply, "Open" },
        { Start.Pending, Act.StaffReply, "Pending" },
        { Start.Pending, Act.InternalNote, "Pending" },

        // resolved (assigned)
        { Start.Resolved, Act.AssignOther, "409 invalid-transition" },
        { Start.Resolved, Act.AssignSame, "409 invalid-transition" },
        { Start.Resolved, Act.Unassign, "409 invalid-transition" },
        { Start.Resolved, Act.Resolve, "409 invalid-transition" },
        { Start.Resolved, Act.Close, "Closed" },
        { Start.Resolved, Act.Reopen, "Open" },
        { Start.Resolved, Act.CustomerReply, "Open" },
        { Start.Resolved, Act.StaffReply, "Resolved" },
        { Start.Resolved, Act.InternalNote, "Resolved" },

        // closed (assigned): no messages, only reopen
        { Start.Closed, Act.AssignOther, "409 invalid-transition" },
        { Start.Closed, Act.AssignSame, "409 invalid-transition" },
        { Start.Closed, Act.Unassign, "409 invalid-transition" },
        { Start.Closed, Act.Resolve, "409 invalid-transition" },
        { Start.Closed, Act.Close, "409 invalid-transition" },
        { Start.Closed, Act.Reopen, "Open" },
        { Start.Closed, Act.CustomerReply, "409 ticket-closed" },
        { Start.Closed, Act.StaffReply, "409 ticket-closed" },
        { Start.Closed, Act.InternalNote, "409 ticket-closed" },

        // resolved or closed with nobody assigned: reopen and a customer reply go back to new
        { Start.ResolvedUnassigned, Act.AssignOther, "409 invalid-transition" },
        { Start.ResolvedUnassigned, Act.Reopen, "New" },
        { Start.ResolvedUnassigned, Act.CustomerReply, "New" },
        { Start.ResolvedUnassigned, Act.StaffReply, "Resolved" },
        { Start.ResolvedUnassigned, Act.Close, "Closed" },
        { Start.ClosedUnassigned, Act.Reopen, "New" },
        { Start.ClosedUnassigned, Act.CustomerReply, "409 ticket-closed" },
        { Start.ClosedUnassigned, Act.AssignOther, "409 invalid-transition" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Transition_ends_in_the_listed_status_or_conflict(Start start, Act act, string expected)
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await ArrangeAsync(desk, start);
        var before = await desk.ReloadAsync(ticket.Id);

        if (expected.StartsWith("409 ", StringComparison.Ordinal))
        {
            var conflict = await Assert.ThrowsAsync<ConflictException>(() => ActAsync(desk, before, act));
            Assert.Equal(expected[4..], conflict.Code);

            var after = await desk.ReloadAsync(ticket.Id);
            Assert.Equal(before.Status, after.Status);
            Assert.Equal(before.AssigneeId, after.AssigneeId);
            Assert.Equal(before.Version, after.Version);
            Assert.Equal(before.MessageCount, after.MessageCount);
        }
        else
        {
            var expectedStatus = Enum.Parse<TicketStatus>(expected);
            var returned = await ActAsync(desk, before, act);
            var after = await desk.ReloadAsync(ticket.Id);
            Assert.Equal(expectedStatus, returned.Status);
            Assert.Equal(expectedStatus, after.Status);
            Assert.Equal(before.Version + 1, after.Version);

            if (after.Status != before.Status)
            {
                var events = await desk.EventsAsync(desk.Admin, ticket.Id);
                Assert.Contains(events, e => e.FromStatus == before.Status && e.ToStatus == after.Status && e.CreatedAt >= before.UpdatedAt);
            }
        }
    }

    [Fact]
    public async Task Reopen_after_the_window_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.ResolveAsync(desk.Agent, ticket.Id);

        fixture.Time.Advance(TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => desk.ReopenAsync(desk.Customer, ticket.Id));
        Assert.Equal("reopen-window-passed", conflict.Code);
        Assert.Equal(TicketStatus.Resolved, (await desk.ReloadAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task Reopen_within_the_window_is_allowed()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.CloseAsync(desk.Customer, ticket.Id);

        fixture.Time.Advance(TimeSpan.FromDays(13));

        var reopened = await desk.ReopenAsync(desk.Customer, ticket.Id);
        Assert.Equal(TicketStatus.Open, reopened.Status);
    }

    [Fact]
    public async Task Reopen_window_of_the_tenant_overrides_the_default()
    {
        var desk = await fixture.CreateDeskAsync(s => s.ReopenWindow = TimeSpan.FromDays(1));
        var ticket = await desk.CreateAssignedAsync();
        await desk.CloseAsync(desk.Customer, ticket.Id);

        fixture.Time.Advance(TimeSpan.FromDays(2));

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => desk.ReopenAsync(desk.Admin, ticket.Id));
        Assert.Equal("reopen-window-passed", conflict.Code);
    }

    [Fact]
    public async Task Reopen_window_counts_from_closing_not_from_resolving()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.ResolveAsync(desk.Agent, ticket.Id);
        fixture.Time.Advance(TimeSpan.FromDays(10));
        await desk.CloseAsync(desk.Customer, ticket.Id);
        fixture.Time.Advance(TimeSpan.FromDays(10));

        var reopened = await desk.ReopenAsync(desk.Customer, ticket.Id);
        Assert.Equal(TicketStatus.Open, reopened.Status);
    }

    [Fact]
    public async Task Staff_first_public_reply_sets_first_response_time_once()
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        await desk.PostAsync(desk.Agent, ticket.Id, "internal", MessageVisibility.Internal);
        Assert.Null((await desk.ReloadAsync(ticket.Id)).FirstResponseAt);

        await desk.PostAsync(desk.Agent, ticket.Id, "first");
        var first = (await desk.ReloadAsync(ticket.Id)).FirstResponseAt;
        Assert.NotNull(first);

        await desk.PostAsync(desk.Customer, ticket.Id, "thanks");
        await desk.PostAsync(desk.Agent, ticket.Id, "second");
        Assert.Equal(first, (await desk.ReloadAsync(ticket.Id)).FirstResponseAt);
    }

    private static async Task<Ticket> ArrangeAsync(Desk desk, Start start)
    {
        var ticket = await desk.CreateAsync(desk.Customer);
        var expected = TicketStatus.New;
        switch (start)
        {
            case Start.Open:
                ticket = await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);
                expected = TicketStatus.Open;
                break;
            case Start.Pending:
                await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);
                await desk.PostAsync(desk.Agent, ticket.Id, "Could you send the bill number?");
                expected = TicketStatus.Pending;
                break;
            case Start.Resolved:
                await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);
                await desk.ResolveAsync(desk.Agent, ticket.Id);
                expected = TicketStatus.Resolved;
                break;
            case Start.Closed:
                await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent.UserId);
                await desk.CloseAsync(desk.Customer, ticket.Id);
                expected = TicketStatus.Closed;
                break;
            case Start.ResolvedUnassigned:
                await desk.ResolveAsync(desk.Admin, ticket.Id);
                expected = TicketStatus.Resolved;
                break;
            case Start.ClosedUnassigned:
                await desk.CloseAsync(desk.Customer, ticket.Id);
                expected = TicketStatus.Closed;
                break;
        }
        ticket = await desk.ReloadAsync(ticket.Id);
        Assert.Equal(expected, ticket.Status);
        return ticket;
    }

    private static async Task<Ticket> ActAsync(Desk desk, Ticket ticket, Act act)
    {
        var staff = ticket.AssigneeId == desk.Agent.UserId ? desk.Agent : desk.Admin;
        switch (act)
        {
            case Act.AssignOther:
                return await desk.AssignAsync(desk.Admin, ticket.Id, desk.Agent2.UserId);
            case Act.AssignSame:
                return await desk.AssignAsync(desk.Admin, ticket.Id, ticket.AssigneeId);
            case Act.Unassign:
                return await desk.AssignAsync(desk.Admin, ticket.Id, null);
            case Act.Resolve:
                return await desk.ResolveAsync(staff, ticket.Id);
            case Act.Close:
                return await desk.CloseAsync(desk.Customer, ticket.Id);
            case Act.Reopen:
                return await desk.ReopenAsync(desk.Customer, ticket.Id);
            case Act.CustomerReply:
                await desk.PostAsync(desk.Customer, ticket.Id, "Any news?");
                return await desk.ReloadAsync(ticket.Id);
            case Act.StaffReply:
                await desk.PostAsync(staff, ticket.Id, "We are on it.");
                return await desk.ReloadAsync(ticket.Id);
            case Act.InternalNote:
                await desk.PostAsync(staff, ticket.Id, "Customer called twice.", MessageVisibility.Internal);
                return await desk.ReloadAsync(ticket.Id);
            default:
                throw new ArgumentOutOfRangeException(nameof(act));
        }
    }

    [Fact]
    public void Table_covers_every_status_and_action()
    {
        var rows = Table.Select(r => ((Start)r.Data.Item1, (Act)r.Data.Item2)).ToHashSet();
        foreach (var start in new[] { Start.New, Start.Open, Start.Pending, Start.Resolved, Start.Closed })
            foreach (var act in Enum.GetValues<Act>())
                Assert.Contains((start, act), rows);
    }
}
