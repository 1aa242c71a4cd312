using System.Net;
using System.Text.Json;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Customers;

/// <summary>Customers over HTTP: the admin's list with counts, erasure of personal data, and a customer's own profile.</summary>
public sealed class CustomerEndpointTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    private ApiClient Admin => Host.As(Users.BankAdmin);

    [Fact]
    public async Task Customer_list_shows_tickets_raised_and_resolved()
    {
        var id = Users.New();
        var customer = Host.As(id, name: "Katherine Johnson", email: "katherine@example.test");
        var open = (await customer.CreateTicketAsync()).Id();
        var resolved = (await customer.CreateTicketAsync()).Id();
        var closed = (await customer.CreateTicketAsync()).Id();
        await Admin.AssignAsync(resolved, Users.BankAgent1);
        await Admin.ChangeStatusAsync(resolved, "resolve");
        await customer.ChangeStatusAsync(closed, "close");
        Assert.NotEqual(open, resolved);

        var row = await FindCustomerAsync(id);
        Assert.NotNull(row);
        Assert.Equal("Katherine Johnson", row.Value.Str("displayName"));
        Assert.Equal("katherine@example.test", row.Value.Str("email"));
        Assert.Equal(3, row.Value.GetProperty("ticketsRaised").GetInt32());
        Assert.Equal(2, row.Value.GetProperty("ticketsResolved").GetInt32());
        Assert.Equal(0, row.Value.GetProperty("notificationsSent").GetInt32());

        // A customer who only looked around is listed with zero counts; staff are not customers.
        var idle = Users.New("idle");
        await Host.As(idle).MeAsync();
        Assert.Equal(0, (await FindCustomerAsync(idle))!.Value.GetProperty("ticketsRaised").GetInt32());
        Assert.Null(await FindCustomerAsync(Users.BankAgent1));
        Assert.Null(await FindCustomerAsync(Users.BankAdmin));
    }

    [Fact]
    public async Task Customer_list_pages_by_cursor_without_duplicates()
    {
        for (var i = 0; i < 5; i++) await Host.As(Users.New("page")).MeAsync();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await Admin.GetAsync("customers?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).ExpectAsync(HttpStatusCode.OK);
            Assert.InRange(page.GetProperty("items").GetArrayLength(), 1, 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.Str("id")));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && seen.Count < 1000);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.True(seen.Count(s => s.StartsWith("page-", StringComparison.Ordinal)) >= 5);
    }

    [Fact]
    public async Task Deleting_a_customer_keeps_their_tickets_under_deleted_user_and_locks_them_out()
    {
        var id = Users.New();
        var customer = Host.As(id, name: "Erin Erased", email: "erin@example.test");
        await (await customer.PatchAsync("me", new { phone = "+44 20 7946 0958" })).ExpectAsync(HttpStatusCode.OK);
        var ticket = (await customer.CreateTicketAsync()).Id();
        await customer.PostMessageAsync(ticket, "My name is Erin, please call me.");

        await (await Admin.DeleteAsync($"customers/{Uri.EscapeDataString(id)}")).ExpectAsync(HttpStatusCode.NoContent);

        var kept = await Admin.GetTicketAsync(ticket);
        Assert.Equal("deleted user", kept.GetProperty("customer").Str("name"));
        Assert.Equal(id, kept.GetProperty("customer").Str("id"));
        var messages = await (await Admin.GetAsync($"tickets/{ticket}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("deleted user", messages[0].GetProperty("author").Str("name"));
        var list = await (await Admin.GetAsync("tickets?limit=100")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("Erin Erased", list.GetRawText(), StringComparison.Ordinal);

        var profile = await Host.FindCustomerAsync(Tenants.Bank, id);
        Assert.Null(profile!.Email);
        Assert.Null(profile.Phone);
        Assert.Equal("deleted user", profile.DisplayName);
        Assert.Null(await FindCustomerAsync(id));

        // Their sign-in no longer works here.
        await (await customer.GetAsync("me")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await customer.GetAsync($"tickets/{ticket}")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var state = await Host.TicketStateAsync(ticket);
        await (await customer.PostAsync($"tickets/{ticket}/messages", new { body = "Still there?" })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(state, await Host.TicketStateAsync(ticket));
        await (await Admin.DeleteAsync($"customers/{Uri.EscapeDataString(id)}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Customer_sets_and_removes_their_phone_number()
    {
        var customer = Host.As(Users.New());
        var updated = await (await customer.PatchAsync("me", new { phone = "+1 (555) 010-9999" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("+1 (555) 010-9999", updated.Str("phone"));
        Assert.Equal("+1 (555) 010-9999", (await customer.MeAsync()).Str("phone"));

        await (await customer.PatchAsync("me", new { phone = "call me at night" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "phone");
        await (await customer.PatchAsync("me", new { phone = "+44 20 7946 0958 ext. 12" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "phone");
        Assert.Equal("+1 (555) 010-9999", (await customer.MeAsync()).Str("phone"));

        var removed = await (await customer.PatchAsync("me", new { phone = "" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("phone").ValueKind);

        await (await Host.As(Users.BankAgent1).PatchAsync("me", new { phone = "+44 20 7946 0958" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Customer_deletes_their_own_account()
    {
        var id = Users.New();
        var customer = Host.As(id, name: "Dana Gone");
        var ticket = (await customer.CreateTicketAsync()).Id();

        // DELETE /customers/{id} is the admin's, even for one's own id; customers use DELETE /me.
        await (await customer.DeleteAsync($"customers/{id}")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Null((await Host.FindCustomerAsync(Tenants.Bank, id))!.ErasedAt);

        await (await customer.DeleteAsync("me")).ExpectAsync(HttpStatusCode.NoContent);

        await (await customer.GetAsync("me")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("deleted user", (await Admin.GetTicketAsync(ticket)).GetProperty("customer").Str("name"));
        Assert.NotNull((await Host.FindCustomerAsync(Tenants.Bank, id))!.ErasedAt);

        // Staff are removed by an admin, not by themselves.
        await (await Host.As(Users.BankAgent2).DeleteAsync("me")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.True((await Host.FindStaffAsync(Tenants.Bank, Users.BankAgent2))!.IsActive);
    }

    [Fact]
    public async Task Admin_raises_a_ticket_on_behalf_of_a_customer()
    {
        var id = Users.New();
        await Host.As(id, name: "Phone Caller").MeAsync();
        var ticket = await Admin.CreateTicketAsync(new { subject = "Called in", description = "Customer phoned about a fee", customerId = id });
        Assert.Equal(id, ticket.GetProperty("customer").Str("id"));
        Assert.Equal("Phone Caller", ticket.GetProperty("customer").Str("name"));
        await Host.As(id).GetTicketAsync(ticket.Id());

        await (await Admin.PostAsync("tickets", new { subject = "Called in", description = "Unknown caller", customerId = "never-seen" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "customerId");
    }

    private async Task<JsonElement?> FindCustomerAsync(string id)
    {
        string? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await (await Admin.GetAsync("customers?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).ExpectAsync(HttpStatusCode.OK);
            foreach (var c in page.GetProperty("items").EnumerateArray())
                if (c.Str("id") == id) return c;
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is null) return null;
        }
        throw new InvalidOperationException("Customer list did not end.");
    }
}
