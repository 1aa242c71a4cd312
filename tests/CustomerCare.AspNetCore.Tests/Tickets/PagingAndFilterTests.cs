using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Tickets;

/// <summary>GET /tickets: keyset paging newest first, and the filters status, assignee, priority, q and category.</summary>
public sealed class PagingAndFilterTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Paging_through_thirty_tickets_visits_each_once_newest_first()
    {
        var customer = Host.As(Users.New());
        var created = new List<Guid>();
        for (var i = 0; i < 30; i++) created.Add((await customer.CreateTicketAsync(ApiClient.TicketBody(Tenants.Bank, $"Ticket {i:00}"))).Id());

        var seen = new List<JsonElement>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await (await customer.GetAsync("tickets?limit=10" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).ExpectAsync(HttpStatusCode.OK);
            pages++;
            Assert.Equal(10, page.GetProperty("items").GetArrayLength());
            seen.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.True(pages <= 3, "Paging did not end after 3 pages of 10.");
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(created), seen.Select(t => t.Id()));
        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"Ticket {i:00}"), seen.Select(t => t.Str("subject")));
        var numbers = seen.Select(t => long.Parse(t.Str("number")["BANK-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(numbers.OrderDescending(), numbers);

        // The default page size is 25; a page larger than what is left ends the list.
        var defaultPage = await (await customer.GetAsync("tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(25, defaultPage.GetProperty("items").GetArrayLength());
        var all = await (await customer.GetAsync("tickets?limit=100")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(30, all.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task Paging_is_stable_when_tickets_are_added_meanwhile()
    {
        var customer = Host.As(Users.New());
        var created = new List<Guid>();
        for (var i = 0; i < 6; i++) created.Add((await customer.CreateTicketAsync()).Id());

        var first = await (await customer.GetAsync("tickets?limit=3")).ExpectAsync(HttpStatusCode.OK);
        await customer.CreateTicketAsync(); // newer than everything: must not shift the next page
        var second = await (await customer.GetAsync("tickets?limit=3&cursor=" + first.Str("nextCursor"))).ExpectAsync(HttpStatusCode.OK);

        var ids = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(t => t.Id());
        Assert.Equal(Enumerable.Reverse(created), ids);
    }

    [Fact]
    public async Task Status_filter_takes_one_or_several_statuses()
    {
        var owner = Host.As(Users.New());
        var admin = Host.As(Users.BankAdmin);
        var fresh = (await owner.CreateTicketAsync()).Id();
        var open = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(open, Users.BankAgent1);
        var resolved = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(resolved, Users.BankAgent1);
        await admin.ChangeStatusAsync(resolved, "resolve");
        var closed = (await owner.CreateTicketAsync()).Id();
        await owner.ChangeStatusAsync(closed, "close");

        Assert.Equal([fresh], await IdsAsync(owner, "status=new"));
        Assert.Equal([open], await IdsAsync(owner, "status=open"));
        Assert.Equal([closed, resolved], await IdsAsync(owner, "status=resolved,closed"));
        Assert.Equal([closed, resolved], await IdsAsync(owner, "status=resolved&status=CLOSED"));
        Assert.Empty(await IdsAsync(owner, "status=pending"));
    }

    [Fact]
    public async Task Assignee_filter_takes_me_none_or_a_user_id()
    {
        var admin = Host.As(Users.BankAdmin);
        var agentId = (await (await admin.PostAsync("agents", new { email = $"{Guid.NewGuid():N}@staff.example.test", displayName = "Filter Agent" }))
            .ExpectAsync(HttpStatusCode.Created)).Str("id");
        var agent = Host.As(agentId);
        var owner = Host.As(Users.New());

        var mine1 = (await owner.CreateTicketAsync()).Id();
        var mine2 = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(mine1, agentId);
        await admin.AssignAsync(mine2, agentId);
        var others = (await owner.CreateTicketAsync()).Id();
        await admin.AssignAsync(others, Users.BankAgent2);
        var unassigned = (await owner.CreateTicketAsync()).Id();

        Assert.Equal([mine2, mine1], await IdsAsync(agent, "assignee=me&limit=100"));
        Assert.Equal([mine2, mine1], await IdsAsync(admin, $"assignee={Uri.EscapeDataString(agentId)}&limit=100"));
        Assert.Equal([unassigned], await IdsAsync(owner, "assignee=none"));
        Assert.Equal([others], await IdsAsync(owner, $"assignee={Users.BankAgent2}"));
        // An agent asking for someone else's tickets still only sees what they may see.
        Assert.DoesNotContain(others, await IdsAsync(agent, $"assignee={Users.BankAgent2}&limit=100"));
    }

    [Fact]
    public async Task Priority_category_and_text_filters()
    {
        var owner = Host.As(Users.New());
        var card = (await owner.CreateTicketAsync(new { subject = "Card SWALLOWED by ATM", description = "At the station", category = "cards", priority = "urgent" })).Id();
        var loan = (await owner.CreateTicketAsync(new { subject = "Loan question", description = "What is my rate? The ATM said nothing.", category = "loans", priority = "low" })).Id();
        var bill = (await owner.CreateTicketAsync(new { subject = "Fee", description = "Unexpected fee", category = "billing" })).Id();

        Assert.Equal([card], await IdsAsync(owner, "priority=urgent"));
        Assert.Equal([card], await IdsAsync(owner, "priority=URGENT"));
        Assert.Equal([bill], await IdsAsync(owner, "priority=normal"));
        Assert.Equal([loan], await IdsAsync(owner, "category=loans"));
        Assert.Equal([loan], await IdsAsync(owner, "category=LOANS"));
        Assert.Equal([card], await IdsAsync(owner, "q=swallowed"));
        Assert.Equal([loan, card], await IdsAsync(owner, "q=atm"));
        Assert.Equal([loan], await IdsAsync(owner, "q=My%20Rate"));
        Assert.Empty(await IdsAsync(owner, "q=mortgage"));
        Assert.Equal([card], await IdsAsync(owner, "q=atm&priority=urgent&category=cards"));
        // Search covers the reference too.
        var reference = (await owner.GetTicketAsync(bill)).Str("number");
        Assert.Equal([bill], await IdsAsync(owner, "q=" + reference.ToLowerInvariant()));
        // Wildcard characters are plain text.
        Assert.Empty(await IdsAsync(owner, "q=%25"));
        Assert.Empty(await IdsAsync(owner, "q=_"));
    }

    [Fact]
    public async Task Filters_and_paging_combine()
    {
        var owner = Host.As(Users.New());
        var urgent = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var id = (await owner.CreateTicketAsync(ApiClient.TicketBody(Tenants.Bank, $"Urgent {i}", priority: "urgent"))).Id();
            urgent.Add(id);
            await owner.CreateTicketAsync(ApiClient.TicketBody(Tenants.Bank, $"Low {i}", priority: "low"));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await owner.GetAsync("tickets?priority=urgent&limit=3" + (cursor is null ? "" : "&cursor=" + cursor))).ExpectAsync(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.Id()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && seen.Count < 100);
        Assert.Equal(Enumerable.Reverse(urgent), seen);
    }

    private static async Task<List<Guid>> IdsAsync(ApiClient client, string query)
    {
        var page = await (await client.GetAsync("tickets?" + query)).ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("items").EnumerateArray().Select(t => t.Id())];
    }
}
