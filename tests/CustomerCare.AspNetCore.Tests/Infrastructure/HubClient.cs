using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>
/// One caller's connection to the hub at <c>/t/{tenant}/hub</c> with the official .NET client over
/// WebSockets, signed in by the test headers. Records every event the server pushes, in order.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    public static readonly string[] EventNames = ["messagePosted", "ticketUpdated", "typing", "presence"];

    private readonly List<(string Name, JsonElement Payload)> _events = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private HubClient(HubConnection connection, string? userId)
    {
        Connection = connection;
        UserId = userId;
        foreach (var name in EventNames)
        {
            connection.On<JsonElement>(name, payload =>
            {
                lock (_events) _events.Add((name, payload.Clone()));
                _arrived.Release();
            });
        }
    }

    public HubConnection Connection { get; }

    public string? UserId { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The default time to wait for a pushed event.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static HubConnection Build(ApiHost host, string? user, string tenant, string? tokenTenant = null, Action<IHubConnectionBuilder>? configure = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, $"/t/{tenant}/hub"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            if (user is not null)
            {
                o.Headers[TestAuthHandler.UserHeader] = user;
                o.Headers[TestAuthHandler.TenantHeader] = tokenTenant ?? tenant;
            }
        });
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>Connects <paramref name="user"/> to <paramref name="tenant"/>'s hub.</summary>
    public static async Task<HubClient> ConnectAsync(ApiHost host, string? user, string tenant = Tenants.Bank, string? tokenTenant = null)
    {
        var client = new HubClient(Build(host, user, tenant, tokenTenant), user);
        await client.Connection.StartAsync(Ct);
        return client;
    }

    // ------------------------------------------------------------------ calls ---

    public async Task<JsonElement> JoinAsync(Guid ticketId, int? after = null)
        => await Connection.InvokeAsync<JsonElement>("JoinTicket", ticketId.ToString(), after, Ct);

    public async Task<JsonElement> SendAsync(Guid ticketId, string body, string? visibility = null, string? clientMessageId = null)
        => await Connection.InvokeAsync<JsonElement>("SendMessage", ticketId.ToString(), body, visibility, clientMessageId, Ct);

    /// <summary>Invokes <paramref name="method"/> expecting a <see cref="HubException"/>; returns its message from the code on (<c>not-found: …</c>).</summary>
    public async Task<string> ExpectErrorAsync(string method, params object?[] args)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => Connection.InvokeCoreAsync<JsonElement>(method, args, Ct));
        // The client prefixes "An unexpected error occurred invoking 'X' on the server. HubException: ".
        const string Marker = "HubException: ";
        var at = error.Message.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"Not a HubException from CustomerCare: {error.Message}");
        var message = error.Message[(at + Marker.Length)..];
        ResponseAssertions.AssertNoLeak(message.Replace("HubException", "", StringComparison.Ordinal));
        return message;
    }

    /// <summary>Asserts the call fails with <paramref name="code"/>; returns the whole message.</summary>
    public async Task<string> ExpectErrorCodeAsync(string code, string method, params object?[] args)
    {
        var message = await ExpectErrorAsync(method, args);
        Assert.True(message.StartsWith(code + ": ", StringComparison.Ordinal), $"Expected '{code}: …', got '{message}'.");
        return message;
    }

    // ------------------------------------------------------------------ events ---

    /// <summary>Everything pushed so far, in order.</summary>
    public IReadOnlyList<(string Name, JsonElement Payload)> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    public IReadOnlyList<JsonElement> Received(string name) => [.. Events.Where(e => e.Name == name).Select(e => e.Payload)];

    /// <summary>Waits for an event named <paramref name="name"/> matching <paramref name="match"/> (already received or arriving).</summary>
    public async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout ?? Timeout);
        while (true)
        {
            foreach (var (eventName, payload) in Events)
            {
                if (eventName == name && (match is null || match(payload))) return payload;
            }
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"{UserId ?? "anonymous"} received no matching '{name}' within {(timeout ?? Timeout).TotalSeconds:0} s. Received: {string.Join(", ", Events.Select(e => $"{e.Name} {e.Payload}"))}");
            }
        }
    }

    /// <summary>Waits for the <c>messagePosted</c> of the message with <paramref name="sequence"/> on <paramref name="ticketId"/>.</summary>
    public Task<JsonElement> WaitForMessageAsync(Guid ticketId, int sequence)
        => WaitForAsync("messagePosted", m => m.GetProperty("ticketId").GetGuid() == ticketId && m.GetProperty("sequence").GetInt32() == sequence);

    /// <summary>The sequences of the <c>messagePosted</c> events received for <paramref name="ticketId"/>, in arrival order.</summary>
    public IReadOnlyList<int> MessageSequences(Guid ticketId)
        => [.. Received("messagePosted").Where(m => m.GetProperty("ticketId").GetGuid() == ticketId).Select(m => m.GetProperty("sequence").GetInt32())];

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        _arrived.Dispose();
    }
}
