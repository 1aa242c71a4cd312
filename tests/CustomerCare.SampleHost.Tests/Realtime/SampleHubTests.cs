using System.Net;
using System.Text.Json;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CustomerCare.SampleHost.Tests.Realtime;

/// <summary>
/// The sample's hub at <c>/t/{tenant}/hub</c> with real ASP.NET Core Identity: the bearer token as the
/// browser client sends it (<c>?access_token=</c>), as a header, or the Identity cookie.
/// </summary>
public sealed class SampleHubTests(SampleHostFactory host) : IClassFixture<SampleHostFactory>
{
    private const string Tenant = "acme-bank";
    private const string DemoPassword = "Demo-pass-2026";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customer_with_the_token_in_the_query_and_agent_with_a_header_chat_live_on_the_seeded_ticket()
    {
        using var api = host.Api();
        var customerToken = await api.LoginAsync(Tenant, $"customer@{Tenant}.example", DemoPassword);
        var agentToken = await api.LoginAsync(Tenant, $"agent1@{Tenant}.example", DemoPassword);
        var ticket = await SeededChatTicketAsync(api, customerToken);

        // The customer as the browser client connects (token in the query over WebSockets), the agent over long polling.
        await using var customer = Connect(Tenant, HttpTransportType.WebSockets, queryToken: customerToken);
        await using var agent = Connect(Tenant, HttpTransportType.LongPolling, headerToken: agentToken);
        var toAgent = new Inbox(agent);
        var toCustomer = new Inbox(customer);
        await customer.StartAsync(Ct);
        await agent.StartAsync(Ct);

        var joined = await customer.InvokeAsync<JsonElement>("JoinTicket", ticket, null, Ct);
        var seeded = joined.GetProperty("messages").GetArrayLength();
        Assert.True(seeded > 0, "The seeded ticket has a short chat.");
        Assert.Equal(seeded, (await agent.InvokeAsync<JsonElement>("JoinTicket", ticket, null, Ct)).GetProperty("messages").GetArrayLength());

        var sent = await customer.InvokeAsync<JsonElement>("SendMessage", ticket, "Any news about the refund?", null, Guid.NewGuid().ToString(), Ct);
        Assert.Equal(seeded + 1, sent.GetProperty("sequence").GetInt32());
        Assert.Equal("Casey Customer", sent.GetProperty("author").GetProperty("name").GetString());
        Assert.Equal(sent.GetProperty("id").GetGuid(), (await toAgent.WaitForAsync(seeded + 1)).GetProperty("id").GetGuid());

        var reply = await agent.InvokeAsync<JsonElement>("SendMessage", ticket, "It is on its way.", null, null, Ct);
        var pushed = await toCustomer.WaitForAsync(reply.GetProperty("sequence").GetInt32());
        Assert.Equal("Alex Agent", pushed.GetProperty("author").GetProperty("name").GetString());
    }

    [Fact]
    public async Task No_token_or_a_token_of_another_tenant_cannot_connect()
    {
        using var api = host.Api();
        var telcoCustomer = await api.LoginAsync("globe-telecom", "customer@globe-telecom.example", DemoPassword);

        await using var anonymous = Connect(Tenant, HttpTransportType.WebSockets);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync(Ct))).StatusCode);
        await using var otherTenant = Connect(Tenant, HttpTransportType.WebSockets, queryToken: telcoCustomer);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => otherTenant.StartAsync(Ct))).StatusCode);

        // In its own tenant the same token works; the query token is read on the hub's paths only.
        await using var own = Connect("globe-telecom", HttpTransportType.WebSockets, queryToken: telcoCustomer);
        await own.StartAsync(Ct);
        Assert.Equal(HubConnectionState.Connected, own.State);
        var me = await api.GetAsync($"/t/globe-telecom/api/me?access_token={Uri.EscapeDataString(telcoCustomer)}");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Cookie_signed_in_customer_connects()
    {
        using var api = host.Api();
        var login = await api.PostAsync($"/t/{Tenant}/api/auth/login?useCookies=true", new { email = $"customer@{Tenant}.example", password = DemoPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var customerToken = await api.LoginAsync(Tenant, $"customer@{Tenant}.example", DemoPassword);
        var ticket = await SeededChatTicketAsync(api, customerToken);

        await using var customer = Connect(Tenant, HttpTransportType.WebSockets, cookie: cookie);
        await customer.StartAsync(Ct);
        var joined = await customer.InvokeAsync<JsonElement>("JoinTicket", ticket, null, Ct);
        Assert.Equal(ticket, joined.GetProperty("ticket").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_browser_client_is_served_by_the_sample_itself()
    {
        using var api = host.Api();
        var script = await api.GetAsync("/lib/signalr/signalr.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var text = await script.Content.ReadAsStringAsync(Ct);
        Assert.Contains("HubConnectionBuilder", text, StringComparison.Ordinal);
        var license = await api.GetAsync("/lib/signalr/LICENSE.txt");
        Assert.Contains("MIT", await license.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>The id of the seeded ticket with a chat (BANK-1001, assigned to Alex Agent), as its customer lists it.</summary>
    private static async Task<string> SeededChatTicketAsync(Api api, string customerToken)
    {
        var tickets = await api.ExpectAsync(HttpMethod.Get, $"/t/{Tenant}/api/tickets?limit=100", HttpStatusCode.OK, token: customerToken);
        return (string)tickets["items"]!.AsArray().Single(t => (string?)t!["number"] == "BANK-1001")!["id"]!;
    }

    private HubConnection Connect(string tenant, HttpTransportType transport, string? queryToken = null, string? headerToken = null, string? cookie = null)
    {
        var server = host.Server;
        var url = $"http://localhost/t/{tenant}/hub" + (queryToken is null ? "" : "?access_token=" + Uri.EscapeDataString(queryToken));
        return new HubConnectionBuilder().WithUrl(url, o =>
        {
            o.Transports = transport;
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            if (headerToken is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(headerToken);
            if (cookie is not null) o.Headers["Cookie"] = cookie;
            o.WebSocketFactory = async (context, cancellationToken) =>
            {
                var client = server.CreateWebSocketClient();
                client.ConfigureRequest = request =>
                {
                    if (headerToken is not null) request.Headers.Authorization = "Bearer " + headerToken;
                    if (cookie is not null) request.Headers.Cookie = cookie;
                };
                return await client.ConnectAsync(context.Uri, cancellationToken);
            };
        }).Build();
    }

    /// <summary>Records the <c>messagePosted</c> events a connection receives.</summary>
    private sealed class Inbox
    {
        private readonly List<JsonElement> _messages = [];

        public Inbox(HubConnection connection) => connection.On<JsonElement>("messagePosted", m =>
        {
            lock (_messages) _messages.Add(m.Clone());
        });

        public async Task<JsonElement> WaitForAsync(int sequence)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                lock (_messages)
                {
                    foreach (var m in _messages)
                        if (m.GetProperty("sequence").GetInt32() == sequence) return m;
                }
                Assert.True(DateTime.UtcNow < deadline, $"No messagePosted with sequence {sequence} within 15 s.");
                await Task.Delay(20, Ct);
            }
        }
    }
}
