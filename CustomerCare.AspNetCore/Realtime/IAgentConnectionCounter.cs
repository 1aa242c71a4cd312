namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Where agent presence counts each agent's hub connections across host instances. The default counts
/// this instance only; <c>.AddRedisScaleOut(...)</c> replaces it with a count shared on Redis, so an agent
/// connected to two instances stays online until the last connection to either closes.
/// </summary>
public interface IAgentConnectionCounter
{
    /// <summary>
    /// Records that this instance now holds <paramref name="localConnections"/> connections of the agent
    /// (zero removes its share) and returns the agent's connections on every live instance, this one included.
    /// </summary>
    /// <param name="tenantId">The agent's tenant.</param>
    /// <param name="userId">The agent.</param>
    /// <param name="localConnections">The agent's connections on this instance now.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    ValueTask<long> UpdateAsync(string tenantId, string userId, int localConnections, CancellationToken cancellationToken);
}

/// <summary>The default: one instance, so the total is this instance's count.</summary>
internal sealed class LocalAgentConnectionCounter : IAgentConnectionCounter
{
    public ValueTask<long> UpdateAsync(string tenantId, string userId, int localConnections, CancellationToken cancellationToken)
        => ValueTask.FromResult((long)localConnections);
}
