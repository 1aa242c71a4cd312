using CustomerCare.AspNetCore.Tests.Infrastructure;

namespace CustomerCare.AspNetCore.Tests.Realtime;

/// <summary>A host on Kestrel (127.0.0.1, free port) for hub tests; one per test class.</summary>
public sealed class HubFixture : IAsyncLifetime
{
    public ApiHost Host { get; private set; } = null!;

    // A long typing interval, so that "the second typing call is ignored" holds however slow the machine is.
    public async ValueTask InitializeAsync() => Host = await ApiHost.StartAsync(new ApiHostOptions { Kestrel = true, Realtime = o => o.TypingInterval = TimeSpan.FromSeconds(30) });

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Ticket set-ups the hub tests share, made over HTTP as a real client would.</summary>
public static class HubScenario
{
    /// <summary>A fresh customer of the bank with a ticket assigned to agent 1.</summary>
    public static async Task<(string CustomerId, Guid TicketId)> AssignedTicketAsync(ApiHost host, string tenant = Tenants.Bank)
    {
        var customerId = Users.New();
        var ticket = await host.As(customerId, tenant).CreateTicketAsync();
        var (admin, agent) = tenant == Tenants.Bank ? (Users.BankAdmin, Users.BankAgent1) : (Users.TelcoAdmin, Users.TelcoAgent1);
        await host.As(admin, tenant).AssignAsync(ticket.Id(), agent);
        return (customerId, ticket.Id());
    }
}
