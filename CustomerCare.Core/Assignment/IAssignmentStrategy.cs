using CustomerCare.Tickets;

namespace CustomerCare.Assignment;

/// <summary>An agent who may take the ticket now: online, active, in the ticket's group and below capacity.</summary>
/// <param name="UserId">The agent's host user id.</param>
/// <param name="DisplayName">The agent's display name.</param>
/// <param name="Load">Unresolved tickets the agent has now.</param>
/// <param name="Capacity">The agent's capacity; <c>null</c> means no limit.</param>
public sealed record AgentCandidate(string UserId, string DisplayName, int Load, int? Capacity);

/// <summary>What a strategy chooses from.</summary>
/// <param name="Ticket">The ticket to assign.</param>
/// <param name="Candidates">Agents who may take it, ordered by user id; never empty.</param>
/// <param name="LastAssignedAgentId">The agent who received the previous automatic assignment in this tenant.</param>
public sealed record AssignmentRequest(Ticket Ticket, IReadOnlyList<AgentCandidate> Candidates, string? LastAssignedAgentId);

/// <summary>An automatic assignment chosen by a strategy.</summary>
/// <param name="AgentId">The chosen agent's user id; must be one of the candidates.</param>
/// <param name="Reason">Why (strategy and load), kept in the audit trail.</param>
public sealed record AssignmentDecision(string AgentId, string Reason);

/// <summary>
/// Chooses an agent for a queued ticket among the candidates the engine offers (it has already
/// applied availability, groups and capacity, so a strategy cannot overfill an agent). Register
/// more with <c>builder.AddAssignmentStrategy&lt;T&gt;()</c>; tenants pick one by <see cref="Name"/>.
/// </summary>
public interface IAssignmentStrategy
{
    /// <summary>The name tenants use to select the strategy (e.g. <c>round-robin</c>).</summary>
    string Name { get; }

    /// <summary>Chooses one of <see cref="AssignmentRequest.Candidates"/>, or <c>null</c> to leave the ticket queued.</summary>
    ValueTask<AssignmentDecision?> ChooseAsync(AssignmentRequest request, CancellationToken cancellationToken);
}

/// <summary>Manual assignment, as in the original registry: an admin assigns every ticket.</summary>
public sealed class ManualAssignmentStrategy : IAssignmentStrategy
{
    /// <summary>The strategy's name.</summary>
    public const string StrategyName = "manual";

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public ValueTask<AssignmentDecision?> ChooseAsync(AssignmentRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult<AssignmentDecision?>(null);
}

/// <summary>Takes turns: the next candidate after the agent who got the previous ticket.</summary>
public sealed class RoundRobinAssignmentStrategy : IAssignmentStrategy
{
    /// <summary>The strategy's name.</summary>
    public const string StrategyName = "round-robin";

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public ValueTask<AssignmentDecision?> ChooseAsync(AssignmentRequest request, CancellationToken cancellationToken)
    {
        var candidates = request.Candidates;
        var next = candidates[Rotation.Start(candidates, request.LastAssignedAgentId) % candidates.Count];
        return ValueTask.FromResult<AssignmentDecision?>(new(next.UserId, $"round-robin; load {Load(next)} before assignment"));
    }

    internal static string Load(AgentCandidate c) => c.Capacity is { } cap ? $"{c.Load}/{cap}" : $"{c.Load}";
}

/// <summary>Gives the ticket to the candidate with the fewest unresolved tickets (ties take turns).</summary>
public sealed class LeastLoadedAssignmentStrategy : IAssignmentStrategy
{
    /// <summary>The strategy's name.</summary>
    public const string StrategyName = "least-loaded";

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public ValueTask<AssignmentDecision?> ChooseAsync(AssignmentRequest request, CancellationToken cancellationToken)
    {
        // One pass, from the rotation's start: the first of the least loaded after the previous assignee.
        var candidates = request.Candidates;
        var start = Rotation.Start(candidates, request.LastAssignedAgentId);
        AgentCandidate next = candidates[start % candidates.Count];
        for (var i = 1; i < candidates.Count; i++)
        {
            var candidate = candidates[(start + i) % candidates.Count];
            if (candidate.Load < next.Load) next = candidate;
        }
        return ValueTask.FromResult<AssignmentDecision?>(new(next.UserId, $"least-loaded; load {RoundRobinAssignmentStrategy.Load(next)} before assignment"));
    }
}

internal static class Rotation
{
    /// <summary>
    /// Where the turn starts in <paramref name="candidates"/> (ordered by user id): the first after <paramref name="lastId"/>,
    /// or <see cref="IReadOnlyCollection{T}.Count"/> when none is (the turn wraps to the first). A binary search.
    /// </summary>
    public static int Start(IReadOnlyList<AgentCandidate> candidates, string? lastId)
    {
        if (lastId is null) return 0;
        var (low, high) = (0, candidates.Count);
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (string.CompareOrdinal(candidates[middle].UserId, lastId) <= 0) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
