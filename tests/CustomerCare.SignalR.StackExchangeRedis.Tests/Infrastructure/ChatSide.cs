using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CustomerCare.SignalR.StackExchangeRedis.Tests.Infrastructure;

/// <summary>
/// One side of a conversation, written as the README tells a client to be: the official .NET client with
/// automatic reconnect; messages kept by sequence; on (re)connect <c>JoinTicket</c> with the last sequence
/// it holds without a gap; sends carry a client message id and are retried with it when the connection
/// drops mid-call. Every copy of every message it receives is recorded, with how it came.
/// </summary>
public sealed class ChatSide : IAsyncDisposable
{
    private readonly Guid _ticketId;
    private readonly ConcurrentDictionary<int, JsonElement> _conversation = new();
    private readonly ConcurrentQueue<(int Sequence, Guid Id, string Via)> _copies = new();
    private readonly ConcurrentQueue<JsonElement> _updates = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly ConcurrentQueue<string> _history = new();
    private int _catchUps;

    public ChatSide(string name, Instance instance, string userId, Guid ticketId)
    {
        Name = name;
        _ticketId = ticketId;
        Connection = new HubConnectionBuilder()
            .WithUrl(new Uri(instance.BaseAddress, $"/t/{Instance.Tenant}/hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.Headers[HeaderAuthHandler.UserHeader] = userId;
                o.Headers[HeaderAuthHandler.TenantHeader] = Instance.Tenant;
            })
            .WithAutomaticReconnect(new EveryQuarterSecond())
            .Build();
        Connection.On<JsonElement>("messagePosted", m => Keep(m, "push"));
        Connection.On<JsonElement>("ticketUpdated", u =>
        {
            if (u.GetProperty("ticketId").GetGuid() != _ticketId) return;
            _updates.Enqueue(u.Clone());
            _changed.Release();
        });
        Connection.Reconnecting += e => { _history.Enqueue($"reconnecting ({e?.GetType().Name}: {e?.Message})"); return Task.CompletedTask; };
        Connection.Closed += e => { _history.Enqueue($"closed ({e?.GetType().Name}: {e?.Message})"); return Task.CompletedTask; };
        Connection.Reconnected += async _ =>
        {
            _history.Enqueue("reconnected");
            await CatchUpAsync();
            Interlocked.Increment(ref _catchUps);
            _changed.Release();
        };
    }

    public string Name { get; }

    public HubConnection Connection { get; }

    /// <summary>Times the side reconnected and caught up.</summary>
    public int CatchUps => Volatile.Read(ref _catchUps);

    /// <summary>The conversation as this side holds it: sequence → message.</summary>
    public IReadOnlyDictionary<int, JsonElement> Conversation => _conversation;

    /// <summary>Every copy received: pushed, in a JoinTicket answer, or as a SendMessage result.</summary>
    public IReadOnlyList<(int Sequence, Guid Id, string Via)> Copies => [.. _copies];

    public IReadOnlyList<JsonElement> Updates => [.. _updates];

    /// <summary>Highest sequence held with every sequence before it (the <c>after</c> cursor).</summary>
    public int Contiguous
    {
        get
        {
            var n = 0;
            while (_conversation.ContainsKey(n + 1)) n++;
            return n;
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task StartAsync()
    {
        await Connection.StartAsync(Ct);
        await CatchUpAsync();
    }

    private async Task CatchUpAsync()
    {
        while (true)
        {
            var joined = await Connection.InvokeAsync<JsonElement>("JoinTicket", _ticketId.ToString(), Contiguous, Ct);
            foreach (var message in joined.GetProperty("messages").EnumerateArray()) Keep(message, "join");
            if (!joined.GetProperty("hasMore").GetBoolean()) return;
        }
    }

    /// <summary>Sends <paramref name="body"/>; when the connection drops mid-call, waits for the reconnect and retries with the same client message id.</summary>
    public async Task<JsonElement> SendAsync(string body)
    {
        var clientMessageId = Guid.NewGuid().ToString();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var stored = await Connection.InvokeAsync<JsonElement>("SendMessage", _ticketId.ToString(), body, null, clientMessageId, Ct);
                Keep(stored, "sent");
                return stored;
            }
            catch (Exception ex) when (ex is not HubException && DateTime.UtcNow < deadline)
            {
                // The connection closed under the call (e.g. the instance made its clients resync): try again once it is back.
                while (Connection.State != HubConnectionState.Connected && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
            }
        }
    }

    public Task WaitForMessageAsync(int sequence) => WaitAsync($"message {sequence}", () => _conversation.ContainsKey(sequence));

    public Task<JsonElement> WaitForUpdateAsync(Func<JsonElement, bool> match)
        => WaitAsync("a matching ticketUpdated", () => _updates.FirstOrDefault(match), u => u.ValueKind != JsonValueKind.Undefined);

    public Task WaitForCatchUpsAsync(int count) => WaitAsync($"{count} reconnect(s) with catch-up", () => CatchUps >= count);

    private async Task WaitAsync(string what, Func<bool> done) => await WaitAsync(what, () => done(), d => d);

    private async Task<T> WaitAsync<T>(string what, Func<T> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = probe();
            if (done(value)) return value;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"{Name} did not get {what} within 60 s. Holds sequences {string.Join(",", _conversation.Keys.Order())}; connection history: {string.Join(" | ", _history)}; state {Connection.State}.");
            }
            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250), Ct);
        }
    }

    private void Keep(JsonElement message, string via)
    {
        if (message.GetProperty("ticketId").GetGuid() != _ticketId) return;
        var sequence = message.GetProperty("sequence").GetInt32();
        _copies.Enqueue((sequence, message.GetProperty("id").GetGuid(), via));
        _conversation.TryAdd(sequence, message.Clone());
        _changed.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        _changed.Dispose();
    }

    /// <summary>Reconnects every quarter second for a minute (the default gives up after four tries).</summary>
    private sealed class EveryQuarterSecond : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext)
            => retryContext.ElapsedTime < TimeSpan.FromMinutes(1) ? TimeSpan.FromMilliseconds(250) : null;
    }
}
