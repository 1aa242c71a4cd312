using CustomerCare.Tickets;

namespace CustomerCare.Storage.EFCore.Tickets;

/// <summary>
/// How the audit trail is kept in <c>cc_ticket_events</c>: one row per event, except that a new ticket assigned automatically
/// as it is created keeps its <see cref="TicketEventKind.Created"/> and <see cref="TicketEventKind.Assigned"/> events in one
/// row, the creation's row carrying the assignee and the reason. That is half the rows the busiest write of an automatic
/// tenant inserts (issue 5); the trail read back is the same two events. The pair is folded only when the row says all of the
/// assignment: the engine's assignment (<c>system</c>, new to open) at the creation's instant, with the id right after the
/// creation's (<see cref="TicketEvents.Following"/>). A creation row never carries an assignee otherwise.
/// </summary>
internal static class TicketEventRows
{
    private const string Engine = "system";

    /// <summary>The rows that keep <paramref name="events"/> (the list itself when nothing folds).</summary>
    public static IReadOnlyList<TicketEvent> Fold(IReadOnlyList<TicketEvent> events)
    {
        for (var i = 0; i + 1 < events.Count; i++)
        {
            if (!Folds(events[i], events[i + 1])) continue;
            var rows = new List<TicketEvent>(events.Count - 1);
            for (var j = 0; j < events.Count; j++)
            {
                if (j == i)
                {
                    rows.Add(Copy(events[i], events[i + 1].AssigneeId, events[i + 1].Detail));
                    j++;
                }
                else rows.Add(events[j]);
            }
            return Fold(rows);
        }
        return events;
    }

    /// <summary>The events kept in <paramref name="rows"/>, in the same order.</summary>
    public static List<TicketEvent> Expand(List<TicketEvent> rows)
    {
        if (!rows.Exists(IsFolded)) return rows;
        var events = new List<TicketEvent>(rows.Count + 1);
        foreach (var row in rows)
        {
            if (!IsFolded(row))
            {
                events.Add(row);
                continue;
            }
            events.Add(Copy(row, null, null));
            events.Add(new TicketEvent
            {
                Id = TicketEvents.Following(row.Id)!.Value,
                TenantId = row.TenantId,
                TicketId = row.TicketId,
                Kind = TicketEventKind.Assigned,
                ActorId = Engine,
                FromStatus = TicketStatus.New,
                ToStatus = TicketStatus.Open,
                AssigneeId = row.AssigneeId,
                Detail = row.Detail,
                CreatedAt = row.CreatedAt,
            });
        }
        return events;
    }

    private static bool IsFolded(TicketEvent row) => row.Kind == TicketEventKind.Created && row.AssigneeId is not null;

    private static bool Folds(TicketEvent created, TicketEvent assigned)
        => created is { Kind: TicketEventKind.Created, AssigneeId: null, Detail: null, FromStatus: null, ToStatus: TicketStatus.New }
           && assigned is { Kind: TicketEventKind.Assigned, ActorId: Engine, FromStatus: TicketStatus.New, ToStatus: TicketStatus.Open, AssigneeId: not null }
           && assigned.TicketId == created.TicketId && assigned.TenantId == created.TenantId && assigned.CreatedAt == created.CreatedAt
           && TicketEvents.Following(created.Id) == assigned.Id;

    private static TicketEvent Copy(TicketEvent e, string? assigneeId, string? detail) => new()
    {
        Id = e.Id,
        TenantId = e.TenantId,
        TicketId = e.TicketId,
        Kind = e.Kind,
        ActorId = e.ActorId,
        FromStatus = e.FromStatus,
        ToStatus = e.ToStatus,
        AssigneeId = assigneeId,
        Detail = detail,
        CreatedAt = e.CreatedAt,
    };
}
