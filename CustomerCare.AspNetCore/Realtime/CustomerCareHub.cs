using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// CustomerCare's real-time hub (mapped with <c>MapCustomerCareHub</c>). Every call goes through the
/// Core managers, so the rules are those of the HTTP API; <see cref="RealtimeHubFilter"/> has already
/// pinned the tenant and the actor, made the tenant current and applied the rate limit. Errors are
/// <see cref="HubException"/>s whose message starts with a stable code (<c>not-found: …</c>).
/// Optional arguments are positional like the others: pass <c>null</c>.
/// </summary>
internal sealed class CustomerCareHub(
    TicketManager tickets,
    AssignmentManager assignment,
    PresenceTracker presence,
    RealtimeConnections connections,
    RealtimeRateLimiter limiter,
    IOptions<CustomerCareRealtimeOptions> realtimeOptions,
    IOptions<CustomerCareOptions> coreOptions,
    ITenantContextAccessor tenant,
    TimeProvider time) : Hub
{
    private const int MaxClientMessageIdLength = 200;

    private RealtimeConnection Connection => RealtimeConnection.Get(Context);

    private CancellationToken Aborted => Context.ConnectionAborted;

    public override async Task OnConnectedAsync()
    {
        var connection = Connection;
        foreach (var group in RealtimeGroups.ForConnection(connection.Actor))
            await Groups.AddToGroupAsync(Context.ConnectionId, group, Aborted);
        connections.Add(Context);
        if (connection.Actor.Role == ActorRole.Agent) await presence.ConnectedAsync(connection.Tenant, connection.Actor);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context);
        if (RealtimeConnection.Find(Context) is { Actor.Role: ActorRole.Agent } connection)
            await presence.DisconnectedAsync(connection.Tenant, connection.Actor);
    }

    /// <summary>
    /// Subscribes the connection to the ticket's events and returns the ticket with the messages after
    /// <paramref name="after"/> (a message sequence; <c>null</c> or 0 for all). The subscription starts
    /// before the messages are read, so nothing falls between them; a message may arrive both ways, so
    /// clients keep messages by sequence.
    /// </summary>
    public async Task<JoinTicketResult> JoinTicket(string? ticketId, int? after)
    {
        var actor = Connection.Actor;
        var id = ParseTicketId(ticketId);
        if (after is < 0) throw new ValidationException("after", "After must be zero or a message sequence number.");
        var ticket = await tickets.GetAsync(actor, id, Aborted);

        foreach (var group in RealtimeGroups.ForTicket(actor, id))
            await Groups.AddToGroupAsync(Context.ConnectionId, group, Aborted);
        Connection.Joined[id] = 0;

        var max = realtimeOptions.Value.JoinMaxMessages;
        var pageSize = Math.Min(coreOptions.Value.Tickets.MaxPageSize, max);
        var messages = new List<MessageResponse>();
        var cursor = after ?? 0;
        var hasMore = false;
        while (true)
        {
            var want = Math.Min(pageSize, max - messages.Count);
            var page = await tickets.GetMessagesAsync(actor, id, cursor, want, Aborted);
            messages.AddRange(page.Select(MessageResponse.From));
            if (page.Count < want) break;
            cursor = page[^1].Sequence;
            if (messages.Count >= max)
            {
                hasMore = (await tickets.GetMessagesAsync(actor, id, cursor, 1, Aborted)).Count > 0;
                break;
            }
        }
        return new JoinTicketResult(TicketResponse.From(ticket), messages, hasMore);
    }

    /// <summary>Stops the connection's subscription to the ticket (no error when it was not joined).</summary>
    public async Task LeaveTicket(string? ticketId)
    {
        var actor = Connection.Actor;
        var id = ParseTicketId(ticketId);
        foreach (var group in RealtimeGroups.ForTicket(actor, id))
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, group, Aborted);
        Connection.Joined.TryRemove(id, out _);
        Connection.LastTyping.TryRemove(id, out _);
    }

    /// <summary>
    /// Posts a message (as <c>POST /tickets/{id}/messages</c>) and returns it as stored. The message is pushed
    /// as <c>messagePosted</c> to everyone who may see it, this connection included.
    /// <paramref name="clientMessageId"/> is the idempotency key: a retried send with the same id returns the
    /// message stored the first time and is not posted or pushed again.
    /// </summary>
    public async Task<MessageResponse> SendMessage(string? ticketId, string? body, string? visibility, string? clientMessageId)
    {
        var actor = Connection.Actor;
        var id = ParseTicketId(ticketId);
        MessageVisibility? parsed = visibility?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "public" => MessageVisibility.Public,
            "internal" => MessageVisibility.Internal,
            _ => throw new ValidationException("visibility", "Visibility must be public or internal."),
        };
        if (clientMessageId is { Length: 0 or > MaxClientMessageIdLength })
            throw new ValidationException("clientMessageId", $"The client message id must be 1 to {MaxClientMessageIdLength} characters.");
        var result = await tickets.PostMessageAsync(actor, id, new PostMessageRequest { Body = body, Visibility = parsed }, clientMessageId, Aborted);
        return MessageResponse.From(result.Value);
    }

    /// <summary>
    /// Tells the others on the ticket that the caller is typing (<c>typing</c> event, never to the caller's own
    /// connection). At most one event per connection and ticket every
    /// <see cref="CustomerCareRealtimeOptions.TypingInterval"/>; calls in between are ignored.
    /// </summary>
    public async Task Typing(string? ticketId)
    {
        var connection = Connection;
        var id = ParseTicketId(ticketId);
        var now = time.GetTimestamp();
        if (connection.LastTyping.TryGetValue(id, out var last) && time.GetElapsedTime(last, now) < realtimeOptions.Value.TypingInterval) return;
        if (!limiter.TryAcquire(Context.ConnectionId, out var retryAfter)) throw RealtimeErrors.RateLimited(retryAfter);

        var ticket = await tickets.GetAsync(connection.Actor, id, Aborted);
        if (!TicketRules.CanPostPublic(connection.Actor, ticket))
            throw new ForbiddenException("Only the assigned agent or an admin can reply to this ticket.");
        if (ticket.Status == TicketStatus.Closed)
            throw new ConflictException("ticket-closed", "The ticket is closed; chats are disabled. Reopen it to continue.");
        connection.LastTyping[id] = now;

        var typing = new TypingEvent(id, new PersonResponse(connection.Actor.UserId, connection.Actor.DisplayName), connection.Actor.Role);
        string[] self = [Context.ConnectionId];
        foreach (var group in RealtimeGroups.MessageAudience(ticket, (tenant.Current ?? connection.Tenant).Tenant.Settings, MessageVisibility.Public))
            await Clients.GroupExcept(group, self).SendAsync(RealtimeEventNames.Typing, typing, CancellationToken.None);
    }

    /// <summary>
    /// An agent sets their own presence: <c>online</c> or <c>away</c>. Admins receive a <c>presence</c> event;
    /// with <see cref="CustomerCareRealtimeOptions.PresenceUpdatesAvailability"/> the agent's availability for
    /// automatic assignment changes too (online drains the queue).
    /// </summary>
    public async Task SetPresence(string? availability)
    {
        var connection = Connection;
        if (connection.Actor.Role != ActorRole.Agent) throw new ForbiddenException("Only agents have a presence.");
        var parsed = availability?.Trim().ToLowerInvariant() switch
        {
            "online" => AgentAvailability.Online,
            "away" => AgentAvailability.Away,
            _ => throw new ValidationException("availability", "Availability must be online or away."),
        };
        await presence.SetAsync(connection.Tenant, connection.Actor, parsed, Aborted);
    }

    /// <summary>Admins: every active agent with their stored availability, e.g. to draw the board before <c>presence</c> events arrive.</summary>
    public async Task<IReadOnlyList<PresenceEvent>> GetPresence()
    {
        var actor = Connection.Actor;
        if (actor.Role != ActorRole.Admin) throw new ForbiddenException("Only admins can see agents' presence.");
        var overview = await assignment.GetOverviewAsync(actor, Aborted);
        return [.. overview.Agents.Select(a => new PresenceEvent(a.UserId, a.DisplayName, a.Availability))];
    }

    /// <summary>A malformed id fails exactly as an unknown or invisible ticket.</summary>
    private static Guid ParseTicketId(string? ticketId)
        => Guid.TryParse(ticketId, out var id) ? id : throw RealtimeErrors.TicketNotFound();
}
