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
    AssignmentSnapshotCache snapshots,
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
                var tenantId = tenant.Current!.TenantId;
                // A drain follows a change that makes this process's snapshot stale (a resolve, an agent back online, a session):
                // the next new ticket takes the lock rather than try it first.
                snapshots.Remove(tenantId);
                if (session.HasQueuedTickets == false) return [];
                var agents = await AvailableAgentsAsync(session, cancellationToken);
                if (agents.Count == 0) return [];
                var (assigned, last, written, _) = await AssignWithinAsync(await session.GetLoadsAsync(cancellationToken), session.LastAssignedAgentId, strategy, settings, agents,
                    session.GetQueuedAsync, session.Assign, cancellationToken);
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
    /// notification activity join <paramref name="changes"/>, so ticket and assignment are one insert.
    /// Once warm, that decision is made from the tenant's snapshot (<see cref="AssignmentSnapshotCache"/>) without
    /// taking the lock first, and the store writes the ticket only if the snapshot is still current
    /// (<see cref="IAssignmentStore.GuardNextNewTicket"/>): one command. Otherwise (stale snapshot, something queued,
    /// no snapshot yet) it takes the lock. Falls back to saving first and draining after when a queued ticket changed
    /// concurrently.
    /// </summary>
    public async Task<IReadOnlyList<Ticket>> SaveAndDrainAsync(Ticket created, TicketChangeSet changes, Actors.Actor creator, Func<Task> save, CancellationToken cancellationToken)
    {
        if (!TryGetStrategy(out var strategy, out var settings))
        {
            await save();
            return [];
        }

        // One new ticket at a time per tenant in this process. Concurrent creates would all start from the same snapshot, and all
        // but one would miss it and take the lock (measured: a third of manual's throughput with four concurrent creators in one
        // tenant); in turn, each starts from the snapshot the one before it left, in one command. The database still decides.
        var tenantId = tenant.Current!.TenantId;
        var gate = snapshots.GateOf(tenantId);
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await SaveAndDrainInTurnAsync(tenantId, created, changes, creator, strategy, settings, save, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<IReadOnlyList<Ticket>> SaveAndDrainInTurnAsync(string tenantId, Ticket created, TicketChangeSet changes, Actors.Actor creator,
        IAssignmentStrategy strategy, TenantSettings settings, Func<Task> save, CancellationToken cancellationToken)
    {
        var (assigneeId, assigneeName, status, version, updatedAt) = (created.AssigneeId, created.AssigneeName, created.Status, created.Version, created.UpdatedAt);
        var (eventCount, activityCount) = (changes.Events.Count, changes.Activities.Count);
        void Undo()
        {
            (created.AssigneeId, created.AssigneeName, created.Status, created.Version, created.UpdatedAt) = (assigneeId, assigneeName, status, version, updatedAt);
            changes.Events.RemoveRange(eventCount, changes.Events.Count - eventCount);
            changes.Activities.RemoveRange(activityCount, changes.Activities.Count - activityCount);
        }

        if (await TryOptimisticAsync(tenantId, created, changes, creator, strategy, settings, save, cancellationToken) is { } optimistic)
            return optimistic;
        Undo();

        try
        {
            await using var session = await store.BeginForNewTicketAsync(cancellationToken);
            var agents = await AvailableAgentsAsync(session, cancellationToken);
            if (agents.Count == 0)
            {
                snapshots.Remove(tenantId);
                await save();
                await session.CommitAsync(session.LastAssignedAgentId, cancellationToken);
                return [];
            }

            if (session.HasQueuedTickets == false)
            {
                // The new ticket is the whole queue: decide now and write the assignment with the ticket.
                var (assigned, last, _, loads) = await AssignNewAsync(await session.GetLoadsAsync(cancellationToken), session.LastAssignedAgentId, created, changes, creator,
                    strategy, settings, agents, cancellationToken);
                session.SaveCursorWithNextChange(last);
                await save();
                await session.CommitAsync(last, cancellationToken);
                // What this session decided is what the tenant's state now is: the next new ticket can be assigned from it.
                if (assigned.Count == 1 && session.EpochAfterCommit is { } epoch && session.StaffVersion is { } staffVersion)
                    snapshots.Set(tenantId, new(epoch, staffVersion, [.. CandidatesOf(agents, loads, null)], last));
                else snapshots.Remove(tenantId);
                return assigned;
            }

            snapshots.Remove(tenantId);
            await save();
            var (drained, lastDrained, written, _) = await AssignWithinAsync(await session.GetLoadsAsync(cancellationToken), session.LastAssignedAgentId, strategy, settings, agents,
                session.GetQueuedAsync, session.Assign, cancellationToken, creator);
            await session.CommitAsync(lastDrained, cancellationToken);
            planner.Wake(written);
            return drained;
        }
        catch (ConcurrencyConflictException)
        {
            // Rolled back: undo what the batch did to the new ticket in memory, save it alone, drain after.
            snapshots.Remove(tenantId);
            Undo();
            await save();
            return await DrainAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The fast path of <see cref="SaveAndDrainAsync"/>: chooses from the tenant's snapshot and saves the ticket only if the
    /// snapshot is still current. Returns <c>null</c> when it did not save (no snapshot, nobody to choose, stale snapshot); the
    /// caller then undoes what it did to the ticket and takes the lock.
    /// </summary>
    private async Task<IReadOnlyList<Ticket>?> TryOptimisticAsync(string tenantId, Ticket created, TicketChangeSet changes, Actors.Actor creator,
        IAssignmentStrategy strategy, TenantSettings settings, Func<Task> save, CancellationToken cancellationToken)
    {
        if (!snapshots.TryGet(tenantId, out var snapshot) || !directory.TryGet(tenantId, snapshot.StaffVersion, out var agents) || agents.Count == 0) return null;
        if (snapshots.BackingOff(tenantId)) return null;
        using var guard = store.GuardNextNewTicket(snapshot.Epoch, snapshot.StaffVersion);
        if (guard is null) return null;
        // The snapshot keeps the candidates themselves (agents with room, with their loads), so choosing costs no pass over the staff.
        var group = GroupOf(created, settings);
        var candidates = group is null ? snapshot.Candidates : InGroup(snapshot.Candidates, agents, group);
        if (candidates.Count == 0 || await ChooseAsync(strategy, created, candidates, snapshot.LastAssignedAgentId, cancellationToken) is not { } chosen) return null;
        var (_, assignedEvent, activity) = Apply(created, chosen.Agent, chosen.Decision, created.CreatedAt, creator);
        AddToNewTicket(changes, assignedEvent, activity);
        try
        {
            await save();
        }
        catch (ConcurrencyConflictException)
        {
            // Something changed since the snapshot (here or on another instance), or the store cannot write this ticket in one
            // command (a request key, say): nothing was written. The locked path that follows replaces the snapshot.
            snapshots.Failed(tenantId);
            return null;
        }
        snapshots.Succeeded(tenantId);
        if (guard.EpochAfter is { } epoch) snapshots.Set(tenantId, new(epoch, snapshot.StaffVersion, After(snapshot.Candidates, chosen.Agent), chosen.Agent.UserId));
        else snapshots.Remove(tenantId);
        return [created];
    }

    /// <summary>Assigns the new ticket alone (nothing else queued): its assignment event and activity join <paramref name="changes"/>.</summary>
    private Task<(List<Ticket> Assigned, string? Last, List<Notifications.OutboxActivity> Written, IReadOnlyDictionary<string, int> Loads)> AssignNewAsync(
        IReadOnlyDictionary<string, int> loads, string? last, Ticket created, TicketChangeSet changes, Actors.Actor creator,
        IAssignmentStrategy strategy, TenantSettings settings, IReadOnlyList<StaffMember> agents, CancellationToken cancellationToken)
        => AssignWithinAsync(loads, last, strategy, settings, agents,
            (skip, _, _) => Task.FromResult<IReadOnlyList<Ticket>>(skip == 0 ? [created] : []),
            (_, _, assignedEvent, activity) => AddToNewTicket(changes, assignedEvent, activity),
            cancellationToken, creator, at: created.CreatedAt);

    /// <summary>The new ticket's assignment joins its change set.</summary>
    private static void AddToNewTicket(TicketChangeSet changes, TicketEvent assignedEvent, Notifications.OutboxActivity? activity)
    {
        // The assignment's id directly follows the creation's, so the trail lists it after the creation; the EF store then
        // keeps the two as one row (TicketEventRows).
        if (TicketEvents.Following(changes.Events.Max(e => e.Id)) is { } next) assignedEvent.Id = next;
        changes.Events.Add(assignedEvent);
        TicketEvents.KeepOrder(changes.Events);
        if (activity is not null) changes.Activities.Add(activity);
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

    /// <summary>Assigns queued tickets from <paramref name="startLoads"/> and the cursor <paramref name="last"/>; returns also the loads after.</summary>
    private async Task<(List<Ticket> Assigned, string? Last, List<Notifications.OutboxActivity> Written, IReadOnlyDictionary<string, int> Loads)> AssignWithinAsync(
        IReadOnlyDictionary<string, int> startLoads, string? last, IAssignmentStrategy strategy, TenantSettings settings, IReadOnlyList<StaffMember> agents,
        Func<int, int, CancellationToken, Task<IReadOnlyList<Ticket>>> queue,
        Action<Ticket, long, TicketEvent, Notifications.OutboxActivity?> record,
        CancellationToken cancellationToken, Actors.Actor? creator = null, DateTimeOffset? at = null)
    {
        var loads = new Dictionary<string, int>(startLoads, StringComparer.Ordinal);
        int LoadOf(StaffMember a) => loads.GetValueOrDefault(a.UserId);
        bool HasRoom(StaffMember a) => a.Capacity is not { } cap || LoadOf(a) < cap;

        var assigned = new List<Ticket>();
        var written = new List<Notifications.OutboxActivity>();
        // A new ticket assigned as it is written is assigned the moment it is created.
        var now = at ?? time.GetUtcNow();
        var skip = 0;
        while (agents.Any(HasRoom))
        {
            var queued = await queue(skip, BatchSize, cancellationToken);
            if (queued.Count == 0) break;
            foreach (var ticket in queued)
            {
                var candidates = CandidatesOf(agents, loads, GroupOf(ticket, settings));
                if (candidates.Count == 0 || await ChooseAsync(strategy, ticket, candidates, last, cancellationToken) is not { } chosen) continue;
                var (readVersion, assignedEvent, activity) = Apply(ticket, chosen.Agent, chosen.Decision, now, creator);
                record(ticket, readVersion, assignedEvent, activity);
                if (activity is not null) written.Add(activity);
                loads[chosen.Agent.UserId] = chosen.Agent.Load + 1;
                last = chosen.Agent.UserId;
                assigned.Add(ticket);
                if (!agents.Any(HasRoom)) break;
            }
            // Assignments are saved on commit, so this batch's tickets still read as queued: step over all of them.
            skip += queued.Count;
            if (queued.Count < BatchSize) break;
        }
        return (assigned, last, written, loads);
    }

    private static string? GroupOf(Ticket ticket, TenantSettings settings)
        => ticket.Category is { } category && settings.CategoryGroups.TryGetValue(category, out var group) ? group : null;

    /// <summary>The agents with room (of <paramref name="group"/>, if given), with their loads, in the agents' (user id) order.</summary>
    private static List<AgentCandidate> CandidatesOf(IReadOnlyList<StaffMember> agents, IReadOnlyDictionary<string, int> loads, string? group)
    {
        var candidates = new List<AgentCandidate>(agents.Count);
        foreach (var a in agents)
        {
            var load = loads.GetValueOrDefault(a.UserId);
            if (a.Capacity is { } cap && load >= cap) continue;
            if (group is not null && !a.Groups.Contains(group, StringComparer.OrdinalIgnoreCase)) continue;
            candidates.Add(new AgentCandidate(a.UserId, a.DisplayName, load, a.Capacity));
        }
        return candidates;
    }

    /// <summary>The candidates in <paramref name="group"/>; both lists are in user id order.</summary>
    private static List<AgentCandidate> InGroup(IReadOnlyList<AgentCandidate> candidates, IReadOnlyList<StaffMember> agents, string group)
    {
        var inGroup = new List<AgentCandidate>();
        var j = 0;
        foreach (var candidate in candidates)
        {
            while (j < agents.Count && string.CompareOrdinal(agents[j].UserId, candidate.UserId) < 0) j++;
            if (j < agents.Count && agents[j].UserId == candidate.UserId && agents[j].Groups.Contains(group, StringComparer.OrdinalIgnoreCase)) inGroup.Add(candidate);
        }
        return inGroup;
    }

    /// <summary>The candidates after <paramref name="chosen"/> got one more ticket: its load raised, or gone once at capacity.</summary>
    private static AgentCandidate[] After(IReadOnlyList<AgentCandidate> candidates, AgentCandidate chosen)
    {
        var index = IndexOf(candidates, chosen.UserId);
        var full = chosen.Capacity is { } cap && chosen.Load + 1 >= cap;
        var after = new AgentCandidate[full ? candidates.Count - 1 : candidates.Count];
        for (int i = 0, j = 0; i < candidates.Count; i++)
        {
            if (i != index) after[j++] = candidates[i];
            else if (!full) after[j++] = chosen with { Load = chosen.Load + 1 };
        }
        return after;
    }

    /// <summary>Where <paramref name="userId"/> is in <paramref name="candidates"/> (in user id order), or -1.</summary>
    private static int IndexOf(IReadOnlyList<AgentCandidate> candidates, string userId)
    {
        var (low, high) = (0, candidates.Count - 1);
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(candidates[middle].UserId, userId);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    /// <summary>Asks the strategy; the candidate it chose, or <c>null</c> to leave the ticket queued.</summary>
    private static async ValueTask<(AgentCandidate Agent, AssignmentDecision Decision)?> ChooseAsync(IAssignmentStrategy strategy, Ticket ticket,
        IReadOnlyList<AgentCandidate> candidates, string? last, CancellationToken cancellationToken)
    {
        var decision = await strategy.ChooseAsync(new AssignmentRequest(ticket, candidates, last), cancellationToken);
        if (decision is null) return null;
        var index = IndexOf(candidates, decision.AgentId);
        return index >= 0 ? (candidates[index], decision)
            : throw new InvalidOperationException($"Assignment strategy '{strategy.Name}' chose '{decision.AgentId}', who is not one of the candidates.");
    }

    /// <summary>Assigns <paramref name="ticket"/> to <paramref name="agent"/>: the ticket's new fields, its event (with the strategy's reason) and activity.</summary>
    private (long ReadVersion, TicketEvent Event, Notifications.OutboxActivity? Activity) Apply(Ticket ticket, AgentCandidate agent, AssignmentDecision decision,
        DateTimeOffset now, Actors.Actor? creator)
    {
        var readVersion = ticket.Version;
        ticket.AssigneeId = agent.UserId;
        ticket.AssigneeName = agent.DisplayName;
        ticket.Status = TicketStatus.Open;
        ticket.UpdatedAt = now;
        ticket.Version = readVersion + 1;
        var system = new Actors.Actor(ticket.TenantId, "system", Actors.ActorRole.Admin, "Automatic assignment", null);
        // The customer who just raised the ticket is known from the request.
        var customer = creator is { Role: Actors.ActorRole.Customer } c && c.UserId == ticket.CustomerId ? c : null;
        var assignedEvent = new TicketEvent
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
        };
        return (readVersion, assignedEvent, planner.Assigned(ticket, system, customer));
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

/// <summary>
/// What this process knew of each tenant's assignment state after its last successful automatic assignment of a new
/// ticket: the state's epoch, the staff version, the candidates (agents with room, with their loads) and the round-robin
/// cursor, with nothing queued. The
/// next new ticket is assigned from it and written only if the store finds the epoch and staff version unchanged under
/// the lock (<see cref="IAssignmentStore.GuardNextNewTicket"/>), so a stale entry costs a retry, never a wrong assignment.
/// Entries are never changed, only replaced.
/// </summary>
internal sealed class AssignmentSnapshotCache
{
    /// <summary>One tenant's state as last seen.</summary>
    /// <param name="Epoch">The state row's epoch.</param>
    /// <param name="StaffVersion">The staff version of the directory entry the candidates come from.</param>
    /// <param name="Candidates">The available agents with room, with their loads, in user id order (never changed: each assignment makes a new array).</param>
    /// <param name="LastAssignedAgentId">The round-robin cursor.</param>
    internal sealed record Snapshot(long Epoch, long StaffVersion, IReadOnlyList<AgentCandidate> Candidates, string? LastAssignedAgentId);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Snapshot> _entries = new(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>The tenant's turn for raising a ticket under automatic assignment in this process (one at a time).</summary>
    public SemaphoreSlim GateOf(string tenantId) => _gates.GetOrAdd(tenantId, static _ => new SemaphoreSlim(1, 1));

    public bool TryGet(string tenantId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Snapshot snapshot) => _entries.TryGetValue(tenantId, out snapshot);

    public void Set(string tenantId, Snapshot snapshot) => _entries[tenantId] = snapshot;

    public void Remove(string tenantId) => _entries.TryRemove(tenantId, out _);

    /// <summary>Per tenant: optimistic attempts that failed in a row, and how many creates are left to take the lock directly.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Failures, int Skip)> _backoff = new(StringComparer.Ordinal);

    private const int MaxSkip = 64;

    /// <summary>
    /// Whether this create should take the lock without trying the snapshot: after two or more failed attempts in a row (another
    /// instance keeps creating in the tenant, say), 2, 4, 8 … up to 64 creates skip the attempt, so sustained contention does not
    /// cost a wasted command on every create. One failure (a resolve, a staff change) costs nothing more: the locked path refreshes
    /// the snapshot and the next create tries it.
    /// </summary>
    public bool BackingOff(string tenantId)
    {
        while (_backoff.TryGetValue(tenantId, out var state) && state.Skip > 0)
        {
            if (_backoff.TryUpdate(tenantId, state with { Skip = state.Skip - 1 }, state)) return true;
        }
        return false;
    }

    public void Failed(string tenantId)
        => _backoff.AddOrUpdate(tenantId, (1, 0), static (_, state) => (state.Failures + 1, Math.Min(MaxSkip, 1 << Math.Min(state.Failures, 6))));

    public void Succeeded(string tenantId)
    {
        if (_backoff.ContainsKey(tenantId)) _backoff.TryRemove(tenantId, out _);
    }
}
