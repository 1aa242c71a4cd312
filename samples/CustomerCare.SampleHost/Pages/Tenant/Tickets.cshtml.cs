using CustomerCare.Actors;
using CustomerCare.SampleHost.Web;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.SampleHost.Pages.Tenant;

/// <summary>
/// The ticket list of every role, scoped by CustomerCare's rules: a customer's own tickets, an agent's
/// queue (assigned to them, and unassigned ones where the tenant allows), all tickets with assignment
/// for admins. Filters and keyset paging as the HTTP API's <c>GET /tickets</c>.
/// </summary>
public sealed class TicketsModel(TicketManager tickets, StaffManager staff) : TenantPageModel
{
    private const int PageSize = 20;

    /// <summary>Status filter choices (value, text); "active" is new, open and pending.</summary>
    public static readonly (string Value, string Text)[] StatusChoices =
        [("", "Any"), ("active", "Active (new, open, pending)"), ("new", "New"), ("open", "Open"), ("pending", "Pending"), ("resolved", "Resolved"), ("closed", "Closed")];

    /// <summary>Status filter.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    /// <summary>Assignee filter (staff): <c>me</c>, <c>none</c> or an agent id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Assignee { get; set; }

    /// <summary>Priority filter (staff).</summary>
    [BindProperty(SupportsGet = true)]
    public string? Priority { get; set; }

    /// <summary>Search text.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    /// <summary>Paging cursor.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    /// <summary>The page's tickets.</summary>
    public IReadOnlyList<Ticket> Items { get; private set; } = [];

    /// <summary>The cursor of the next page, or <c>null</c> on the last one.</summary>
    public string? NextCursor { get; private set; }

    /// <summary>Active agents and admins (admins assign to them).</summary>
    public IReadOnlyList<StaffMember> Agents { get; private set; } = [];

    /// <summary>The page's heading by role.</summary>
    public string Heading => Actor?.Role switch { ActorRole.Customer => "My tickets", ActorRole.Agent => "My queue", _ => "All tickets" };

    /// <summary>This page's URL with its filters.</summary>
    public string CurrentPage => PageLink(Cursor);

    /// <summary>This list with the same filters at <paramref name="cursor"/>.</summary>
    public string PageLink(string? cursor)
    {
        var query = new Dictionary<string, string?> { ["status"] = Status, ["assignee"] = Assignee, ["priority"] = Priority, ["q"] = Q, ["cursor"] = cursor }
            .Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}");
        var text = string.Join("&", query);
        return Path("/tickets") + (text.Length > 0 ? "?" + text : "");
    }

    /// <summary>Lists.</summary>
    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (Me.Role == ActorRole.Agent && Assignee is null && Status is null) Status = "active";
        IReadOnlyList<TicketStatus>? statuses = Status switch
        {
            "active" => [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending],
            { Length: > 0 } s when Enum.TryParse<TicketStatus>(s, true, out var one) && Enum.IsDefined(one) => [one],
            _ => null,
        };
        TicketPriority? priority = Enum.TryParse<TicketPriority>(Priority, true, out var p) && Enum.IsDefined(p) ? p : null;
        if (!Me.IsStaff)
        {
            Assignee = null;
            priority = null;
        }
        if (!long.TryParse(Cursor, out _)) Cursor = null;
        var page = await tickets.ListAsync(Me, new TicketListRequest
        {
            Statuses = statuses,
            Priority = priority,
            Assignee = string.IsNullOrEmpty(Assignee) ? null : Assignee,
            Text = Q is { Length: > 200 } ? Q[..200] : Q,
            Cursor = Cursor,
            Limit = PageSize,
        }, ct);
        Items = page.Items;
        NextCursor = page.NextCursor;
        if (Me.Role == ActorRole.Admin)
            Agents = [.. (await staff.ListAsync(Me, includeInactive: false, ct)).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture)];
    }

    /// <summary>Admins: assigns a ticket (an empty agent unassigns).</summary>
    public async Task<IActionResult> OnPostAssignAsync(Guid ticketId, string? agentId)
    {
        var ticket = await tickets.AssignAsync(Me, ticketId, string.IsNullOrEmpty(agentId) ? null : agentId, null, HttpContext.RequestAborted);
        Flash = ticket.AssigneeName is null ? $"{ticket.Reference} is unassigned." : $"{ticket.Reference} is assigned to {ticket.AssigneeName}.";
        return Redirect(CurrentUrl());
    }
}
