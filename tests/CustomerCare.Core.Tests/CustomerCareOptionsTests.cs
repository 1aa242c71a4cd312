using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerCare.Tests;

/// <summary>Options are validated on start (<c>ValidateOnStart</c>) and on first use, with a message that names the setting.</summary>
public sealed class CustomerCareOptionsTests
{
    private static void Configure(string @case, CustomerCareOptions o)
    {
        switch (@case)
        {
            case "MaxPageSize 0": o.Tickets.MaxPageSize = 0; break;
            case "DefaultPageSize above MaxPageSize": o.Tickets.DefaultPageSize = 200; break;
            case "DefaultPageSize 0": o.Tickets.DefaultPageSize = 0; break;
            case "negative ReopenWindow": o.Tickets.ReopenWindow = TimeSpan.FromDays(-1); break;
            case "SubjectMaxLength 0": o.Tickets.SubjectMaxLength = 0; break;
            case "DescriptionMaxLength too large": o.Tickets.DescriptionMaxLength = 100_001; break;
            case "MessageMaxLength 0": o.Tickets.MessageMaxLength = 0; break;
            case "empty TenantClaimType": o.Claims.TenantClaimType = " "; break;
            case "no UserIdClaimTypes": o.Claims.UserIdClaimTypes.Clear(); break;
            case "empty ErasedUserName": o.ErasedUserName = ""; break;
            default: throw new ArgumentOutOfRangeException(nameof(@case));
        }
    }

    private static ServiceProvider Build(Action<CustomerCareOptions>? configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCustomerCare(configure);
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("MaxPageSize 0", "Tickets.MaxPageSize")]
    [InlineData("DefaultPageSize above MaxPageSize", "Tickets.DefaultPageSize")]
    [InlineData("DefaultPageSize 0", "Tickets.DefaultPageSize")]
    [InlineData("negative ReopenWindow", "Tickets.ReopenWindow")]
    [InlineData("SubjectMaxLength 0", "Tickets.SubjectMaxLength")]
    [InlineData("DescriptionMaxLength too large", "Tickets.DescriptionMaxLength")]
    [InlineData("MessageMaxLength 0", "Tickets.MessageMaxLength")]
    [InlineData("empty TenantClaimType", "Claims.TenantClaimType")]
    [InlineData("no UserIdClaimTypes", "Claims.UserIdClaimTypes")]
    [InlineData("empty ErasedUserName", "ErasedUserName")]
    public void Invalid_options_fail_on_start_and_on_access(string @case, string setting)
    {
        using var provider = Build(o => Configure(@case, o));

        // What the host runs at start because AddCustomerCare called ValidateOnStart().
        // Each failure names the setting it is about first ("CustomerCare: Tickets.MaxPageSize must ...").
        var expected = $"CustomerCare: {setting} ";
        var onStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(onStart.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));

        var onAccess = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CustomerCareOptions>>().Value);
        Assert.Contains(onAccess.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Default_options_are_valid()
    {
        using var provider = Build(null);

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<CustomerCareOptions>>().Value;
        Assert.Equal(TimeSpan.FromDays(14), options.Tickets.ReopenWindow);
        Assert.Equal(100, options.Tickets.MaxPageSize);
    }

    [Fact]
    public void Configured_options_are_applied()
    {
        using var provider = Build(o => { o.Tickets.ReopenWindow = TimeSpan.FromDays(3); o.Tickets.MaxPageSize = 50; });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<CustomerCareOptions>>().Value;
        Assert.Equal(TimeSpan.FromDays(3), options.Tickets.ReopenWindow);
        Assert.Equal(50, options.Tickets.MaxPageSize);
    }
}
