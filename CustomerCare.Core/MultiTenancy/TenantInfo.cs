namespace CustomerCare.MultiTenancy;

/// <summary>The identity of a tenant, shaped like Finbuckle.MultiTenant's <c>ITenantInfo</c>.</summary>
public interface ITenantInfo
{
    /// <summary>Stable id stored on every tenant-owned row (a slug such as <c>acme-bank</c>).</summary>
    string Id { get; }

    /// <summary>The identifier that strategies resolve (route value, header, host name).</summary>
    string Identifier { get; }

    /// <summary>Display name of the organisation.</summary>
    string Name { get; }
}

/// <summary>Whether a tenant is serving requests.</summary>
public enum TenantStatus
{
    /// <summary>The tenant serves requests.</summary>
    Active = 0,

    /// <summary>Emergency shutdown: every request answers 503 until the operator resumes the tenant.</summary>
    Suspended = 1,
}

/// <summary>A tenant of CustomerCare: an organisation with its own customers, staff, tickets and settings.</summary>
public sealed class TenantInfo : ITenantInfo
{
    /// <inheritdoc />
    public required string Id { get; init; }

    /// <inheritdoc />
    public required string Identifier { get; init; }

    /// <inheritdoc />
    public required string Name { get; set; }

    /// <summary>Whether the tenant currently serves requests.</summary>
    public TenantStatus Status { get; set; } = TenantStatus.Active;

    /// <summary>Per-tenant behaviour and branding.</summary>
    public TenantSettings Settings { get; set; } = new();
}

/// <summary>Per-tenant behaviour and branding.</summary>
public sealed class TenantSettings
{
    /// <summary>Prefix of human ticket numbers, e.g. <c>BANK</c> gives <c>BANK-1001</c>.</summary>
    public string TicketPrefix { get; set; } = "T";

    /// <summary>Brand colour as a CSS hex colour.</summary>
    public string? Color { get; set; }

    /// <summary>Name shown as the sender of notifications.</summary>
    public string? SenderName { get; set; }

    /// <summary>Address notifications are sent from.</summary>
    public string? SenderAddress { get; set; }

    /// <summary>Whether agents may see tickets that nobody is assigned to yet.</summary>
    public bool AgentsSeeUnassigned { get; set; } = true;

    /// <summary>Whether agents may assign unassigned tickets to themselves.</summary>
    public bool AgentsMaySelfAssign { get; set; }

    /// <summary>How long after being resolved or closed a ticket may be reopened; <c>null</c> uses <see cref="TicketOptions.ReopenWindow"/>.</summary>
    public TimeSpan? ReopenWindow { get; set; }

    /// <summary>Ticket categories offered to customers; empty allows any category.</summary>
    public List<string> Categories { get; set; } = [];

    /// <summary>
    /// How new tickets are assigned: <c>manual</c> (an admin assigns, the default),
    /// <c>round-robin</c>, <c>least-loaded</c>, or the name of a strategy the host registered.
    /// </summary>
    public string AssignmentStrategy { get; set; } = "manual";

    /// <summary>Routes a ticket category to a group of agents (category → group name).</summary>
    public Dictionary<string, string> CategoryGroups { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Custom fields a ticket carries in this tenant (e.g. a bill number).</summary>
    public List<CustomFieldDefinition> CustomFields { get; set; } = [];
}

/// <summary>A tenant-defined field on tickets, such as the bill number of a telecom.</summary>
public sealed class CustomFieldDefinition
{
    /// <summary>Key used in the API (<c>customFields.billNumber</c>).</summary>
    public required string Key { get; set; }

    /// <summary>Label shown to people.</summary>
    public string? Label { get; set; }

    /// <summary>Whether a ticket must carry a value.</summary>
    public bool Required { get; set; }

    /// <summary>Maximum length of the value.</summary>
    public int MaxLength { get; set; } = 200;
}
