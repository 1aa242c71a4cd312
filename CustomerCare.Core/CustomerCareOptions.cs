using Microsoft.Extensions.Options;

namespace CustomerCare;

/// <summary>Options of CustomerCare, set with <c>services.AddCustomerCare(o => ...)</c> and validated on start.</summary>
public sealed class CustomerCareOptions
{
    /// <summary>Ticket and message limits and lifecycle settings.</summary>
    public TicketOptions Tickets { get; } = new();

    /// <summary>Which claims of the host's principal identify the user and the tenant.</summary>
    public Actors.ActorClaimOptions Claims { get; } = new();

    /// <summary>Name shown instead of a customer whose personal data was erased.</summary>
    public string ErasedUserName { get; set; } = "deleted user";
}

/// <summary>Ticket and message limits and lifecycle settings.</summary>
public sealed class TicketOptions
{
    /// <summary>How long after being resolved or closed a ticket may be reopened (a tenant may override it). Default 14 days.</summary>
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Maximum subject length. Default 200.</summary>
    public int SubjectMaxLength { get; set; } = 200;

    /// <summary>Maximum description length. Default 10,000.</summary>
    public int DescriptionMaxLength { get; set; } = 10_000;

    /// <summary>Maximum message body length. Default 5,000.</summary>
    public int MessageMaxLength { get; set; } = 5_000;

    /// <summary>Default page size of lists. Default 25.</summary>
    public int DefaultPageSize { get; set; } = 25;

    /// <summary>Largest page a caller may ask for. Default 100.</summary>
    public int MaxPageSize { get; set; } = 100;
}

internal sealed class CustomerCareOptionsValidator : IValidateOptions<CustomerCareOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomerCareOptions options)
    {
        var failures = new List<string>();
        var t = options.Tickets;
        if (t.ReopenWindow < TimeSpan.Zero) failures.Add("CustomerCare: Tickets.ReopenWindow must not be negative.");
        if (t.SubjectMaxLength is < 1 or > 1000) failures.Add("CustomerCare: Tickets.SubjectMaxLength must be between 1 and 1000.");
        if (t.DescriptionMaxLength is < 1 or > 100_000) failures.Add("CustomerCare: Tickets.DescriptionMaxLength must be between 1 and 100000.");
        if (t.MessageMaxLength is < 1 or > 100_000) failures.Add("CustomerCare: Tickets.MessageMaxLength must be between 1 and 100000.");
        if (t.MaxPageSize < 1) failures.Add("CustomerCare: Tickets.MaxPageSize must be at least 1.");
        if (t.DefaultPageSize < 1 || t.DefaultPageSize > t.MaxPageSize) failures.Add("CustomerCare: Tickets.DefaultPageSize must be between 1 and Tickets.MaxPageSize.");
        if (string.IsNullOrWhiteSpace(options.Claims.TenantClaimType)) failures.Add("CustomerCare: Claims.TenantClaimType must not be empty.");
        if (options.Claims.UserIdClaimTypes.Count == 0) failures.Add("CustomerCare: Claims.UserIdClaimTypes needs at least one claim type.");
        if (string.IsNullOrWhiteSpace(options.ErasedUserName)) failures.Add("CustomerCare: ErasedUserName must not be empty.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
