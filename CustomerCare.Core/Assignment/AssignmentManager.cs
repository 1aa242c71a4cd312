using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;

namespace CustomerCare.Assignment;

/// <summary>An agent's load as admins see it.</summary>
/// <param name="UserId">The agent's user id.</param>
/// <param name="DisplayName">The agent's name.</param>
/// <param name="Load">Unresolved tickets assigned now.</param>
/// <param name="Capacity">Capacity; <c>null</c> means no limit.</param>
/// <param name="Availability">Whether the agent takes work.</param>
/// <param name="Groups">The agent's groups.</param>
public sealed record AgentLoad(string UserId, string DisplayName, int Load, int? Capacity, AgentAvailability Availability, IReadOnlyList<string> Groups);

/// <summary>The tenant's assignment settings, queue and agents.</summary>
/// <param name="Strategy">The strategy in use.</param>
/// <param name="AvailableStrategies">Strategies that can be chosen.</param>
/// <param name="CategoryGroups">Category → group routing.</param>
/// <param name="QueueLength">Unassigned tickets waiting.</param>
/// <param name="Agents">Active agents with their load.</param>
public sealed record AssignmentOverview(string Strategy, IReadOnlyList<string> AvailableStrategies, IReadOnlyDictionary<string, string> CategoryGroups, int QueueLength, IReadOnlyList<AgentLoad> Agents);

/// <summary>What an admin sends to change the tenant's assignment settings; omitted fields stay.</summary>
public sealed record UpdateAssignmentRequest
{
    /// <summary><c>manual</c>, <c>round-robin</c>, <c>least-loaded</c> or a registered strategy's name.</summary>
    public string? Strategy { get; init; }

    /// <summary>Category → group routing; replaces the current map.</summary>
    public Dictionary<string, string>? CategoryGroups { get; init; }
}

/// <summary>What an admin (or, for availability only, the agent) sends to change an agent; omitted fields stay.</summary>
public sealed record UpdateAgentRequest
{
    /// <summary>Maximum unresolved tickets by automatic assignment (0 or more).</summary>
    public int? Capacity { get; init; }

    /// <summary><c>true</c> removes the capacity limit.</summary>
    public bool? UnlimitedCapacity { get; init; }

    /// <summary>online, away or offline.</summary>
    public AgentAvailability? Availability { get; init; }

    /// <summary>The agent's groups; replaces the current list.</summary>
    public List<string>? Groups { get; init; }
}

/// <summary>Admin side of automatic assignment: strategy, routing, agents' capacity and availability, the queue.</summary>
public sealed class AssignmentManager
{
    private readonly AssignmentEngine _engine;
    private readonly IAssignmentStore _store;
    private readonly IStaffStore _staff;
    private readonly ITenantStore _tenants;
    private readonly ITenantContextAccessor _tenant;
    private readonly TicketManager _tickets;

    internal AssignmentManager(AssignmentEngine engine, IAssignmentStore store, IStaffStore staff, ITenantStore tenants, ITenantContextAccessor tenant, TicketManager tickets)
    {
        _engine = engine;
        _store = store;
        _staff = staff;
        _tenants = tenants;
        _tenant = tenant;
        _tickets = tickets;
    }

    /// <summary>The tenant's strategy, queue length and every agent's load, capacity and availability (admins).</summary>
    public async Task<AssignmentOverview> GetOverviewAsync(Actor actor, CancellationToken cancellationToken)
    {
        var tenant = RequireAdmin(actor);
        var loads = await _store.GetLoadsAsync(cancellationToken);
        var agents = (await _staff.ListAsync(activeOnly: true, cancellationToken))
            .Where(a => a.Role == ActorRole.Agent)
            .Select(a => new AgentLoad(a.UserId, a.DisplayName, loads.GetValueOrDefault(a.UserId), a.Capacity, a.Availability, a.Groups))
            .ToList();
        return new AssignmentOverview(tenant.Settings.AssignmentStrategy, [ManualAssignmentStrategy.StrategyName, .. _engine.StrategyNames.Where(n => n != ManualAssignmentStrategy.StrategyName)],
            tenant.Settings.CategoryGroups, await _store.CountQueuedAsync(cancellationToken), agents);
    }

    /// <summary>Changes the strategy or the category routing (admins); the queue drains with the new settings.</summary>
    public async Task<AssignmentOverview> UpdateSettingsAsync(Actor actor, UpdateAssignmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = RequireAdmin(actor);
        var errors = new Dictionary<string, string[]>();
        string? strategy = null;
        if (request.Strategy is not null)
        {
            strategy = request.Strategy.Trim();
            if (!string.Equals(strategy, ManualAssignmentStrategy.StrategyName, StringComparison.OrdinalIgnoreCase) && _engine.FindStrategy(strategy) is null)
                errors["strategy"] = [$"Unknown strategy '{request.Strategy}'. Use one of: {string.Join(", ", new[] { ManualAssignmentStrategy.StrategyName }.Concat(_engine.StrategyNames).Distinct())}."];
            else strategy = _engine.FindStrategy(strategy)?.Name ?? ManualAssignmentStrategy.StrategyName;
        }
        if (request.CategoryGroups is not null)
        {
            var groups = (await _staff.ListAsync(activeOnly: true, cancellationToken)).SelectMany(a => a.Groups).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var (category, group) in request.CategoryGroups)
            {
                if (tenant.Settings.Categories.Count > 0 && !tenant.Settings.Categories.Contains(category, StringComparer.OrdinalIgnoreCase))
                    errors[$"categoryGroups.{category}"] = [$"Unknown category '{category}'."];
                else if (string.IsNullOrWhiteSpace(group) || !groups.Contains(group))
                    errors[$"categoryGroups.{category}"] = [$"Unknown group '{group}': no active agent is in it."];
            }
        }
        if (errors.Count > 0) throw new ValidationException(errors);

        // The request's tenant may come from a cache: save the change onto the stored tenant, so that nothing else is
        // written back stale, and make it on the request's copy too, so the drain below and the answer use it.
        var stored = await _tenants.FindByIdAsync(tenant.Id, cancellationToken) ?? throw new NotFoundException("tenant");
        foreach (var settings in new[] { stored.Settings, tenant.Settings })
        {
            if (strategy is not null) settings.AssignmentStrategy = strategy;
            if (request.CategoryGroups is not null)
                settings.CategoryGroups = new Dictionary<string, string>(request.CategoryGroups, StringComparer.OrdinalIgnoreCase);
        }
        await _tenants.UpdateAsync(stored, cancellationToken);
        await _tickets.DrainQueueAsync(actor, cancellationToken);
        return await GetOverviewAsync(actor, cancellationToken);
    }

    /// <summary>Changes an agent's capacity, groups (admins) or availability (admins, or the agent themselves); the queue drains.</summary>
    public async Task<AgentLoad> UpdateAgentAsync(Actor actor, string userId, UpdateAgentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_tenant.Current?.TenantId != actor.TenantId) throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        var self = actor.Role == ActorRole.Agent && actor.UserId == userId;
        if (actor.Role != ActorRole.Admin && !self) throw new ForbiddenException("Only admins can change agents.");
        if (self && (request.Capacity is not null || request.UnlimitedCapacity is not null || request.Groups is not null))
            throw new ForbiddenException("Agents can change their own availability only; ask an admin for capacity or groups.");

        var member = await _staff.FindAsync(userId, cancellationToken);
        if (member is null || !member.IsActive) throw new NotFoundException("staff member");

        var errors = new Dictionary<string, string[]>();
        if (request.Capacity is < 0 or > 10_000) errors["capacity"] = ["Capacity must be between 0 and 10000."];
        if (request.Capacity is not null && request.UnlimitedCapacity == true) errors["capacity"] = ["Give a capacity or unlimitedCapacity, not both."];
        if (request.Availability is { } availability && !Enum.IsDefined(availability)) errors["availability"] = ["Availability must be online, away or offline."];
        if (request.Groups is { } groupList && (groupList.Count > 50 || groupList.Any(g => string.IsNullOrWhiteSpace(g) || g.Length > 100)))
            errors["groups"] = ["Give at most 50 group names of 1 to 100 characters."];
        if (errors.Count > 0) throw new ValidationException(errors);

        if (request.Capacity is not null) member.Capacity = request.Capacity;
        if (request.UnlimitedCapacity == true) member.Capacity = null;
        if (request.Availability is not null) member.Availability = request.Availability.Value;
        if (request.Groups is not null) member.Groups = [.. request.Groups.Select(g => g.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];
        await _staff.UpdateAsync(member, cancellationToken);
        await _tickets.DrainQueueAsync(actor, cancellationToken);

        var loads = await _store.GetLoadsAsync(cancellationToken);
        return new AgentLoad(member.UserId, member.DisplayName, loads.GetValueOrDefault(member.UserId), member.Capacity, member.Availability, member.Groups);
    }

    private TenantInfo RequireAdmin(Actor actor)
    {
        var tenant = _tenant.Current?.Tenant ?? throw new InvalidOperationException("No tenant is set for this call.");
        if (tenant.Id != actor.TenantId) throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        if (actor.Role != ActorRole.Admin) throw new ForbiddenException("Only admins can manage assignment.");
        return tenant;
    }
}
