using System.Net;
using System.Text;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Validation;

/// <summary>
/// Bad input on every endpoint that takes a body, a query or a route id: each is answered with
/// problem details (400 with an <c>errors</c> map naming the field, 404, 413, 415) and changes nothing.
/// </summary>
public sealed class BadInputTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    /// <summary>An endpoint that reads a JSON body, who may call it, and a body with a field of the wrong JSON type.</summary>
    private sealed record BodyEndpoint(string Name, HttpMethod Method, string PathTemplate, bool AsAdmin, string WrongTypeField, string WrongTypeJson);

    private static readonly BodyEndpoint[] BodyEndpoints =
    [
        new("POST /tickets", HttpMethod.Post, "tickets", false, "subject", """{"subject": 5, "description": "Card blocked"}"""),
        new("POST /tickets/{id}/messages", HttpMethod.Post, "tickets/{id}/messages", true, "body", """{"body": 5}"""),
        new("POST /tickets/{id}/assign", HttpMethod.Post, "tickets/{id}/assign", true, "agentId", """{"agentId": 5}"""),
        new("POST /agents", HttpMethod.Post, "agents", true, "email", """{"email": 5, "displayName": "Agent"}"""),
        new("PATCH /me", HttpMethod.Patch, "me", false, "phone", """{"phone": 5}"""),
    ];

    private const int MaxBody = 64 * 1024;

    public static TheoryData<string, string> BodyCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var endpoint in BodyEndpoints)
            {
                foreach (var c in new[] { "empty body", "invalid JSON", "truncated JSON", "JSON array", "JSON null", "JSON string", "wrong JSON type", "text/plain", "no content type", "too large", "too large without length" })
                    data.Add(endpoint.Name, c);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task Bad_body_is_a_problem_and_changes_nothing(string endpointName, string badCase)
    {
        var endpoint = BodyEndpoints.Single(e => e.Name == endpointName);
        var (owner, ticket) = await ArrangeAsync();
        var client = endpoint.AsAdmin ? Host.As(Users.BankAdmin) : Host.As(owner);
        var path = endpoint.PathTemplate.Replace("{id}", ticket.ToString(), StringComparison.Ordinal);
        var before = await SnapshotAsync(owner, ticket);

        var large = "{\"x\":\"" + new string('a', MaxBody) + "\"}";
        var response = badCase switch
        {
            "empty body" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("")),
            "invalid JSON" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("{ this is not json }")),
            "truncated JSON" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("{\"subject\": \"Card")),
            "JSON array" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("[]")),
            "JSON null" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("null")),
            "JSON string" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw("\"hello\"")),
            "wrong JSON type" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw(endpoint.WrongTypeJson)),
            "text/plain" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw(endpoint.WrongTypeJson, "text/plain")),
            "no content type" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw(endpoint.WrongTypeJson, null)),
            "too large" => await client.SendAsync(endpoint.Method, path, ApiClient.Raw(large)),
            "too large without length" => await client.SendAsync(endpoint.Method, path, Unsized(large)),
            _ => throw new InvalidOperationException(badCase),
        };

        switch (badCase)
        {
            case "text/plain" or "no content type":
                await response.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
                break;
            case "too large" or "too large without length":
                await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
                break;
            case "wrong JSON type":
                await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", endpoint.WrongTypeField);
                break;
            default:
                await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "$");
                break;
        }
        Assert.Equal(before, await SnapshotAsync(owner, ticket));
    }

    public static TheoryData<string, string, string> InvalidFields => new()
    {
        // endpoint, JSON body, field named in errors (several separated by '|')
        { "POST /tickets", "{}", "subject|description" },
        { "POST /tickets", """{"subject": "", "description": "   "}""", "subject|description" },
        { "POST /tickets", $$"""{"subject": "{{new string('s', 201)}}", "description": "ok"}""", "subject" },
        { "POST /tickets", $$"""{"subject": "ok", "description": "{{new string('d', 10_001)}}"}""", "description" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "priority": "critical"}""", "priority" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "priority": 2}""", "priority" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "category": "mortgages"}""", "category" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "customFields": {"nope": "x"}}""", "customFields.nope" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "customFields": {"billNumber": 7}}""", "customFields.billNumber" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "customerId": "someone-else"}""", "customerId" },
        { "POST /tickets", """{"subject": "ok", "description": "ok", "channel": "carrier-pigeon"}""", "channel" },
        { "POST /tickets/{id}/messages", "{}", "body" },
        { "POST /tickets/{id}/messages", """{"body": ""}""", "body" },
        { "POST /tickets/{id}/messages", $$"""{"body": "{{new string('b', 5_001)}}"}""", "body" },
        { "POST /tickets/{id}/messages", """{"body": "hi", "visibility": "secret"}""", "visibility" },
        { "POST /tickets/{id}/messages", """{"body": "hi", "visibility": 1}""", "visibility" },
        { "POST /tickets/{id}/assign", """{"agentId": ""}""", "agentId" },
        { "POST /tickets/{id}/assign", $$"""{"agentId": "{{new string('a', 201)}}"}""", "agentId" },
        { "POST /agents", "{}", "email|displayName" },
        { "POST /agents", """{"email": "", "displayName": ""}""", "email|displayName" },
        { "POST /agents", """{"email": "not-an-email", "displayName": "Agent"}""", "email" },
        { "POST /agents", """{"email": "Agent <agent@example.test>", "displayName": "Agent"}""", "email" },
        { "POST /agents", $$"""{"email": "agent@example.test", "displayName": "{{new string('n', 101)}}"}""", "displayName" },
        { "POST /agents", """{"email": "agent@example.test", "displayName": "Agent", "role": "customer"}""", "role" },
        { "POST /agents", """{"email": "agent@example.test", "displayName": "Agent", "role": "boss"}""", "role" },
        { "PATCH /me", """{"phone": "call me maybe"}""", "phone" },
        { "PATCH /me", """{"phone": "12"}""", "phone" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Invalid_field_is_a_400_naming_the_field_and_changes_nothing(string endpointName, string json, string fields)
    {
        var endpoint = BodyEndpoints.Single(e => e.Name == endpointName);
        var (owner, ticket) = await ArrangeAsync();
        var client = endpoint.AsAdmin ? Host.As(Users.BankAdmin) : Host.As(owner);
        var path = endpoint.PathTemplate.Replace("{id}", ticket.ToString(), StringComparison.Ordinal);
        var before = await SnapshotAsync(owner, ticket);

        var response = await client.SendAsync(endpoint.Method, path, ApiClient.Raw(json));

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", fields.Split('|'));
        Assert.Equal(before, await SnapshotAsync(owner, ticket));
    }

    [Fact]
    public async Task Telco_requires_its_bill_number_custom_field()
    {
        var customer = Host.As(Users.New(), Tenants.Telco);
        var before = await Host.CountTicketsAsync();

        await (await customer.PostAsync("tickets", new { subject = "Bill", description = "Wrong bill" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "customFields.billNumber");
        await (await customer.PostAsync("tickets", new { subject = "Bill", description = "Wrong bill", customFields = new Dictionary<string, string> { ["billNumber"] = " " } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "customFields.billNumber");
        await (await customer.PostAsync("tickets", new { subject = "Bill", description = "Wrong bill", customFields = new Dictionary<string, string> { ["billNumber"] = new string('9', 21) } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "customFields.billNumber");
        Assert.Equal(before, await Host.CountTicketsAsync());

        var ok = await customer.CreateTicketAsync(new { subject = "Bill", description = "Wrong bill", customFields = new Dictionary<string, string> { ["billNumber"] = new string('9', 20) } });
        Assert.Equal(new string('9', 20), ok.GetProperty("customFields").Str("billNumber"));
    }

    [Fact]
    public async Task Values_at_the_limits_are_accepted()
    {
        var owner = Host.As(Users.New());
        var ticket = await owner.CreateTicketAsync(new { subject = new string('s', 200), description = new string('d', 10_000), category = "CARDS", priority = "URGENT" });
        Assert.Equal(200, ticket.Str("subject").Length);
        Assert.Equal("cards", ticket.Str("category"));
        Assert.Equal("urgent", ticket.Str("priority"));
        var message = await owner.PostMessageAsync(ticket.Id(), new string('m', 5_000));
        Assert.Equal(5_000, message.Str("body").Length);
        // A body just under the size limit is read (and then judged on its content).
        var nearLimit = "{\"body\":\"" + new string('m', MaxBody - 100) + "\"}";
        await (await owner.PostAsync($"tickets/{ticket.Id()}/messages", ApiClient.Raw(nearLimit))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "body");
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "tickets?limit=101", "limit" },
        { "tickets?limit=0", "limit" },
        { "tickets?limit=-1", "limit" },
        { "tickets?limit=abc", "limit" },
        { "tickets?limit=99999999999", "limit" },
        { "tickets?cursor=abc", "cursor" },
        { "tickets?cursor=0", "cursor" },
        { "tickets?cursor=-5", "cursor" },
        { "tickets?status=bogus", "status" },
        { "tickets?status=open,bogus", "status" },
        { "tickets?status=1", "status" },
        { "tickets?priority=critical", "priority" },
        { "tickets?q=" + new string('q', 201), "q" },
        { "tickets?category=" + new string('c', 101), "category" },
        { "tickets/{id}/messages?limit=0", "limit" },
        { "tickets/{id}/messages?limit=101", "limit" },
        { "tickets/{id}/messages?limit=abc", "limit" },
        { "tickets/{id}/messages?after=-1", "after" },
        { "tickets/{id}/messages?after=abc", "after" },
        { "customers?limit=0", "limit" },
        { "customers?limit=101", "limit" },
        { "customers?limit=abc", "limit" },
        { "customers?cursor=" + new string('c', 201), "cursor" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_query_is_a_400_naming_the_parameter(string query, string field)
    {
        var (_, ticket) = await ArrangeAsync();
        var response = await Host.As(Users.BankAdmin).GetAsync(query.Replace("{id}", ticket.ToString(), StringComparison.Ordinal));
        await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    public static TheoryData<string, string> TicketRoutes => new()
    {
        { "GET", "tickets/{id}" },
        { "GET", "tickets/{id}/messages" },
        { "POST", "tickets/{id}/messages" },
        { "GET", "tickets/{id}/events" },
        { "POST", "tickets/{id}/assign" },
        { "POST", "tickets/{id}/resolve" },
        { "POST", "tickets/{id}/close" },
        { "POST", "tickets/{id}/reopen" },
    };

    [Theory]
    [MemberData(nameof(TicketRoutes))]
    public async Task Unknown_and_malformed_ticket_ids_are_not_found(string method, string template)
    {
        var admin = Host.As(Users.BankAdmin);
        var before = await SnapshotAsync(null, null);
        foreach (var id in new[] { Guid.NewGuid().ToString(), Guid.Empty.ToString(), "not-a-guid", "1042", "BANK-1001", "%20", new string('f', 300) })
        {
            object? body = template.EndsWith("messages", StringComparison.Ordinal) ? new { body = "hi" } : template.EndsWith("assign", StringComparison.Ordinal) ? new { agentId = Users.BankAgent1 } : null;
            var response = await admin.SendAsync(new HttpMethod(method), template.Replace("{id}", id, StringComparison.Ordinal), method == "GET" ? null : body);
            await response.ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        }
        Assert.Equal(before, await SnapshotAsync(null, null));
    }

    [Fact]
    public async Task Unknown_staff_and_customer_ids_are_not_found()
    {
        var admin = Host.As(Users.BankAdmin);
        var before = await SnapshotAsync(null, null);
        await (await admin.DeleteAsync("agents/nobody")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await admin.DeleteAsync($"agents/{Users.TelcoAgent1}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await admin.DeleteAsync("customers/nobody")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(before, await SnapshotAsync(null, null));
    }

    [Theory]
    [InlineData("resolve", "abc")]
    [InlineData("resolve", "\"x\"")]
    [InlineData("close", "\"-1\"")]
    [InlineData("reopen", "\"1.5\"")]
    [InlineData("assign", "W/")]
    public async Task Malformed_If_Match_is_a_400(string action, string ifMatch)
    {
        var (owner, ticket) = await ArrangeAsync();
        var before = await SnapshotAsync(owner, ticket);
        var body = action == "assign" ? new { agentId = Users.BankAgent2 } : null;
        var response = await Host.As(Users.BankAdmin).PostAsync($"tickets/{ticket}/{action}", body, ("If-Match", ifMatch));
        await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "If-Match");
        Assert.Equal(before, await SnapshotAsync(owner, ticket));
    }

    [Fact]
    public async Task Malformed_Idempotency_Key_is_a_400()
    {
        var (owner, ticket) = await ArrangeAsync();
        var before = await SnapshotAsync(owner, ticket);
        var customer = Host.As(owner);
        await (await customer.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank), ("Idempotency-Key", new string('k', 201))))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "Idempotency-Key");
        await (await customer.PostAsync($"tickets/{ticket}/messages", new { body = "hi" }, ("Idempotency-Key", new string('k', 201))))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "Idempotency-Key");
        Assert.Equal(before, await SnapshotAsync(owner, ticket));
    }

    [Fact]
    public async Task Non_JSON_body_is_checked_for_tenant_and_sign_in_before_its_content_type()
    {
        var xml = ApiClient.Raw("<ticket><subject>Card</subject></ticket>", "application/xml");
        await (await Host.As(null).PostAsync("tickets", xml)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Host.As(Users.New(), "nowhere").PostAsync("tickets", ApiClient.Raw("subject=Card", "application/x-www-form-urlencoded")))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "tenant-not-found");
        await (await Host.As(Users.New()).PostAsync("tickets", ApiClient.Raw("subject=Card", "application/x-www-form-urlencoded")))
            .ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        // JSON with a charset parameter is JSON.
        await Host.As(Users.New()).CreateTicketAsync(ApiClient.Raw("""{"subject":"Card","description":"Blocked"}""", "application/json; charset=utf-8"));
    }

    public static TheoryData<string, string, string, int> OddRequests => new()
    {
        // method, path, JSON body ("" for none), expected status
        { "GET", "tickets?q=%00", "", 200 },
        { "GET", "tickets?q=%F0%9F%92%B3", "", 200 },
        { "GET", "tickets?q=%27%3B%20DROP%20TABLE%20cc_tickets%3B--", "", 200 },
        { "GET", "tickets?assignee=" + new string('a', 201), "", 400 },
        { "GET", "tickets?limit=1e3", "", 400 },
        { "GET", "tickets?limit=%20", "", 400 },
        { "GET", "tickets?cursor=99999999999999999999999", "", 400 },
        { "GET", "tickets/{id}/messages?after=99999999999", "", 400 },
        { "POST", "tickets", new string('[', 200) + new string(']', 200), 400 },
        { "POST", "tickets", "{\"subject\":\"a\",\"description\":\"b\",\"customFields\":null}", 201 },
        { "POST", "tickets", "{\"subject\":\"a\\u0000b\",\"description\":\"b\"}", 201 },
        { "POST", "tickets", "{\"subject\":\"a\",\"description\":\"b\",\"subject\":\"c\"}", 201 },
        { "POST", "tickets", "{\"subject\":\"a\",\"description\":\"b\",\"unknown\":{\"deep\":[1,2,3]}}", 201 },
        { "POST", "tickets", "{\"Subject\":\"a\",\"DESCRIPTION\":\"b\"}", 201 },
        { "POST", "tickets/{id}/messages", "{\"body\":\"\\ud800\"}", 400 },
        { "POST", "tickets/{id}/assign", "{\"agentId\":null}", 200 },
        { "GET", "tickets/{{id}}", "", 200 },
    };

    [Theory]
    [MemberData(nameof(OddRequests))]
    public async Task Odd_requests_never_fail_with_a_500_or_leak_internals(string method, string path, string json, int expected)
    {
        var (owner, ticket) = await ArrangeAsync();
        var client = method == "GET" || path.Contains("{id}", StringComparison.Ordinal) ? Host.As(Users.BankAdmin) : Host.As(owner);
        var response = await client.SendAsync(new HttpMethod(method), path.Replace("{id}", ticket.ToString(), StringComparison.Ordinal), json.Length == 0 ? null : ApiClient.Raw(json));
        if (expected >= 400)
        {
            var problem = await response.ExpectProblemAsync((HttpStatusCode)expected, "validation", "*");
            Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
        }
        else
        {
            await response.ExpectAsync((HttpStatusCode)expected);
        }
    }

    [Fact]
    public async Task Oversized_user_id_from_the_host_is_treated_as_not_signed_in()
    {
        await (await Host.As(new string('u', 201)).GetAsync("me")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Host.As(new string('u', 200)).GetAsync("me")).ExpectAsync(HttpStatusCode.OK);
    }

    // ------------------------------------------------------------------ helpers ---

    /// <summary>A fresh customer with a ticket assigned to agent one.</summary>
    private async Task<(string Owner, Guid Ticket)> ArrangeAsync()
    {
        var owner = Users.New();
        var ticket = (await Host.As(owner).CreateTicketAsync()).Id();
        await Host.As(Users.BankAdmin).AssignAsync(ticket, Users.BankAgent1);
        return (owner, ticket);
    }

    private async Task<string> SnapshotAsync(string? owner, Guid? ticket)
    {
        var text = new StringBuilder();
        text.Append($"tickets={await Host.CountTicketsAsync()} messages={await Host.CountMessagesAsync()} staff={await Host.CountStaffAsync()}");
        if (ticket is { } id) text.Append(' ').Append(await Host.TicketStateAsync(id));
        if (owner is not null)
        {
            var profile = await Host.FindCustomerAsync(Tenants.Bank, owner);
            text.Append($" phone={profile?.Phone}");
        }
        return text.ToString();
    }

    /// <summary>A body sent without Content-Length (chunked), so the server can only find out its size by reading it.</summary>
    private static HttpContent Unsized(string json)
    {
        var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
