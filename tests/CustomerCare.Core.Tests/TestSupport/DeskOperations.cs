using CustomerCare.Actors;
using CustomerCare.Tickets;

namespace CustomerCare.Tests.TestSupport;

/// <summary>Short forms of the manager calls the tests make over and over.</summary>
public static class DeskOperations
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static CreateTicketRequest Request(string subject = "Bill is wrong", string description = "I was charged twice this month.")
        => new() { Subject = subject, Description = description };

    public static async Task<Ticket> CreateAsync(this Desk desk, Actor? by = null, CreateTicketRequest? request = null, string? key = null)
        => (await desk.Tickets(m => m.CreateAsync(by ?? desk.Customer, request ?? Request(), key, Ct))).Value;

    public static Task<Ticket> GetAsync(this Desk desk, Actor by, Guid id)
        => desk.Tickets(m => m.GetAsync(by, id, Ct));

    /// <summary>Reads the ticket as the admin (who sees everything).</summary>
    public static Task<Ticket> ReloadAsync(this Desk desk, Guid id) => desk.GetAsync(desk.Admin, id);

    public static Task<Ticket> AssignAsync(this Desk desk, Actor by, Guid id, string? agentId, long? expectedVersion = null)
        => desk.Tickets(m => m.AssignAsync(by, id, agentId, expectedVersion, Ct));

    public static Task<Ticket> ResolveAsync(this Desk desk, Actor by, Guid id, long? expectedVersion = null)
        => desk.Tickets(m => m.ResolveAsync(by, id, expectedVersion, Ct));

    public static Task<Ticket> CloseAsync(this Desk desk, Actor by, Guid id, long? expectedVersion = null)
        => desk.Tickets(m => m.CloseAsync(by, id, expectedVersion, Ct));

    public static Task<Ticket> ReopenAsync(this Desk desk, Actor by, Guid id, long? expectedVersion = null)
        => desk.Tickets(m => m.ReopenAsync(by, id, expectedVersion, Ct));

    public static async Task<TicketMessage> PostAsync(this Desk desk, Actor by, Guid id, string body = "Hello", MessageVisibility visibility = MessageVisibility.Public, string? key = null)
        => (await desk.Tickets(m => m.PostMessageAsync(by, id, new PostMessageRequest { Body = body, Visibility = visibility }, key, Ct))).Value;

    public static Task<IReadOnlyList<TicketMessage>> MessagesAsync(this Desk desk, Actor by, Guid id, int? after = null)
        => desk.Tickets(m => m.GetMessagesAsync(by, id, after, null, Ct));

    public static Task<IReadOnlyList<TicketEvent>> EventsAsync(this Desk desk, Actor by, Guid id)
        => desk.Tickets(m => m.GetEventsAsync(by, id, Ct));

    public static Task<TicketPage> ListAsync(this Desk desk, Actor by, TicketListRequest? request = null)
        => desk.Tickets(m => m.ListAsync(by, request ?? new TicketListRequest(), Ct));

    /// <summary>A ticket of <see cref="Desk.Customer"/> assigned to <see cref="Desk.Agent"/> (status open).</summary>
    public static async Task<Ticket> CreateAssignedAsync(this Desk desk, Actor? customer = null, Actor? agent = null)
    {
        var ticket = await desk.CreateAsync(customer ?? desk.Customer);
        return await desk.AssignAsync(desk.Admin, ticket.Id, (agent ?? desk.Agent).UserId);
    }
}
