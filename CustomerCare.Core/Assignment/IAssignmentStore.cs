using CustomerCare.Tickets;

namespace CustomerCare.Assignment;

/// <summary>Storage of the assignment engine: the queue, agents' loads and the tenant's assignment lock.</summary>
public interface IAssignmentStore
{
    /// <summary>
    /// Starts a transaction holding the current tenant's assignment lock, so that automatic
    /// assignments in one tenant happen one batch at a time across every host instance. Ticket
    /// changes saved through the same scope's <see cref="ITicketStore"/> while the session is open
    /// join its transaction (a new ticket and its assignment commit together).
    /// </summary>
    Task<IAssignmentSession> BeginAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="BeginAsync"/>, for a session in which a new ticket is saved through the same scope's
    /// <see cref="ITicketStore"/>: a store may prepare what saving it needs (its number) in the same round trip
    /// as the lock. The default just begins a session.
    /// </summary>
    Task<IAssignmentSession> BeginForNewTicketAsync(CancellationToken cancellationToken) => BeginAsync(cancellationToken);

    /// <summary>Unresolved tickets per assignee in the current tenant.</summary>
    Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken);

    /// <summary>Number of unassigned tickets waiting in the queue.</summary>
    Task<int> CountQueuedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Optimistic assignment of a new ticket without taking the lock first: arranges that the next new ticket saved through the
    /// same scope's <see cref="ITicketStore"/> (already assigned by the engine from what it saw at <paramref name="epoch"/>, see
    /// <see cref="IAssignmentSession.EpochAfterCommit"/>) is written only if, under the lock, the tenant's assignment state is
    /// still at <paramref name="epoch"/> and <paramref name="staffVersion"/> and no ticket is queued; the write then also advances
    /// the state, as a session would. Otherwise nothing is written and saving throws
    /// <see cref="Errors.ConcurrencyConflictException"/>. Returns <c>null</c> (the default) when the store cannot do this: the
    /// engine then always takes the lock first. Dispose the guard once the ticket is saved (or not).
    /// </summary>
    /// <param name="epoch">The state's epoch the engine's snapshot was taken at.</param>
    /// <param name="staffVersion">The staff version the engine's directory was read at.</param>
    IAssignmentGuard? GuardNextNewTicket(long epoch, long staffVersion) => null;
}

/// <summary>A new ticket's optimistic assignment (<see cref="IAssignmentStore.GuardNextNewTicket"/>).</summary>
public interface IAssignmentGuard : IDisposable
{
    /// <summary>The tenant's assignment epoch once the guarded ticket has been written; <c>null</c> until then.</summary>
    long? EpochAfter { get; }
}

/// <summary>One locked assignment batch; disposing without <see cref="CommitAsync"/> rolls back.</summary>
public interface IAssignmentSession : IAsyncDisposable
{
    /// <summary>The agent who received the previous automatic assignment.</summary>
    string? LastAssignedAgentId { get; }

    /// <summary>
    /// A number that changes whenever the tenant's staff directory changes (on any host instance), read under the
    /// lock; the engine keeps the directory cached while it stays the same. <c>null</c> (the default) when the store
    /// cannot tell: the directory is then read for every batch.
    /// </summary>
    long? StaffVersion => null;

    /// <summary>
    /// Whether any ticket was queued when the session began, read under the lock; <c>null</c> (the default) when the
    /// store cannot tell. When <c>false</c>, a new ticket saved in the session is the whole queue and the engine
    /// assigns it without reading the queue.
    /// </summary>
    bool? HasQueuedTickets => null;

    /// <summary>
    /// After <see cref="CommitAsync"/>: the tenant's assignment epoch, a number the store changes (on any host instance) whenever
    /// anything an assignment is decided from changes (agents' loads, the round-robin cursor, a session), when the session wrote
    /// nothing but a new ticket assigned with its insert (<see cref="SaveCursorWithNextChange"/>) and the store can tell. The engine then keeps what it read and
    /// decided as a snapshot for <see cref="IAssignmentStore.GuardNextNewTicket"/>. <c>null</c> (the default) otherwise.
    /// </summary>
    long? EpochAfterCommit => null;

    /// <summary>Unresolved tickets per assignee, read under the lock.</summary>
    Task<IReadOnlyDictionary<string, int>> GetLoadsAsync(CancellationToken cancellationToken);

    /// <summary>Queued tickets (new, unassigned), highest priority first, oldest first within a priority.</summary>
    Task<IReadOnlyList<Ticket>> GetQueuedAsync(int skip, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records an assignment (the ticket already carries its new state; <paramref name="expectedVersion"/> is the
    /// version it was read with) and the notification activity it causes, saved with the batch.
    /// </summary>
    void Assign(Ticket ticket, long expectedVersion, TicketEvent assignedEvent, Notifications.OutboxActivity? activity = null);

    /// <summary>
    /// Hands the round-robin cursor to the next change saved through the same scope's <see cref="ITicketStore"/>
    /// (the new ticket), so that <see cref="CommitAsync"/> need not write it on its own. The default does nothing:
    /// <see cref="CommitAsync"/> writes it.
    /// </summary>
    void SaveCursorWithNextChange(string? lastAssignedAgentId)
    {
    }

    /// <summary>Saves the batch and releases the lock.</summary>
    Task CommitAsync(string? lastAssignedAgentId, CancellationToken cancellationToken);
}
