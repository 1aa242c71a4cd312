namespace CustomerCare.Customers;

/// <summary>What CustomerCare knows of a customer of a tenant, created when they first call.</summary>
public sealed class CustomerProfile
{
    /// <summary>Owning tenant.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The host's user id.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Name shown to staff.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Email address, erased on deletion.</summary>
    public string? Email { get; set; }

    /// <summary>Phone number, erased on deletion.</summary>
    public string? Phone { get; set; }

    /// <summary>When first seen.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When personal data was erased; <c>null</c> while the customer exists.</summary>
    public DateTimeOffset? ErasedAt { get; set; }
}

/// <summary>A customer with the counts an admin sees.</summary>
/// <param name="Profile">The customer.</param>
/// <param name="TicketsRaised">Tickets they raised.</param>
/// <param name="TicketsResolved">Of those, resolved or closed.</param>
/// <param name="NotificationsSent">Notifications sent to them.</param>
public sealed record CustomerSummary(CustomerProfile Profile, int TicketsRaised, int TicketsResolved, int NotificationsSent);

/// <summary>Stores the customers of the current tenant.</summary>
public interface ICustomerStore
{
    /// <summary>Finds a customer by host user id.</summary>
    Task<CustomerProfile?> FindAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Adds a customer, or does nothing if one with the same user id exists.</summary>
    Task AddIfMissingAsync(CustomerProfile profile, CancellationToken cancellationToken);

    /// <summary>Saves changes to a customer.</summary>
    Task UpdateAsync(CustomerProfile profile, CancellationToken cancellationToken);

    /// <summary>Lists customers (not erased) with their ticket counts, by name, keyset-paged by user id.</summary>
    Task<IReadOnlyList<CustomerSummary>> ListAsync(string? afterUserId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Erases a customer's personal data in one transaction: the profile keeps only its id, and their
    /// tickets and messages stay, shown under <paramref name="replacementName"/>.
    /// </summary>
    Task EraseAsync(CustomerProfile profile, string replacementName, DateTimeOffset now, CancellationToken cancellationToken);
}
