using System.Net;
using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Authorization;

/// <summary>Who calls, relative to the ticket of the row.</summary>
public enum Caller
{
    /// <summary>The customer who raised the ticket.</summary>
    OwnerCustomer,

    /// <summary>Another customer of the same tenant.</summary>
    OtherCustomer,

    /// <summary>The agent the ticket is assigned to.</summary>
    AssignedAgent,

    /// <summary>An agent of the tenant the ticket is not assigned to.</summary>
    OtherAgent,

    /// <summary>An admin of the tenant.</summary>
    Admin,

    /// <summary>An admin of tenant telco whose token is used on /t/bank.</summary>
    OtherTenantAdmin,

    /// <summary>Not signed in.</summary>
    Anonymous,
}

/// <summary>
/// DESIGN.md §3 and §5 as a table: every endpoint against every kind of caller, each on fresh data
/// (a new owner, other customer and ticket per row), with the status and problem type expected.
/// Refused writes must leave the data exactly as it was; allowed writes must change it.
/// </summary>
public sealed class AuthorizationMatrixTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    /// <summary>The data one row works on.</summary>
    private sealed class Row(ApiHost host)
    {
        public ApiHost Host { get; } = host;
        public string Owner { get; } = Users.New("owner");
        public string Other { get; } = Users.New("other");
        public string? CallerId { get; set; }
        public Guid TicketId { get; set; }
        public string? TargetAgent { get; set; }
        public string? TargetCustomer { get; set; }
        public ApiClient Admin => Host.As(Users.BankAdmin);
    }

    private sealed record Case(
        string Endpoint,
        int[] Expected,
        Func<Row, Task> Arrange,
        Func<Row, ApiClient, Task<HttpResponseMessage>> Act,
        Func<Row, Task<string>>? State = null);

    // Expected statuses in Caller order: owner, other customer, assigned agent, other agent, admin, other tenant's admin, anonymous.
    private static readonly Case[] Cases =
    [
        new("GET /me", [200, 200, 200, 200, 200, 401, 401], Nothing, (_, c) => c.GetAsync("me")),
        new("PATCH /me", [200, 200, 403, 403, 403, 401, 401], Nothing,
            (_, c) => c.PatchAsync("me", new { phone = "+44 20 7946 0958" }), CallerProfile),
        new("DELETE /me", [204, 204, 403, 403, 403, 401, 401], Nothing, (_, c) => c.DeleteAsync("me"), CallerAccount),
        new("POST /tickets", [201, 201, 403, 403, 201, 401, 401], Nothing,
            (_, c) => c.PostAsync("tickets", ApiClient.TicketBody(Tenants.Bank)), r => r.Host.CountTicketsAsync().ContinueWith(t => $"tickets={t.Result}")),
        new("GET /tickets", [200, 200, 200, 200, 200, 401, 401], AssignedTicket, (_, c) => c.GetAsync("tickets")),
        new("GET /tickets/{id}", [200, 404, 200, 404, 200, 401, 401], AssignedTicket, (r, c) => c.GetAsync($"tickets/{r.TicketId}")),
        new("POST /tickets/{id}/messages (public)", [201, 404, 201, 404, 201, 401, 401], AssignedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/messages", new { body = "Any news?" }), TicketState),
        new("POST /tickets/{id}/messages (internal)", [403, 404, 201, 404, 201, 401, 401], AssignedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/messages", new { body = "Customer called twice.", visibility = "internal" }), TicketState),
        new("GET /tickets/{id}/messages", [200, 404, 200, 404, 200, 401, 401], AssignedTicket, (r, c) => c.GetAsync($"tickets/{r.TicketId}/messages")),
        new("GET /tickets/{id}/events", [200, 404, 200, 404, 200, 401, 401], AssignedTicket, (r, c) => c.GetAsync($"tickets/{r.TicketId}/events")),
        new("POST /tickets/{id}/assign", [403, 404, 403, 404, 200, 401, 401], AssignedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/assign", new { agentId = Users.BankAgent2 }), TicketState),
        new("POST /tickets/{id}/resolve", [403, 404, 200, 404, 200, 401, 401], AssignedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/resolve"), TicketState),
        new("POST /tickets/{id}/close", [200, 404, 403, 404, 200, 401, 401], AssignedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/close"), TicketState),
        new("POST /tickets/{id}/reopen", [200, 404, 403, 404, 200, 401, 401], ResolvedTicket,
            (r, c) => c.PostAsync($"tickets/{r.TicketId}/reopen"), TicketState),
        new("GET /agents", [403, 403, 403, 403, 200, 401, 401], Nothing, (_, c) => c.GetAsync("agents")),
        new("POST /agents", [403, 403, 403, 403, 201, 401, 401], Nothing,
            (_, c) => c.PostAsync("agents", new { email = $"{Guid.NewGuid():N}@staff.example.test", displayName = "New Agent" }),
            r => r.Host.CountStaffAsync().ContinueWith(t => $"staff={t.Result}")),
        new("DELETE /agents/{id}", [403, 403, 403, 403, 204, 401, 401], FreshAgent,
            (r, c) => c.DeleteAsync($"agents/{Uri.EscapeDataString(r.TargetAgent!)}"),
            async r => $"active={(await r.Host.FindStaffAsync(Tenants.Bank, r.TargetAgent!))!.IsActive}"),
        new("PATCH /agents/{id}", [403, 403, 403, 403, 200, 401, 401], FreshAgent,
            (r, c) => c.PatchAsync($"agents/{Uri.EscapeDataString(r.TargetAgent!)}", new { capacity = 5, groups = new[] { "billing" } }),
            async r => { var s = (await r.Host.FindStaffAsync(Tenants.Bank, r.TargetAgent!))!; return $"capacity={s.Capacity} groups={string.Join(",", s.Groups)}"; }),
        new("GET /assignment", [403, 403, 403, 403, 200, 401, 401], Nothing, (_, c) => c.GetAsync("assignment")),
        // Setting the strategy the tenant already has keeps the shared tenant on manual assignment for the other tests.
        new("PUT /assignment", [403, 403, 403, 403, 200, 401, 401], Nothing, (_, c) => c.PutAsync("assignment", new { strategy = "manual" })),
        new("GET /customers", [403, 403, 403, 403, 200, 401, 401], Nothing, (_, c) => c.GetAsync("customers")),
        new("DELETE /customers/{id}", [403, 403, 403, 403, 204, 401, 401], FreshCustomer,
            (r, c) => c.DeleteAsync($"customers/{Uri.EscapeDataString(r.TargetCustomer!)}"),
            async r => { var p = await r.Host.FindCustomerAsync(Tenants.Bank, r.TargetCustomer!); return $"{p!.DisplayName} {p.Email} erased={p.ErasedAt is not null}"; }),
    ];

    public static TheoryData<string, Caller, int> Matrix
    {
        get
        {
            var data = new TheoryData<string, Caller, int>();
            foreach (var c in Cases)
            {
                Assert.Equal(Enum.GetValues<Caller>().Length, c.Expected.Length);
                foreach (var caller in Enum.GetValues<Caller>()) data.Add(c.Endpoint, caller, c.Expected[(int)caller]);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_answers_each_caller_as_the_design_says(string endpoint, Caller caller, int expected)
    {
        var @case = Cases.Single(c => c.Endpoint == endpoint);
        var row = new Row(Host);
        await @case.Arrange(row);
        var client = ClientFor(row, caller);
        row.CallerId = client.UserId;

        var before = @case.State is null ? null : await @case.State(row);
        var response = await @case.Act(row, client);

        if (expected < 400)
        {
            await response.ExpectAsync((HttpStatusCode)expected);
            if (@case.State is not null)
                Assert.NotEqual(before, await @case.State(row));
        }
        else
        {
            await response.ExpectProblemAsync((HttpStatusCode)expected, expected switch
            {
                401 => "unauthorized",
                403 => "forbidden",
                404 => "not-found",
                _ => throw new InvalidOperationException(),
            });
            if (@case.State is not null)
                Assert.Equal(before, await @case.State(row));
        }
    }

    private ApiClient ClientFor(Row row, Caller caller) => caller switch
    {
        Caller.OwnerCustomer => Host.As(row.Owner),
        Caller.OtherCustomer => Host.As(row.Other),
        Caller.AssignedAgent => Host.As(Users.BankAgent1),
        Caller.OtherAgent => Host.As(Users.BankAgent2),
        Caller.Admin => Host.As(Users.BankAdmin),
        Caller.OtherTenantAdmin => Host.As(Users.TelcoAdmin, tenant: Tenants.Bank, tokenTenant: Tenants.Telco),
        _ => Host.As(null),
    };

    // ------------------------------------------------------------------ arrangements ---

    private static Task Nothing(Row row) => Task.CompletedTask;

    /// <summary>A ticket of the row's owner, assigned by the admin to agent one.</summary>
    private static async Task AssignedTicket(Row row)
    {
        var ticket = await row.Host.As(row.Owner).CreateTicketAsync();
        row.TicketId = ticket.Id();
        await row.Admin.AssignAsync(row.TicketId, Users.BankAgent1);
    }

    private static async Task ResolvedTicket(Row row)
    {
        await AssignedTicket(row);
        await row.Admin.ChangeStatusAsync(row.TicketId, "resolve");
    }

    private static async Task FreshAgent(Row row)
    {
        var response = await row.Admin.PostAsync("agents", new { email = $"{Guid.NewGuid():N}@staff.example.test", displayName = "Temp Agent" });
        row.TargetAgent = (await response.ExpectAsync(HttpStatusCode.Created)).Str("id");
    }

    private static async Task FreshCustomer(Row row)
    {
        row.TargetCustomer = Users.New("target");
        await row.Host.As(row.TargetCustomer).MeAsync();
    }

    // ------------------------------------------------------------------ state snapshots ---

    private static Task<string> TicketState(Row row) => row.Host.TicketStateAsync(row.TicketId);

    private static async Task<string> CallerProfile(Row row)
    {
        if (row.CallerId is null) return "anonymous";
        var profile = await row.Host.FindCustomerAsync(Tenants.Bank, row.CallerId);
        return profile is null ? "no profile" : $"phone={profile.Phone} erased={profile.ErasedAt is not null}";
    }

    private static async Task<string> CallerAccount(Row row)
    {
        if (row.CallerId is null) return "anonymous";
        var staff = await row.Host.FindStaffAsync(Tenants.Bank, row.CallerId);
        return $"staff active={staff?.IsActive} {await CallerProfile(row)}";
    }
}
