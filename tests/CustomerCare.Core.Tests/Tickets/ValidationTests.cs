using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Tests.TestSupport;
using CustomerCare.Tickets;

namespace CustomerCare.Tests.Tickets;

/// <summary>Input validation of the ticket manager: field keys match the API's <c>errors</c> map, and a failed create stores nothing.</summary>
public sealed class ValidationTests(CareFixture fixture) : IClassFixture<CareFixture>
{
    private static void Telecom(TenantSettings s)
    {
        s.Categories = ["Billing", "Network"];
        s.CustomFields = [new CustomFieldDefinition { Key = "billNumber", Label = "Bill number", Required = true, MaxLength = 20 }];
    }

    private static CreateTicketRequest Valid() => DeskOperations.Request() with
    {
        Category = "Billing",
        CustomFields = new() { ["billNumber"] = "B-2026-0001" },
    };

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { "subject missing", "subject" },
        { "subject blank", "subject" },
        { "subject too long", "subject" },
        { "description missing", "description" },
        { "description blank", "description" },
        { "description too long", "description" },
        { "bill number missing", "customFields.billNumber" },
        { "bill number blank", "customFields.billNumber" },
        { "bill number too long", "customFields.billNumber" },
        { "unknown custom field", "customFields.colour" },
        { "category not offered", "category" },
        { "category too long", "category" },
        { "unknown priority", "priority" },
    };

    private static CreateTicketRequest Make(string @case) => @case switch
    {
        "subject missing" => Valid() with { Subject = null },
        "subject blank" => Valid() with { Subject = "   " },
        "subject too long" => Valid() with { Subject = new string('s', 201) },
        "description missing" => Valid() with { Description = null },
        "description blank" => Valid() with { Description = "\t\n " },
        "description too long" => Valid() with { Description = new string('d', 10_001) },
        "bill number missing" => Valid() with { CustomFields = null },
        "bill number blank" => Valid() with { CustomFields = new() { ["billNumber"] = " " } },
        "bill number too long" => Valid() with { CustomFields = new() { ["billNumber"] = new string('9', 21) } },
        "unknown custom field" => Valid() with { CustomFields = new() { ["billNumber"] = "B-1", ["colour"] = "red" } },
        "category not offered" => Valid() with { Category = "Insurance" },
        "category too long" => Valid() with { Category = new string('c', 101) },
        "unknown priority" => Valid() with { Priority = (TicketPriority)42 },
        _ => throw new ArgumentOutOfRangeException(nameof(@case)),
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_ticket_is_refused_with_the_field_key_and_nothing_is_stored(string @case, string field)
    {
        var desk = await fixture.CreateDeskAsync(Telecom);

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.CreateAsync(desk.Customer, Make(@case)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.NotEmpty(error.Errors[field][0]);
        Assert.Empty((await desk.ListAsync(desk.Admin)).Items);

        // Nothing was stored, not even a ticket number: the next valid ticket is the first.
        var created = await desk.CreateAsync(desk.Customer, Valid());
        Assert.Equal(1001, created.Number);
    }

    [Fact]
    public async Task Every_invalid_field_is_reported_at_once()
    {
        var desk = await fixture.CreateDeskAsync(Telecom);

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.CreateAsync(desk.Customer, new CreateTicketRequest
        {
            Subject = "",
            Description = null,
            Category = "Insurance",
            CustomFields = new() { ["colour"] = "red" },
        }));

        Assert.Equal(
            new[] { "category", "customFields.billNumber", "customFields.colour", "description", "subject" },
            error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("validation", error.Code);
    }

    [Fact]
    public async Task Values_at_the_maximum_length_are_accepted_and_trimmed()
    {
        var desk = await fixture.CreateDeskAsync(Telecom);
        var subject = new string('s', 200);

        var ticket = await desk.CreateAsync(desk.Customer, Valid() with
        {
            Subject = "  " + subject + "  ",
            Description = new string('d', 10_000),
            Category = "billing",
            CustomFields = new() { ["billNumber"] = " " + new string('9', 20) + " " },
        });

        Assert.Equal(subject, ticket.Subject);
        Assert.Equal("Billing", ticket.Category);
        Assert.Equal(new string('9', 20), ticket.CustomFields["billNumber"]);
        Assert.Equal(TicketPriority.Normal, ticket.Priority);
        var stored = await desk.ReloadAsync(ticket.Id);
        Assert.Equal(ticket.CustomFields, stored.CustomFields);
        Assert.Equal("Billing", stored.Category);
    }

    [Fact]
    public async Task Any_category_is_accepted_when_the_tenant_lists_none()
    {
        var desk = await fixture.CreateDeskAsync();

        var ticket = await desk.CreateAsync(desk.Customer, DeskOperations.Request() with { Category = "Anything" });

        Assert.Equal("Anything", ticket.Category);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("too long")]
    public async Task Invalid_message_body_is_refused_and_not_stored(string? body)
    {
        var desk = await fixture.CreateDeskAsync();
        var ticket = await desk.CreateAssignedAsync();
        if (body == "too long") body = new string('b', 5_001);

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.PostAsync(desk.Customer, ticket.Id, body!));

        Assert.Equal(["body"], error.Errors.Keys);
        Assert.Empty(await desk.MessagesAsync(desk.Admin, ticket.Id));
        Assert.Equal(0, (await desk.ReloadAsync(ticket.Id)).MessageCount);
    }

    [Theory]
    [InlineData(0, null, "limit")]
    [InlineData(101, null, "limit")]
    [InlineData(10, "abc", "cursor")]
    [InlineData(10, "-5", "cursor")]
    public async Task Invalid_list_paging_is_refused(int limit, string? cursor, string field)
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.ListAsync(desk.Admin, new TicketListRequest { Limit = limit, Cursor = cursor }));

        Assert.Equal([field], error.Errors.Keys);
    }

    [Fact]
    public async Task Too_long_idempotency_key_is_refused()
    {
        var desk = await fixture.CreateDeskAsync();

        var error = await Assert.ThrowsAsync<ValidationException>(() => desk.CreateAsync(desk.Customer, key: new string('k', 201)));

        Assert.Equal(["Idempotency-Key"], error.Errors.Keys);
        Assert.Empty((await desk.ListAsync(desk.Admin)).Items);
    }
}
