using CustomerCare.Actors;
using CustomerCare.SampleHost.Web;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>
/// One ticket with its conversation. Rendered on the server; <c>ticket.js</c> then joins the ticket on
/// the hub so messages, typing and status changes arrive live, and sends messages through the hub.
/// The forms work without script too. A ticket the person may not see is the 404 page.
/// </summary>
public sealed class TicketModel(TicketManager tickets, StaffManager staff) : TenantPageModel
{
    private const int MessageBatch = 100;

    /// <summary>The ticket.</summary>
    public Ticket Ticket { get; private set; } = null!;

    /// <summary>Its messages the person may see, oldest first.</summary>
    public List<TicketMessage> Messages { get; } = [];

    /// <summary>The highest message sequence shown (the hub's join cursor).</summary>
    public int LastSequence => Messages.Count == 0 ? 0 : Messages[^1].Sequence;

    /// <summary>Agents an admin can assign to.</summary>
    public IReadOnlyList<StaffMember> Agents { get; private set; } = [];

    /// <summary>A message that failed validation, to show again.</summary>
    public string? Body { get; private set; }

    /// <summary>Whether the person may reply (the form is disabled while the ticket is closed).</summary>
    public bool CanReply => TicketRules.CanPostPublic(Me, Ticket);

    /// <summary>Whether the person may resolve.</summary>
    public bool CanResolve => TicketRules.CanResolve(Me, Ticket);

    /// <summary>Whether the person may close and reopen.</summary>
    public bool CanCloseOrReopen => TicketRules.CanCloseOrReopen(Me, Ticket);

    /// <summary>Whether an agent may take this unassigned ticket (when the tenant lets agents assign themselves).</summary>
    public bool CanTake => Me.Role == ActorRole.Agent && Ticket.AssigneeId is null && Ticket.Status == TicketStatus.New
        && TicketRules.CanAssign(Me, Ticket, Me.UserId, Tenant.Settings);

    /// <summary>Whether the person may assign (admins).</summary>
    public bool CanAssign => Me.Role == ActorRole.Admin;

    /// <summary>Shows the ticket.</summary>
    public Task OnGetAsync(Guid id) => LoadAsync(id);

    /// <summary>Posts a message (the form without script; with script the hub sends it).</summary>
    public async Task<IActionResult> OnPostMessageAsync(Guid id, string? body, MessageVisibility? visibility)
    {
        try
        {
            await tickets.PostMessageAsync(Me, id, new PostMessageRequest { Body = body, Visibility = visibility }, null, HttpContext.RequestAborted);
        }
        catch (Errors.ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors) Errors[key] = messages;
            Body = body;
            await LoadAsync(id);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        return Redirect(Path($"/tickets/{id}"));
    }

    /// <summary>Resolves.</summary>
    public Task<IActionResult> OnPostResolveAsync(Guid id) => ChangeAsync(id, "resolved", ct => tickets.ResolveAsync(Me, id, null, ct));

    /// <summary>Closes.</summary>
    public Task<IActionResult> OnPostCloseAsync(Guid id) => ChangeAsync(id, "closed", ct => tickets.CloseAsync(Me, id, null, ct));

    /// <summary>Reopens.</summary>
    public Task<IActionResult> OnPostReopenAsync(Guid id) => ChangeAsync(id, "reopened", ct => tickets.ReopenAsync(Me, id, null, ct));

    /// <summary>Assigns (admins; empty unassigns).</summary>
    public Task<IActionResult> OnPostAssignAsync(Guid id, string? agentId)
        => ChangeAsync(id, "assigned", ct => tickets.AssignAsync(Me, id, string.IsNullOrEmpty(agentId) ? null : agentId, null, ct));

    private async Task<IActionResult> ChangeAsync(Guid id, string what, Func<CancellationToken, Task<Ticket>> change)
    {
        var ticket = await change(HttpContext.RequestAborted);
        Flash = what == "assigned"
            ? ticket.AssigneeName is null ? $"{ticket.Reference} is unassigned." : $"{ticket.Reference} is assigned to {ticket.AssigneeName}."
            : $"{ticket.Reference} {what}.";
        return Redirect(Path($"/tickets/{id}"));
    }

    private async Task LoadAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        Ticket = await tickets.GetAsync(Me, id, ct);
        var after = 0;
        while (true)
        {
            var batch = await tickets.GetMessagesAsync(Me, id, after, MessageBatch, ct);
            Messages.AddRange(batch);
            if (batch.Count < MessageBatch || Messages.Count >= 1000) break;   // the script joins with the last sequence and fetches the rest
            after = batch[^1].Sequence;
        }
        if (CanAssign)
            Agents = [.. (await staff.ListAsync(Me, includeInactive: false, ct)).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture)];
    }
}
