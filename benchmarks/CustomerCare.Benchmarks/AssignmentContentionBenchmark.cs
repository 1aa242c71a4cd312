using System.Diagnostics;
using CustomerCare.Actors;
using CustomerCare.Assignment;
using CustomerCare.MultiTenancy;
using CustomerCare.Staff;
using CustomerCare.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerCare.Benchmarks;

/// <summary>
/// Issue 5's benchmark under contention: several CustomerCare instances (own service providers and pools, as separate
/// processes would have) on one database raise tickets concurrently in one hot tenant. There the engine's per-instance snapshot
/// goes stale on almost every create (another instance assigned in between), so creates miss the optimistic command, take
/// the lock and back off. Compared with a manual tenant under the same load, in rounds that alternate between the tenants.
/// </summary>
internal static class AssignmentContentionBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        var instanceCount = options.Int("--instances", 2);
        var workers = options.Int("--workers", 2);
        var perWorker = options.Int("--per-worker", options.Smoke ? 5 : 200);
        var rounds = options.Int("--rounds", options.Smoke ? 1 : 4);
        await using var database = await BenchDatabase.CreateAsync(options.Provider);
        TenantInfo[] tenants = [AssignmentBenchmark.Tenant("manual", ManualAssignmentStrategy.StrategyName), AssignmentBenchmark.Tenant("least-loaded", LeastLoadedAssignmentStrategy.StrategyName)];
        var instances = new List<ServiceProvider>();
        try
        {
            for (var i = 0; i < instanceCount; i++)
            {
                var services = new ServiceCollection();
                services.AddLogging();
                services.AddCustomerCare().UseEntityFrameworkCore(database.Configure).AddInMemoryTenants(tenants);
                instances.Add(services.BuildServiceProvider());
            }
            await instances[0].MigrateCustomerCareDatabaseAsync();
            foreach (var tenant in tenants)
            {
                await AssignmentBenchmark.InTenant(instances[0], tenant, async sp =>
                {
                    for (var i = 0; i < options.Agents; i++)
                        await sp.GetRequiredService<IStaffStore>().AddAsync(new StaffMember { UserId = $"agent-{i:D3}", DisplayName = $"Agent {i}", Email = $"agent{i}@bench.example", Role = ActorRole.Agent }, CancellationToken.None);
                    return 0;
                });
            }

            // Warm-up: every instance, every tenant, the same concurrent load as measured.
            var warmupRounds = options.Int("--warmup-rounds", options.Smoke ? 0 : 2);
            for (var round = 0; round < warmupRounds; round++)
                foreach (var tenant in tenants) await RoundAsync(instances, tenant, workers, perWorker);
            if (options.Provider == "postgres")
            {
                await using var scope = instances[0].CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<CustomerCare.Storage.EFCore.CustomerCareDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
            }

            var results = tenants.ToDictionary(t => t.Id, _ => (Creates: 0, Elapsed: TimeSpan.Zero, Commands: 0L, Latencies: new List<double>()));
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which tenant goes first, so that neither always follows the other.
                foreach (var tenant in round % 2 == 0 ? tenants : tenants.Reverse())
                {
                    database.Commands.Reset();
                    var (elapsed, latencies) = await RoundAsync(instances, tenant, workers, perWorker);
                    var r = results[tenant.Id];
                    r.Latencies.AddRange(latencies);
                    results[tenant.Id] = (r.Creates + latencies.Count, r.Elapsed + elapsed, r.Commands + database.Commands.Count, r.Latencies);
                }
            }

            Console.WriteLine($"# Assignment under contention — {options.Provider}, {options.Agents} agents, {instanceCount} instances × {workers} concurrent creators, {rounds} rounds of {instanceCount * workers * perWorker} creates per tenant");
            Console.WriteLine();
            Console.WriteLine("| strategy | creates/s | p50 ms | p95 ms | p99 ms | throughput vs manual | SQL commands per create |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            double Rate(string id) => results[id].Creates / results[id].Elapsed.TotalSeconds;
            foreach (var tenant in tenants)
            {
                var r = results[tenant.Id];
                r.Latencies.Sort();
                Console.WriteLine($"| {tenant.Id} | {Rate(tenant.Id):F0} | {AssignmentBenchmark.Percentile(r.Latencies, 0.50):F2} | {AssignmentBenchmark.Percentile(r.Latencies, 0.95):F2} | {AssignmentBenchmark.Percentile(r.Latencies, 0.99):F2} | {Rate(tenant.Id) / Rate("manual"):P0} | {(double)r.Commands / r.Creates:F2} |");
            }

            // Correct under contention, or the figures mean nothing: every automatic ticket assigned (nobody has a cap), and every
            // agent's load counter equal to its open tickets.
            var automatic = tenants[1];
            var queued = await AssignmentBenchmark.InTenant(instances[0], automatic, sp => sp.GetRequiredService<IAssignmentStore>().CountQueuedAsync(CancellationToken.None));
            var wrongLoads = await AssignmentBenchmark.InTenant(instances[0], automatic, sp => sp.GetRequiredService<CustomerCare.Storage.EFCore.CustomerCareDbContext>().Database.SqlQueryRaw<int>(
                """
                SELECT count(*) AS "Value" FROM "cc_agent_loads" l WHERE l."TenantId" = {0} AND l."OpenTickets" <>
                  (SELECT count(*) FROM "cc_tickets" t WHERE t."TenantId" = l."TenantId" AND t."AssigneeId" = l."AgentId" AND t."Status" IN (1, 2))
                """, automatic.Id).SingleAsync());
            if (queued != 0 || wrongLoads != 0)
            {
                Console.Error.WriteLine($"{automatic.Id}: {queued} tickets left queued, {wrongLoads} agents whose load counter is off");
                return 1;
            }
            Console.WriteLine();
            Console.WriteLine("scenario assignment-contention: ran");
            return 0;
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    /// <summary>Every instance runs <paramref name="workers"/> creators at once, each raising <paramref name="perWorker"/> tickets one after another.</summary>
    private static async Task<(TimeSpan Elapsed, List<double> Latencies)> RoundAsync(List<ServiceProvider> instances, TenantInfo tenant, int workers, int perWorker)
    {
        var watch = Stopwatch.StartNew();
        var all = await Task.WhenAll(instances.SelectMany(instance => Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var latencies = new List<double>(perWorker);
            for (var i = 0; i < perWorker; i++)
            {
                var customer = new Actor(tenant.Id, $"customer-{w}-{i % 50}", ActorRole.Customer, "Bench Customer", null);
                var started = Stopwatch.GetTimestamp();
                await AssignmentBenchmark.InTenant(instance, tenant, sp => sp.GetRequiredService<TicketManager>()
                    .CreateAsync(customer, new CreateTicketRequest { Subject = "Benchmark ticket", Description = "Raised under contention." }, null, CancellationToken.None));
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return latencies;
        }))));
        return (watch.Elapsed, [.. all.SelectMany(l => l)]);
    }
}
