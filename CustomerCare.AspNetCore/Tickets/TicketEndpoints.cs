using CustomerCare.Errors;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerCare.AspNetCore.Tickets;

/// <summary>Handlers of <c>/tickets</c>: raise, list, read, assign, resolve, close, reopen, messages, audit trail.</summary>
internal static class TicketEndpoints
{
    public static async Task<Results<Created<TicketResponse>, ProblemHttpResult, ValidationProblem>> CreateTicket(HttpContext context, TicketManager tickets)
    {
        var key = HttpHelpers.IdempotencyKey(context);
        var request = await JsonBody.ReadAsync<CreateTicketRequest>(context);
        var result = await tickets.CreateAsync(context.Actor(), request with { Channel = TicketChannel.Api }, key, context.RequestAborted);
        if (result.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        HttpHelpers.SetETag(context, result.Value);
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}/{result.Value.Id}", TicketResponse.From(result.Value));
    }

    public static async Task<Ok<TicketPageResponse>> ListTickets(HttpContext context, TicketManager tickets)
    {
        var query = context.Request.Query;
        var statuses = query["status"]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => HttpHelpers.OptionalEnum<TicketStatus>(s, "status")!.Value)
            .Distinct()
            .ToList();
        var page = await tickets.ListAsync(context.Actor(), new TicketListRequest
        {
            Statuses = statuses,
            Priority = HttpHelpers.OptionalEnum<TicketPriority>(query["priority"], "priority"),
            Category = query["category"],
            Assignee = string.IsNullOrEmpty(query["assignee"]) ? null : query["assignee"].ToString(),
            Text = query["q"],
            Cursor = query["cursor"],
            Limit = HttpHelpers.OptionalInt(context, "limit"),
        }, context.RequestAborted);
        return TypedResults.Ok(new TicketPageResponse([.. page.Items.Select(TicketResponse.From)], page.NextCursor));
    }

    public static async Task<Ok<TicketResponse>> GetTicket(string id, HttpContext context, TicketManager tickets)
    {
        var ticket = await tickets.GetAsync(context.Actor(), HttpHelpers.ParseId(id, "ticket"), context.RequestAborted);
        HttpHelpers.SetETag(context, ticket);
        return TypedResults.Ok(TicketResponse.From(ticket));
    }

    public static async Task<Ok<TicketResponse>> AssignTicket(string id, HttpContext context, TicketManager tickets)
    {
        var ticketId = HttpHelpers.ParseId(id, "ticket");
        var ifMatch = HttpHelpers.IfMatch(context);
        var body = await JsonBody.ReadAsync<AssignRequest>(context);
        var ticket = await tickets.AssignAsync(context.Actor(), ticketId, body.AgentId, ifMatch, context.RequestAborted);
        HttpHelpers.SetETag(context, ticket);
        return TypedResults.Ok(TicketResponse.From(ticket));
    }

    public static Task<Ok<TicketResponse>> ResolveTicket(string id, HttpContext context, TicketManager tickets)
        => ChangeStatus(id, context, (actor, ticketId, version, ct) => tickets.ResolveAsync(actor, ticketId, version, ct));

    public static Task<Ok<TicketResponse>> CloseTicket(string id, HttpContext context, TicketManager tickets)
        => ChangeStatus(id, context, (actor, ticketId, version, ct) => tickets.CloseAsync(actor, ticketId, version, ct));

    public static Task<Ok<TicketResponse>> ReopenTicket(string id, HttpContext context, TicketManager tickets)
        => ChangeStatus(id, context, (actor, ticketId, version, ct) => tickets.ReopenAsync(actor, ticketId, version, ct));

    private static async Task<Ok<TicketResponse>> ChangeStatus(string id, HttpContext context, Func<Actors.Actor, Guid, long?, CancellationToken, Task<Ticket>> change)
    {
        var ticketId = HttpHelpers.ParseId(id, "ticket");
        var ticket = await change(context.Actor(), ticketId, HttpHelpers.IfMatch(context), context.RequestAborted);
        HttpHelpers.SetETag(context, ticket);
        return TypedResults.Ok(TicketResponse.From(ticket));
    }

    public static async Task<Created<MessageResponse>> PostMessage(string id, HttpContext context, TicketManager tickets)
    {
        var ticketId = HttpHelpers.ParseId(id, "ticket");
        var key = HttpHelpers.IdempotencyKey(context);
        var request = await JsonBody.ReadAsync<PostMessageRequest>(context);
        var result = await tickets.PostMessageAsync(context.Actor(), ticketId, request, key, context.RequestAborted);
        if (result.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}?after={result.Value.Sequence - 1}", MessageResponse.From(result.Value));
    }

    public static async Task<Ok<IReadOnlyList<MessageResponse>>> ListMessages(string id, HttpContext context, TicketManager tickets)
    {
        var ticketId = HttpHelpers.ParseId(id, "ticket");
        var messages = await tickets.GetMessagesAsync(context.Actor(), ticketId,
            HttpHelpers.OptionalInt(context, "after"), HttpHelpers.OptionalInt(context, "limit"), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<MessageResponse>>([.. messages.Select(MessageResponse.From)]);
    }

    public static async Task<Ok<IReadOnlyList<TicketEventResponse>>> ListEvents(string id, HttpContext context, TicketManager tickets)
    {
        var events = await tickets.GetEventsAsync(context.Actor(), HttpHelpers.ParseId(id, "ticket"), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<TicketEventResponse>>([.. events.Select(TicketEventResponse.From)]);
    }
}
