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
        var next = Rotation.After(request.Candidates, request.LastAssignedAgentId).First();
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
        var least = request.Candidates.Min(c => c.Load);
        var next = Rotation.After(request.Candidates, request.LastAssignedAgentId).First(c => c.Load == least);
        return ValueTask.FromResult<AssignmentDecision?>(new(next.UserId, $"least-loaded; load {RoundRobinAssignmentStrategy.Load(next)} before assignment"));
    }
}

internal static class Rotation
{
    /// <summary>Candidates in user-id order, starting after <paramref name="lastId"/> and wrapping around.</summary>
    public static IEnumerable<AgentCandidate> After(IReadOnlyList<AgentCandidate> candidates, string? lastId)
    {
        var start = lastId is null ? 0 : candidates.Count(c => string.CompareOrdinal(c.UserId, lastId) <= 0);
        for (var i = 0; i < candidates.Count; i++) yield return candidates[(start + i) % candidates.Count];
    }
}
