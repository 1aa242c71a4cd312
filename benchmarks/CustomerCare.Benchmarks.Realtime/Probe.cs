using System.Diagnostics;
using System.Text.Json;
using CustomerCare.Actors;
using CustomerCare.MultiTenancy;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CustomerCare.Benchmarks.Realtime;

/// <summary>Times single operations one after another (no concurrency), to see where a message's time goes.</summary>
internal static class Probe
{
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static async Task RunAsync(BenchHost host, BenchOptions options, (string CustomerId, Guid TicketId, string AgentId) ticket, HubConnection agent)
    {
        var tenant = await host.App.Services.GetRequiredService<ITenantStore>().FindByIdAsync(BenchHost.Tenant, default)
                     ?? throw new InvalidOperationException("No benchmark tenant.");
        var setter = host.App.Services.GetRequiredService<ITenantContextSetter>();
        var admin = new Actor(BenchHost.Tenant, BenchHost.Admin, ActorRole.Admin, "Admin", null);
        for (var round = 1; round <= 3; round++)
        {
            Console.WriteLine($"probe round {round} (load average {LoadAverage()}):");
            await TimeAsync("TicketManager.GetAsync, one DI scope each", 100, async () =>
            {
                using var _ = setter.BeginScope(new TenantContext(tenant));
                await using var scope = host.App.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TicketManager>().GetAsync(admin, ticket.TicketId, default);
            });
            if (options.Postgres is not null)
            {
                await TimeAsync("raw Npgsql open + SELECT 1", 100, async () =>
                {
                    await using var connection = new NpgsqlConnection(options.Postgres);
                    await connection.OpenAsync();
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    await command.ExecuteScalarAsync();
                });
            }
            await TimeAsync("hub JoinTicket (2 ticket reads + 1 message query)", 50,
                () => agent.InvokeAsync<JsonElement>("JoinTicket", ticket.TicketId.ToString(), int.MaxValue));
            await TimeAsync("hub SendMessage (read + transaction + push)", 50,
                () => agent.InvokeAsync<JsonElement>("SendMessage", ticket.TicketId.ToString(), "999999999", null, null));
        }
    }

    private static async Task TimeAsync(string what, int times, Func<Task> operation)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++) await operation();
        Console.WriteLine($"  {what}: {watch.Elapsed.TotalMilliseconds / times:0.00} ms each ({times} in a row)");
    }
}
