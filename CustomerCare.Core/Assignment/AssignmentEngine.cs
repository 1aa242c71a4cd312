using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.Extensions.Logging;

namespace CustomerCare.Assignment;

/// <summary>
/// Drains the unassigned queue of the current tenant with its strategy: highest priority first,
/// oldest first within a priority, only to online agents in the ticket's group and below their
/// capacity. Runs under the tenant's assignment lock, so concurrent drains (other requests, other
/// host instances) never overfill an agent or assign a ticket twice.
/// </summary>
internal sealed partial class AssignmentEngine(
    IAssignmentStore store,
    IStaffStore staff,
    IEnumerable<IAssignmentStrategy> strategies,
    ITenantContextAccessor tenant,
    Notifications.NotificationPlanner planner,
    StaffDirectoryCache directory,
    TimeProvider time,
    ILogger<AssignmentEngine> logger)
{
    private const int BatchSize = 200;
    private const int MaxAttempts = 3;

    public IAssignmentStrategy? FindStrategy(string name)
        => strategies.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> StrategyNames => strategies.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>Assigns what can be assigned now; returns the tickets it assigned. Never throws for contention: a later trigger drains again.</summary>
    public async Task<IReadOnlyList<Ticket>> DrainAsync(CancellationToken cancellationToken)
    {
        if (!TryGetStrategy(out var strategy, out var settings)) return [];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = await store.BeginAsync(cancellationToken);
                if (session.HasQueuedTickets == false) return [];
                var agents = await AvailableAgentsAsync(session, cancellationToken);
                if (agents.Count == 0) return [];
                var (assigned, last, written) = await AssignWithinAsync(session, strategy, settings, agents, session.GetQueuedAsync, session.Assign, cancellationToken);
                if (assigned.Count == 0) return [];
                await session.CommitAsync(last, cancellationToken);
                planner.Wake(written);
                return assigned;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // A ticket in the batch changed under us (e.g. an admin assigned it by hand): start over.
            }
            catch (ConcurrencyConflictException)
            {
                Contended(logger, tenant.Current!.TenantId);
                return [];
            }
        }
    }

    /// <summary>
    /// Saves a new ticket with <paramref name="save"/> and drains the queue in the same transaction,
    /// so raising a ticket under automatic assignment commits once. When nothing else is queued (the
    /// usual case), the new ticket is assigned before it is written: its assignment event and
    /// notification activity join <paramref name="changes"/>, so ticket and assignment are one insert. Falls
    /// back to saving first and draining after when a queued ticket changed concurrently.
    /// </summary>
    public async Task<IReadOnlyList<Ticket>> SaveAndDrainAsync(Ticket created, TicketChangeSet changes, Actors.Actor creator, Func<Task> save, CancellationToken cancellationToken)
    {
        if (!TryGetStrategy(out var strategy, out var settings))
        {
            await save();
            return [];
        }

        var (assigneeId, assigneeName, status, version, updatedAt) = (created.AssigneeId, created.AssigneeName, created.Status, created.Version, created.UpdatedAt);
        var (eventCount, activityCount) = (changes.Events.Count, changes.Activities.Count);
        try
        {
            await using var session = await store.BeginForNewTicketAsync(cancellationToken);
            var agents = await AvailableAgentsAsync(session, cancellationToken);
            if (agents.Count == 0)
            {
                await save();
                await session.CommitAsync(session.LastAssignedAgentId, cancellationToken);
                return [];
            }

            if (session.HasQueuedTickets == false)
            {
                // The new ticket is the whole queue: decide now and write the assignment with the ticket.
                var (assigned, last, _) = await AssignWithinAsync(session, strategy, settings, agents,
                    (skip, _, _) => Task.FromResult<IReadOnlyList<Ticket>>(skip == 0 ? [created] : []),
                    (_, _, assignedEvent, activity) =>
                    {
                        changes.Events.Add(assignedEvent);
                        TicketEvents.KeepOrder(changes.Events);
                        if (activity is not null) changes.Activities.Add(activity);
                    },
                    cancellationToken, creator);
                session.SaveCursorWithNextChange(last);
                await save();
                await session.CommitAsync(last, cancellationToken);
                return assigned;
            }

            await save();
            var (drained, lastDrained, written) = await AssignWithinAsync(session, strategy, settings, agents, session.GetQueuedAsync, session.Assign, cancellationToken, creator);
            await session.CommitAsync(lastDrained, cancellationToken);
            planner.Wake(written);
            return drained;
        }
        catch (ConcurrencyConflictException)
        {
            // Rolled back: undo what the batch did to the new ticket in memory, save it alone, drain after.
            (created.AssigneeId, created.AssigneeName, created.Status, created.Version, created.UpdatedAt) = (assigneeId, assigneeName, status, version, updatedAt);
            changes.Events.RemoveRange(eventCount, changes.Events.Count - eventCount);
            changes.Activities.RemoveRange(activityCount, changes.Activities.Count - activityCount);
            await save();
            return await DrainAsync(cancellationToken);
        }
    }

    private bool TryGetStrategy(out IAssignmentStrategy strategy, out TenantSettings settings)
    {
        settings = tenant.Current?.Tenant.Settings ?? throw new InvalidOperationException("No tenant is set for this call.");
        strategy = null!;
        if (string.Equals(settings.AssignmentStrategy, ManualAssignmentStrategy.StrategyName, StringComparison.OrdinalIgnoreCase)) return false;
        var found = FindStrategy(settings.AssignmentStrategy);
        if (found is null)
        {
            UnknownStrategy(logger, settings.AssignmentStrategy, tenant.Current!.TenantId);
            return false;
        }
        strategy = found;
        return true;
    }

    /// <summary>
    /// Online agents with room in principle, ordered by user id. Read in the session (under the lock) and cached
    /// per tenant while the store's staff version stays the same, which any staff change on any instance raises.
    /// </summary>
    private async Task<IReadOnlyList<StaffMember>> AvailableAgentsAsync(IAssignmentSession session, CancellationToken cancellationToken)
    {
        var tenantId = tenant.Current!.TenantId;
        if (session.StaffVersion is { } version && directory.TryGet(tenantId, version, out var cached)) return cached;
        IReadOnlyList<StaffMember> agents = [.. (await staff.ListAsync(activeOnly: true, cancellationToken))
            .Where(a => a.Role == Actors.ActorRole.Agent && a.Availability == AgentAvailability.Online && a.Capacity is null or > 0)
            .OrderBy(a => a.UserId, StringComparer.Ordinal)];
        if (session.StaffVersion is { } read) directory.Set(tenantId, read, agents);
        return agents;
    }

    private async Task<(List<Ticket> Assigned, string? Last, List<Notifications.OutboxActivity> Written)> AssignWithinAsync(
        IAssignmentSession session, IAssignmentStrategy strategy, TenantSettings settings, IReadOnlyList<StaffMember> agents,
        Func<int, int, CancellationToken, Task<IReadOnlyList<Ticket>>> queue,
        Action<Ticket, long, TicketEvent, Notifications.OutboxActivity?> record,
        CancellationToken cancellationToken, Actors.Actor? creator = null)
    {
        var loads = new Dictionary<string, int>(await session.GetLoadsAsync(cancellationToken), StringComparer.Ordinal);
        int LoadOf(StaffMember a) => loads.GetValueOrDefault(a.UserId);
        bool HasRoom(StaffMember a) => a.Capacity is not { } cap || LoadOf(a) < cap;

        var assigned = new List<Ticket>();
        var written = new List<Notifications.OutboxActivity>();
        var last = session.LastAssignedAgentId;
        var now = time.GetUtcNow();
        var skip = 0;
        while (agents.Any(HasRoom))
        {
            var queued = await queue(skip, BatchSize, cancellationToken);
            if (queued.Count == 0) break;
            foreach (var ticket in queued)
            {
                var group = ticket.Category is { } category && settings.CategoryGroups.TryGetValue(category, out var g) ? g : null;
                var candidates = agents
                    .Where(a => HasRoom(a) && (group is null || a.Groups.Contains(group, StringComparer.OrdinalIgnoreCase)))
                    .Select(a => new AgentCandidate(a.UserId, a.DisplayName, LoadOf(a), a.Capacity))
                    .ToList();
                if (candidates.Count == 0) continue;

                var decision = await strategy.ChooseAsync(new AssignmentRequest(ticket, candidates, last), cancellationToken);
                if (decision is null) continue;
                var agent = agents.FirstOrDefault(a => a.UserId == decision.AgentId && candidates.Any(c => c.UserId == a.UserId))
                    ?? throw new InvalidOperationException($"Assignment strategy '{strategy.Name}' chose '{decision.AgentId}', who is not one of the candidates.");

                var readVersion = ticket.Version;
                ticket.AssigneeId = agent.UserId;
                ticket.AssigneeName = agent.DisplayName;
                ticket.Status = TicketStatus.Open;
                ticket.UpdatedAt = now;
                ticket.Version = readVersion + 1;
                var system = new Actors.Actor(ticket.TenantId, "system", Actors.ActorRole.Admin, "Automatic assignment", null);
                // The customer who just raised the ticket is known from the request.
                var customer = creator is { Role: Actors.ActorRole.Customer } c && c.UserId == ticket.CustomerId ? c : null;
                var activity = planner.Assigned(ticket, system, customer);
                record(ticket, readVersion, new TicketEvent
                {
                    Id = Guid.CreateVersion7(now),
                    TenantId = ticket.TenantId,
                    TicketId = ticket.Id,
                    Kind = TicketEventKind.Assigned,
                    ActorId = "system",
                    FromStatus = TicketStatus.New,
                    ToStatus = TicketStatus.Open,
                    AssigneeId = agent.UserId,
                    Detail = decision.Reason.Length > 500 ? decision.Reason[..500] : decision.Reason,
                    CreatedAt = now,
                }, activity);
                if (activity is not null) written.Add(activity);
                loads[agent.UserId] = LoadOf(agent) + 1;
                last = agent.UserId;
                assigned.Add(ticket);
                if (!agents.Any(HasRoom)) break;
            }
            // Assignments are saved on commit, so this batch's tickets still read as queued: step over all of them.
            skip += queued.Count;
            if (queued.Count < BatchSize) break;
        }
        return (assigned, last, written);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Tenant {TenantId} uses assignment strategy {Strategy}, which is not registered; tickets stay queued")]
    private static partial void UnknownStrategy(ILogger logger, string strategy, string tenantId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Assignment in tenant {TenantId} was contended; the queue drains on the next trigger")]
    private static partial void Contended(ILogger logger, string tenantId);
}

/// <summary>
/// Each tenant's available agents as last read, with the store's staff version they were read at
/// (<see cref="IAssignmentSession.StaffVersion"/>). An entry is used only while the version read under the lock is
/// the same, so a change made on any host instance is seen by the next assignment. Entries are never changed, only
/// replaced: callers must not modify the members.
/// </summary>
internal sealed class StaffDirectoryCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Version, IReadOnlyList<StaffMember> Agents)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string tenantId, long version, out IReadOnlyList<StaffMember> agents)
    {
        if (_entries.TryGetValue(tenantId, out var entry) && entry.Version == version)
        {
            agents = entry.Agents;
            return true;
        }
        agents = [];
        return false;
    }

    public void Set(string tenantId, long version, IReadOnlyList<StaffMember> agents) => _entries[tenantId] = (version, agents);
}
