using System.Collections.Concurrent;
using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore.Realtime;

/// <summary>
/// Counts each agent's hub connections on this host instance. The first connection makes the agent
/// online, <c>SetPresence</c> online or away, and the last one closing offline (after
/// <see cref="CustomerCareRealtimeOptions.PresenceOfflineDelay"/>). Each change is pushed to the tenant's
/// admins and, with <see cref="CustomerCareRealtimeOptions.PresenceUpdatesAvailability"/>, stored as the
/// agent's availability through <see cref="AssignmentManager"/> (which drains the assignment queue).
/// Connections are counted on this instance and summed across instances by the
/// <see cref="IAgentConnectionCounter"/> (on Redis with the scale-out), so an agent connected to two
/// instances goes offline only when the last connection to either closes.
/// </summary>
internal sealed partial class PresenceTracker(
    IServiceScopeFactory scopes,
    ITenantContextSetter tenantSetter,
    IHubContext<CustomerCareHub> hub,
    IAgentConnectionCounter counter,
    IOptions<CustomerCareRealtimeOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<PresenceTracker> logger)
{
    private readonly ConcurrentDictionary<(string Tenant, string User), Agent> _agents = new();

    private sealed class Agent
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Connections;
        public long Generation;
        public bool OfflinePending;
    }

    /// <summary>Number of connections of an agent on this instance.</summary>
    public int ConnectionsOf(string tenantId, string userId)
        => _agents.TryGetValue((tenantId, userId), out var agent) ? Volatile.Read(ref agent.Connections) : 0;

    public async Task ConnectedAsync(TenantContext tenant, Actor actor)
    {
        var agent = _agents.GetOrAdd((tenant.TenantId, actor.UserId), _ => new Agent());
        if (!await EnterAsync(agent)) return;
        try
        {
            agent.Connections++;
            agent.Generation++;
            var cameBack = agent.OfflinePending;
            agent.OfflinePending = false;
            var total = await CountAsync(tenant, actor, agent.Connections);
            // The first connection on any instance makes the agent online; one that comes back before its
            // pending offline leaves the agent as it was (online or away).
            if (total <= 1 && !cameBack) await ApplyAsync(tenant, actor, AgentAvailability.Online);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    public async Task DisconnectedAsync(TenantContext tenant, Actor actor)
    {
        if (!_agents.TryGetValue((tenant.TenantId, actor.UserId), out var agent)) return;
        long generation;
        if (!await EnterAsync(agent)) return;
        try
        {
            agent.Connections = Math.Max(0, agent.Connections - 1);
            var total = await CountAsync(tenant, actor, agent.Connections);
            if (agent.Connections > 0) return;
            generation = ++agent.Generation;
            // Another instance still holds a connection: that instance sends the agent offline when its last one closes.
            if (total > 0) return;
            agent.OfflinePending = true;
        }
        finally
        {
            agent.Gate.Release();
        }

        var delay = options.Value.PresenceOfflineDelay;
        if (delay <= TimeSpan.Zero)
        {
            await GoOfflineAsync(tenant, actor, agent, generation);
            return;
        }
        // Do not hold up the connection's teardown: wait in the background and go offline unless the agent came back.
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, lifetime.ApplicationStopping);
                await GoOfflineAsync(tenant, actor, agent, generation);
            }
            catch (OperationCanceledException)
            {
                // The host is stopping.
            }
        });
    }

    /// <summary>The agent's own choice (<c>SetPresence</c>): online or away.</summary>
    public async Task SetAsync(TenantContext tenant, Actor actor, AgentAvailability availability, CancellationToken cancellationToken)
    {
        var agent = _agents.GetOrAdd((tenant.TenantId, actor.UserId), _ => new Agent());
        await agent.Gate.WaitAsync(cancellationToken);
        try
        {
            await ApplyAsync(tenant, actor, availability, rethrow: true);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    private async Task GoOfflineAsync(TenantContext tenant, Actor actor, Agent agent, long generation)
    {
        if (!await EnterAsync(agent)) return;
        try
        {
            if (agent.Connections > 0 || agent.Generation != generation || !agent.OfflinePending) return;
            agent.OfflinePending = false;
            // The agent may have connected to another instance meanwhile.
            if (await CountAsync(tenant, actor, 0) > 0) return;
            await ApplyAsync(tenant, actor, AgentAvailability.Offline);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    /// <summary>Takes the agent's lock; <c>false</c> when the host is stopping (its connections are closing, nothing to record).</summary>
    private async Task<bool> EnterAsync(Agent agent)
    {
        try
        {
            await agent.Gate.WaitAsync(lifetime.ApplicationStopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Shares this instance's count and returns the total; this instance's count alone when the counter fails.</summary>
    private async Task<long> CountAsync(TenantContext tenant, Actor actor, int localConnections)
    {
        try
        {
            return await counter.UpdateAsync(tenant.TenantId, actor.UserId, localConnections, lifetime.ApplicationStopping);
        }
        catch (Exception ex)
        {
            if (!lifetime.ApplicationStopping.IsCancellationRequested) CountFailed(logger, ex, actor.UserId, tenant.TenantId);
            return localConnections;
        }
    }

    private async Task ApplyAsync(TenantContext tenant, Actor actor, AgentAvailability availability, bool rethrow = false)
    {
        var cancellationToken = lifetime.ApplicationStopping;
        try
        {
            if (options.Value.PresenceUpdatesAvailability)
            {
                await using var scope = scopes.CreateAsyncScope();
                // Read the tenant again: its settings (assignment strategy) may have changed since the agent connected.
                var current = await scope.ServiceProvider.GetRequiredService<ITenantStore>().FindByIdAsync(tenant.TenantId, cancellationToken) ?? tenant.Tenant;
                using var _ = tenantSetter.BeginScope(new TenantContext(current));
                var assignment = scope.ServiceProvider.GetRequiredService<AssignmentManager>();
                await assignment.UpdateAgentAsync(actor, actor.UserId, new UpdateAgentRequest { Availability = availability }, cancellationToken);
            }
            await hub.Clients.Group(RealtimeGroups.Admins(tenant.TenantId))
                .SendAsync(RealtimeEventNames.Presence, new PresenceEvent(actor.UserId, actor.DisplayName, availability), CancellationToken.None);
            Changed(logger, actor.UserId, tenant.TenantId, availability);
        }
        catch (Exception ex) when (!rethrow && ex is not OperationCanceledException)
        {
            Failed(logger, ex, actor.UserId, tenant.TenantId, availability);
        }
        catch (CustomerCareException ex) when (rethrow)
        {
            throw RealtimeErrors.From(ex);
        }
        catch (OperationCanceledException) when (!rethrow && cancellationToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "Agent {UserId} of tenant {TenantId} is {Availability}")]
    private static partial void Changed(ILogger logger, string userId, string tenantId, AgentAvailability availability);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "Could not share the connection count of agent {UserId} of tenant {TenantId}; presence uses this instance's count")]
    private static partial void CountFailed(ILogger logger, Exception ex, string userId, string tenantId);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Error, Message = "Could not record agent {UserId} of tenant {TenantId} as {Availability}")]
    private static partial void Failed(ILogger logger, Exception ex, string userId, string tenantId, AgentAvailability availability);
}

/// <summary>Names of the events the hub pushes to clients.</summary>
internal static class RealtimeEventNames
{
    public const string MessagePosted = "messagePosted";
    public const string TicketUpdated = "ticketUpdated";
    public const string Typing = "typing";
    public const string Presence = "presence";
}
