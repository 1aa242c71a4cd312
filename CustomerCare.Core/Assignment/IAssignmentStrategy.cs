using CustomerCare.Tickets;

namespace CustomerCare.Assignment;

/// <summary>An automatic assignment chosen by a strategy.</summary>
/// <param name="AgentId">The agent's host user id.</param>
/// <param name="AgentName">The agent's display name.</param>
/// <param name="Reason">Why (strategy and load), kept in the audit trail.</param>
public sealed record AssignmentDecision(string AgentId, string AgentName, string Reason);

/// <summary>
/// Chooses an agent for a new ticket. The default is manual assignment (returns <c>null</c>): an
/// admin assigns every ticket, as in the original registry.
/// </summary>
public interface IAssignmentStrategy
{
    /// <summary>Returns the agent to assign, or <c>null</c> to leave the ticket in the unassigned queue.</summary>
    Task<AssignmentDecision?> ChooseAsync(Ticket ticket, CancellationToken cancellationToken);
}

internal sealed class ManualAssignmentStrategy : IAssignmentStrategy
{
    public Task<AssignmentDecision?> ChooseAsync(Ticket ticket, CancellationToken cancellationToken)
        => Task.FromResult<AssignmentDecision?>(null);
}
