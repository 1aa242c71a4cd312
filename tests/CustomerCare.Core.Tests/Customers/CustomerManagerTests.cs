using CustomerCare.Actors;
using CustomerCare.Customers;
using CustomerCare.Errors;
using CustomerCare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Tests.Customers;

/// <summary>Customers: the admin's list with counts, and erasure of personal data.</summary>
public sealed class CustomerManagerTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<CustomerProfile> Register(Desk desk, Actor customer, string? phone = null)
        => desk.Customers(async m =>
        {
            await m.EnsureProfileAsync(customer.UserId, customer.DisplayName, customer.Email, Ct);
            return phone is null ? (await m.GetOwnAsync(customer, Ct))! : await m.UpdateOwnAsync(customer, new UpdateProfileRequest { Phone = phone }, Ct);
        });

    private static Task Erase(Desk desk, Actor by, string userId)
        => desk.Customers(async m => { await m.EraseAsync(by, userId, Ct); return 0; });

    [Fact]
    public async Task Erasing_a_customer_replaces_their_name_and_clears_contact_details()
    {
        var desk = await fixture.CreateDeskAsync();
        await Register(desk, desk.Customer, phone: "+44 20 7946 0958");
        await Register(desk, desk.Customer2);
        var one = await desk.CreateAssignedAsync(desk.Customer);
        var two = await desk.CreateAsync(desk.Customer);
        var untouched = await desk.CreateAsync(desk.Customer2);
        await desk.PostAsync(desk.Customer, one.Id, "My bill is wrong");
        await desk.PostAsync(desk.Agent, one.Id, "Let me check");

        await Erase(desk, desk.Admin, desk.Customer.UserId);

        foreach (var id in new[] { one.Id, two.Id })
        {
            var ticket = await desk.ReloadAsync(id);
            Assert.Equal("deleted user", ticket.CustomerName);
            Assert.Equal(desk.Customer.UserId, ticket.CustomerId);
        }
        Assert.Equal(desk.Customer2.DisplayName, (await desk.ReloadAsync(untouched.Id)).CustomerName);

        var messages = await desk.MessagesAsync(desk.Admin, one.Id);
        Assert.Equal(["deleted user", desk.Agent.DisplayName], messages.Select(m => m.AuthorName));
        Assert.Equal("My bill is wrong", messages[0].Body);

        var profile = await desk.RunAsync(sp => sp.GetRequiredService<ICustomerStore>().FindAsync(desk.Customer.UserId, Ct));
        Assert.NotNull(profile);
        Assert.Equal("deleted user", profile.DisplayName);
        Assert.Null(profile.Email);
        Assert.Null(profile.Phone);
        Assert.NotNull(profile.ErasedAt);

        var other = await desk.RunAsync(sp => sp.GetRequiredService<ICustomerStore>().FindAsync(desk.Customer2.UserId, Ct));
        Assert.Equal(desk.Customer2.Email, other!.Email);

        var listed = await desk.Customers(m => m.ListAsync(desk.Admin, null, null, Ct));
        Assert.Equal([desk.Customer2.UserId], listed.Items.Select(c => c.Profile.UserId));
    }

    [Fact]
    public async Task Erased_name_comes_from_the_options()
    {
        var desk = await fixture.CreateDeskAsync();
        await Register(desk, desk.Customer);
        var ticket = await desk.CreateAsync(desk.Customer);

        await desk.Customers(async m => { await m.EraseOwnAsync(desk.Customer, Ct); return 0; });

        Assert.Equal(new CustomerCareOptions().ErasedUserName, (await desk.ReloadAsync(ticket.Id)).CustomerName);
        await Assert.ThrowsAsync<NotFoundException>(() => Erase(desk, desk.Admin, desk.Customer.UserId));
    }

    [Fact]
    public async Task Only_admins_or_the_customer_themselves_can_erase()
    {
        var desk = await fixture.CreateDeskAsync();
        await Register(desk, desk.Customer);

        // Self-erasure is EraseOwnAsync (DELETE /me); the admin path refuses even the customer themselves.
        await Assert.ThrowsAsync<ForbiddenException>(() => Erase(desk, desk.Customer, desk.Customer.UserId));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.Customers(async m => { await m.EraseOwnAsync(desk.Agent, Ct); return 0; }));
        await Assert.ThrowsAsync<ForbiddenException>(() => Erase(desk, desk.Customer2, desk.Customer.UserId));
        await Assert.ThrowsAsync<ForbiddenException>(() => Erase(desk, desk.Agent, desk.Customer.UserId));
        var profile = await desk.RunAsync(sp => sp.GetRequiredService<ICustomerStore>().FindAsync(desk.Customer.UserId, Ct));
        Assert.Null(profile!.ErasedAt);
        Assert.Equal(desk.Customer.Email, profile.Email);
    }

    [Fact]
    public async Task Customer_list_counts_tickets_raised_and_resolved()
    {
        var desk = await fixture.CreateDeskAsync();
        var idle = desk.Customer with { UserId = "customer-3", DisplayName = "Ivy Idle" };
        await Register(desk, desk.Customer);
        await Register(desk, desk.Customer2);
        await Register(desk, idle);

        await desk.CreateAsync(desk.Customer);
        var resolved = await desk.CreateAsync(desk.Customer);
        await desk.ResolveAsync(desk.Admin, resolved.Id);
        var closed = await desk.CreateAsync(desk.Customer);
        await desk.CloseAsync(desk.Customer, closed.Id);
        var reopened = await desk.CreateAsync(desk.Customer);
        await desk.CloseAsync(desk.Customer, reopened.Id);
        await desk.ReopenAsync(desk.Customer, reopened.Id);
        await desk.CreateAsync(desk.Customer2);

        var page = await desk.Customers(m => m.ListAsync(desk.Admin, null, null, Ct));

        var counts = page.Items.ToDictionary(c => c.Profile.UserId, c => (c.TicketsRaised, c.TicketsResolved));
        Assert.Equal((4, 2), counts[desk.Customer.UserId]);
        Assert.Equal((1, 0), counts[desk.Customer2.UserId]);
        Assert.Equal((0, 0), counts[idle.UserId]);
        Assert.Equal(3, page.Items.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Customer_list_is_keyset_paged()
    {
        var desk = await fixture.CreateDeskAsync();
        var ids = Enumerable.Range(1, 5).Select(i => $"c-{i:00}").ToList();
        foreach (var id in ids) await Register(desk, desk.Customer with { UserId = id });

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await desk.Customers(m => m.ListAsync(desk.Admin, cursor, 2, Ct));
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(c => c.Profile.UserId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Only_admins_list_customers()
    {
        var desk = await fixture.CreateDeskAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => desk.Customers(m => m.ListAsync(desk.Agent, null, null, Ct)));
        await Assert.ThrowsAsync<ForbiddenException>(() => desk.Customers(m => m.ListAsync(desk.Customer, null, null, Ct)));
    }

    [Fact]
    public async Task Customers_of_another_tenant_are_not_listed()
    {
        var acme = await fixture.CreateDeskAsync();
        var globex = await fixture.CreateDeskAsync();
        await Register(acme, acme.Customer);

        Assert.Empty((await globex.Customers(m => m.ListAsync(globex.Admin, null, null, Ct))).Items);
        Assert.Single((await acme.Customers(m => m.ListAsync(acme.Admin, null, null, Ct))).Items);
        await Assert.ThrowsAsync<NotFoundException>(() => Erase(globex, globex.Admin, acme.Customer.UserId));
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("call me")]
    [InlineData("+44 20 7946 0958 ext")]
    public async Task Invalid_phone_is_refused(string phone)
    {
        var desk = await fixture.CreateDeskAsync();
        await Register(desk, desk.Customer);

        var error = await Assert.ThrowsAsync<ValidationException>(() => Register(desk, desk.Customer, phone));

        Assert.Equal(["phone"], error.Errors.Keys);
    }
}
