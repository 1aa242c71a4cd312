using System.Net.Mail;
using CustomerCare.Actors;
using CustomerCare.Errors;
using CustomerCare.MultiTenancy;
using CustomerCare.Notifications;
using CustomerCare.Tickets;

namespace CustomerCare.Staff;

/// <summary>What an admin sends to add a staff member.</summary>
public sealed record AddStaffRequest
{
    /// <summary>Email address (required); the account is created or found by it.</summary>
    public string? Email { get; init; }

    /// <summary>Name shown to customers (required).</summary>
    public string? DisplayName { get; init; }

    /// <summary><c>agent</c> (default) or <c>admin</c>.</summary>
    public ActorRole? Role { get; init; }
}

/// <summary>Manages the staff directory of a tenant: admins add and deactivate agents.</summary>
public sealed class StaffManager
{
    private readonly IStaffStore _staff;
    private readonly ITicketStore _tickets;
    private readonly IStaffAccountProvisioner _provisioner;
    private readonly ITenantContextAccessor _tenant;
    private readonly NotifierDispatcher _notifier;
    private readonly TimeProvider _time;
    private readonly TicketManager _ticketManager;
    private readonly NotificationPlanner _planner;
    private readonly Actors.ActorCache _actors;

    internal StaffManager(IStaffStore staff, ITicketStore tickets, IStaffAccountProvisioner provisioner, ITenantContextAccessor tenant, NotifierDispatcher notifier, TimeProvider time, TicketManager ticketManager, NotificationPlanner planner, Actors.ActorCache actors)
    {
        _actors = actors;
        _planner = planner;
        _ticketManager = ticketManager;
        _staff = staff;
        _tickets = tickets;
        _provisioner = provisioner;
        _tenant = tenant;
        _notifier = notifier;
        _time = time;
    }

    /// <summary>Lists staff members (admins only).</summary>
    public async Task<IReadOnlyList<StaffMember>> ListAsync(Actor actor, bool includeInactive, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        return await _staff.ListAsync(!includeInactive, cancellationToken);
    }

    /// <summary>Adds an agent or admin (admins only). The host provisions the account and mails a set-password link.</summary>
    public async Task<StaffMember> AddAsync(Actor actor, AddStaffRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = RequireAdmin(actor);
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email)) errors["email"] = ["Email is required."];
        else if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email) errors["email"] = ["Email is not a valid address."];
        var name = request.DisplayName?.Trim();
        if (string.IsNullOrEmpty(name)) errors["displayName"] = ["Display name is required."];
        else if (name.Length > 100) errors["displayName"] = ["Display name must be at most 100 characters."];
        var role = request.Role ?? ActorRole.Agent;
        if (role is not (ActorRole.Agent or ActorRole.Admin)) errors["role"] = ["Role must be agent or admin."];
        if (errors.Count > 0) throw new ValidationException(errors);

        var existing = await _staff.FindByEmailAsync(email!, cancellationToken);
        if (existing is { IsActive: true }) throw new ConflictException("staff-exists", "A staff member with this email already exists.");

        var userId = await _provisioner.ProvisionAsync(tenant.Id, email!, name!, cancellationToken);
        if (existing is not null)
        {
            existing.IsActive = true;
            existing.DisplayName = name!;
            existing.Role = role;
            var welcome = await _planner.StaffAccountCreatedAsync(existing, actor, cancellationToken);
            await _staff.UpdateAsync(existing, welcome, cancellationToken);
            StaffChanged();
            _planner.Wake(welcome);
            await _ticketManager.DrainQueueAsync(actor, cancellationToken);
            return existing;
        }
        var byId = await _staff.FindAsync(userId, cancellationToken);
        if (byId is { IsActive: true }) throw new ConflictException("staff-exists", "This account is already a staff member.");
        if (byId is not null)
        {
            byId.IsActive = true;
            byId.DisplayName = name!;
            byId.Email = email!;
            byId.Role = role;
            var welcome = await _planner.StaffAccountCreatedAsync(byId, actor, cancellationToken);
            await _staff.UpdateAsync(byId, welcome, cancellationToken);
            StaffChanged();
            _planner.Wake(welcome);
            await _ticketManager.DrainQueueAsync(actor, cancellationToken);
            return byId;
        }
        var member = new StaffMember
        {
            TenantId = tenant.Id,
            UserId = userId,
            Email = email!,
            DisplayName = name!,
            Role = role,
            IsActive = true,
            CreatedAt = _time.GetUtcNow(),
        };
        var notifications = await _planner.StaffAccountCreatedAsync(member, actor, cancellationToken);
        await _staff.AddAsync(member, notifications, cancellationToken);
        StaffChanged();
        _planner.Wake(notifications);
        await _ticketManager.DrainQueueAsync(actor, cancellationToken);
        return member;
    }

    /// <summary>
    /// Deactivates a staff member (admins only, not themselves): they lose staff access and their
    /// unresolved tickets go back to the unassigned queue.
    /// </summary>
    public async Task DeactivateAsync(Actor actor, string userId, CancellationToken cancellationToken)
    {
        RequireAdmin(actor);
        var member = await _staff.FindAsync(userId, cancellationToken);
        if (member is null || !member.IsActive) throw new NotFoundException("staff member");
        if (member.UserId == actor.UserId) throw new ConflictException("cannot-remove-self", "Admins cannot remove themselves; ask another admin.");

        var now = _time.GetUtcNow();
        var open = await _tickets.GetOpenAssignedAsync(member.UserId, cancellationToken);
        var events = open.Select(t => new TicketEvent
        {
            Id = Guid.CreateVersion7(now),
            TenantId = t.TenantId,
            TicketId = t.Id,
            Kind = TicketEventKind.Assigned,
            ActorId = actor.UserId,
            FromStatus = t.Status,
            ToStatus = TicketStatus.New,
            AssigneeId = null,
            Detail = "unassigned: agent removed",
            CreatedAt = now,
        }).ToList();
        await _staff.DeactivateAsync(member, events, now, cancellationToken);
        StaffChanged();

        foreach (var ticket in open)
        {
            var previous = ticket.AssigneeId;
            ticket.AssigneeId = null;
            ticket.AssigneeName = null;
            var from = ticket.Status;
            ticket.Status = TicketStatus.New;
            await _notifier.PublishAsync(new TicketActivity(TicketEventKind.Assigned, ticket, actor, FromStatus: from, PreviousAssigneeId: previous), cancellationToken);
        }
        await _ticketManager.DrainQueueAsync(actor, cancellationToken);
    }

    /// <summary>Staff were added, changed or removed here: forget what this instance cached about the tenant's staff.</summary>
    private void StaffChanged()
    {
        _planner.StaffChanged();
        if (_tenant.Current?.TenantId is { } tenantId) _actors.InvalidateTenant(tenantId);
    }

    private TenantInfo RequireAdmin(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var tenant = _tenant.Current?.Tenant ?? throw new InvalidOperationException("No tenant is set for this call.");
        if (tenant.Id != actor.TenantId) throw new InvalidOperationException("The actor belongs to another tenant than the current tenant context.");
        if (actor.Role != ActorRole.Admin) throw new ForbiddenException("Only admins can manage staff.");
        return tenant;
    }
}
