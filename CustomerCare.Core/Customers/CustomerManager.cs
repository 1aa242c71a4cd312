using System.Text.RegularExpressions;
using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using Microsoft.Extensions.Options;

namespace CustomerCare.Customers;

/// <summary>The host's side of erasing a person: delete or anonymise their login.</summary>
public interface IUserAccountEraser
{
    /// <summary>Deletes the host account of <paramref name="userId"/> in <paramref name="tenantId"/>.</summary>
    Task EraseAccountAsync(string tenantId, string userId, CancellationToken cancellationToken);
}

internal sealed class NoAccountEraser : IUserAccountEraser
{
    public Task EraseAccountAsync(string tenantId, string userId, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>One page of customers.</summary>
/// <param name="Items">Customers ordered by user id.</param>
/// <param name="NextCursor">Cursor of the next page, <c>null</c> on the last page.</param>
public sealed record CustomerPage(IReadOnlyList<CustomerSummary> Items, string? NextCursor);

/// <summary>What a customer may change about themselves.</summary>
public sealed record UpdateProfileRequest
{
    /// <summary>Phone number in international form (<c>+44 20 7946 0958</c>); empty removes it.</summary>
    public string? Phone { get; init; }
}

/// <summary>Customers of a tenant: their profiles, the admin's list, and erasure of personal data.</summary>
public sealed partial class CustomerManager
{
    private readonly ICustomerStore _customers;
    private readonly ITenantContextAccessor _tenant;
    private readonly IUserAccountEraser _eraser;
    private readonly TimeProvider _time;
    private readonly CustomerCareOptions _options;

    private readonly Actors.ActorCache _actors;

    internal CustomerManager(ICustomerStore customers, ITenantContextAccessor tenant, IUserAccountEraser eraser, TimeProvider time, Actors.ActorCache actors, IOptions<CustomerCareOptions> options)
    {
        _actors = actors;
        _customers = customers;
        _tenant = tenant;
        _eraser = eraser;
        _time = time;
        _options = options.Value;
    }

    /// <summary>Records a customer the first time they call, so admins can list them. Returns <c>false</c> for an erased customer.</summary>
    public async Task<CustomerProfile> EnsureProfileAsync(string userId, string displayName, string? email, CancellationToken cancellationToken)
    {
        var tenant = _tenant.Current ?? throw new InvalidOperationException("No tenant is set for this call.");
        var existing = await _customers.FindAsync(userId, cancellationToken);
        if (existing is not null) return existing;
        var profile = new CustomerProfile
        {
            TenantId = tenant.TenantId,
            UserId = userId,
            DisplayName = displayName,
            Email = email,
            CreatedAt = _time.GetUtcNow(),
        };
        await _customers.AddIfMissingAsync(profile, cancellationToken);
        return await _customers.FindAsync(userId, cancellationToken) ?? profile;
    }

    /// <summary>The caller's own profile (customers).</summary>
    public async Task<CustomerProfile?> GetOwnAsync(Actor actor, CancellationToken cancellationToken)
        => actor.Role == ActorRole.Customer ? await _customers.FindAsync(actor.UserId, cancellationToken) : null;

    /// <summary>Updates the caller's own profile (customers).</summary>
    public async Task<CustomerProfile> UpdateOwnAsync(Actor actor, UpdateProfileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (actor.Role != ActorRole.Customer) throw new ForbiddenException("Only customers have a profile here; staff details are managed by admins.");
        var phone = request.Phone?.Trim();
        if (!string.IsNullOrEmpty(phone) && !PhonePattern().IsMatch(phone))
            throw new ValidationException("phone", "Phone must be in international form, e.g. +44 20 7946 0958 (7 to 15 digits).");
        var profile = await _customers.FindAsync(actor.UserId, cancellationToken) ?? throw new NotFoundException("customer");
        profile.Phone = string.IsNullOrEmpty(phone) ? null : phone;
        await _customers.UpdateAsync(profile, cancellationToken);
        return profile;
    }

    /// <summary>Lists customers with their ticket and notification counts (admins only), keyset-paged by user id.</summary>
    public async Task<CustomerPage> ListAsync(Actor actor, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var take = limit ?? _options.Tickets.DefaultPageSize;
        if (take < 1 || take > _options.Tickets.MaxPageSize) throw new ValidationException("limit", $"Limit must be between 1 and {_options.Tickets.MaxPageSize}.");
        if (cursor is { Length: > 200 }) throw new ValidationException("cursor", "The cursor is not valid; use a nextCursor from a previous page.");
        var rows = await _customers.ListAsync(string.IsNullOrEmpty(cursor) ? null : cursor, take + 1, cancellationToken);
        var items = rows.Count > take ? rows.Take(take).ToList() : rows;
        return new CustomerPage(items, rows.Count > take ? items[^1].Profile.UserId : null);
    }

    /// <summary>Erases a customer's personal data (admins); their tickets and messages stay under "deleted user".</summary>
    public async Task EraseAsync(Actor actor, string userId, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        await EraseProfileAsync(userId, cancellationToken);
    }

    /// <summary>Deletes the calling customer's own account: personal data erased, tickets and messages kept under "deleted user".</summary>
    public async Task EraseOwnAsync(Actor actor, CancellationToken cancellationToken)
    {
        if (actor.Role != ActorRole.Customer) throw new ForbiddenException("Staff accounts are removed by an admin.");
        await EraseProfileAsync(actor.UserId, cancellationToken);
    }

    private async Task EraseProfileAsync(string userId, CancellationToken cancellationToken)
    {
        var profile = await _customers.FindAsync(userId, cancellationToken);
        if (profile is null || profile.ErasedAt is not null) throw new NotFoundException("customer");
        await _customers.EraseAsync(profile, _options.ErasedUserName, _time.GetUtcNow(), cancellationToken);
        _actors.Invalidate(profile.TenantId, userId);
        await _eraser.EraseAccountAsync(profile.TenantId, userId, cancellationToken);
    }

    private void RequireAdmin(Actor actor)
    {
        if (_tenant.Current?.TenantId != actor.TenantId) throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        if (actor.Role != ActorRole.Admin) throw new ForbiddenException("Only admins can manage customers.");
    }

    [GeneratedRegex(@"^\+?[0-9][0-9 ().-]{5,20}[0-9]$")]
    private static partial Regex PhonePattern();
}
