using CustomerCare.Actors;

namespace CustomerCare.Staff;

/// <summary>An agent or admin of a tenant, kept in CustomerCare's staff directory.</summary>
public sealed class StaffMember
{
    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The host's user id.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Name shown to customers and colleagues.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Email address.</summary>
    public string Email { get; set; } = "";

    /// <summary><see cref="ActorRole.Agent"/> or <see cref="ActorRole.Admin"/>.</summary>
    public ActorRole Role { get; set; } = ActorRole.Agent;

    /// <summary>Deleted staff are deactivated, not removed, so the audit trail keeps its names.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>When the member was added.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Most unresolved tickets automatic assignment gives this agent; <c>null</c> means no limit.</summary>
    public int? Capacity { get; set; }

    /// <summary>Whether the agent takes automatically assigned tickets (only when online).</summary>
    public AgentAvailability Availability { get; set; } = AgentAvailability.Online;

    /// <summary>Groups the agent works in; a ticket whose category routes to a group goes only to its members.</summary>
    public List<string> Groups { get; set; } = [];
}

/// <summary>Whether an agent is taking work.</summary>
public enum AgentAvailability
{
    /// <summary>Not working: receives no automatic assignments.</summary>
    Offline = 0,

    /// <summary>Briefly away: receives no automatic assignments, keeps their tickets.</summary>
    Away = 1,

    /// <summary>Working: receives automatic assignments up to their capacity.</summary>
    Online = 2,
}

/// <summary>Stores the staff directory of the current tenant.</summary>
public interface IStaffStore
{
    /// <summary>Finds a member by host user id, active or not.</summary>
    Task<StaffMember?> FindAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Finds a member by email (case-insensitive), active or not.</summary>
    Task<StaffMember?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>Lists members, optionally only active ones.</summary>
    Task<IReadOnlyList<StaffMember>> ListAsync(bool activeOnly, CancellationToken cancellationToken);

    /// <summary>Adds a member.</summary>
    Task AddAsync(StaffMember member, CancellationToken cancellationToken);

    /// <summary>Deactivates a member and returns their unresolved tickets to the unassigned queue, in one transaction.</summary>
    Task DeactivateAsync(StaffMember member, IReadOnlyList<Tickets.TicketEvent> unassignEvents, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Saves changes to a member (re-activation, name, role).</summary>
    Task UpdateAsync(StaffMember member, CancellationToken cancellationToken);

    /// <summary>Adds a member and writes <paramref name="notifications"/> to the outbox in the same transaction.</summary>
    Task AddAsync(StaffMember member, IReadOnlyList<Notifications.OutboxNotification> notifications, CancellationToken cancellationToken)
        => notifications.Count == 0 ? AddAsync(member, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot write notifications with a staff member; implement IStaffStore.AddAsync(member, notifications, cancellationToken).");

    /// <summary>Saves changes to a member and writes <paramref name="notifications"/> to the outbox in the same transaction.</summary>
    Task UpdateAsync(StaffMember member, IReadOnlyList<Notifications.OutboxNotification> notifications, CancellationToken cancellationToken)
        => notifications.Count == 0 ? UpdateAsync(member, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot write notifications with a staff member; implement IStaffStore.UpdateAsync(member, notifications, cancellationToken).");
}

/// <summary>
/// The host's side of staff accounts: CustomerCare keeps the staff directory, the host keeps
/// identities. The sample host creates an Identity user and mails a set-password link.
/// </summary>
public interface IStaffAccountProvisioner
{
    /// <summary>Creates (or finds) the host account for a new staff member and returns its user id.</summary>
    Task<string> ProvisionAsync(string tenantId, string email, string displayName, CancellationToken cancellationToken);
}

/// <summary>Default provisioner: the host has no account API, so the staff member's email is their user id.</summary>
internal sealed class EmailAsUserIdProvisioner : IStaffAccountProvisioner
{
    public Task<string> ProvisionAsync(string tenantId, string email, string displayName, CancellationToken cancellationToken)
        => Task.FromResult(email);
}
