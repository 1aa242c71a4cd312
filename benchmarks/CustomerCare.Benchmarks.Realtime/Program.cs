// Real-time delivery latency of CustomerCare's hub: N customer connections, each joined to its own
// ticket, receive messages that agents post over the hub at a fixed total rate. Latency is measured at
// the receiving client, from the moment the message was due to be sent (open loop, so a slow server
// cannot hide its queueing) to the moment its messagePosted event arrives.
//
//   dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks.Realtime -- \
//       --connections 1000 --rate 1000 --duration 30 --instances 1 --postgres "Host=…;Username=…"
//   … --instances 2 --redis 127.0.0.1:6379     (customers on instance B, agents on instance A)
//   … --probe true                             (first time single operations on an idle system)
//   … --prime 20 --prime-rate 200              (default: a phase not measured first, so the JIT is at steady state)
//
// See BENCHMARKS.md for results and what limits them.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CustomerCare.Benchmarks;
using CustomerCare.Benchmarks.Realtime;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

var options = BenchOptions.Parse(args);
Console.WriteLine($"CustomerCare real-time benchmark: {options}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, {Environment.OSVersion}, .NET {Environment.Version}; load average {Probe.LoadAverage()}");

await using var database = await BenchDatabase.CreateAsync(options);
var instances = new List<BenchHost>();
try
{
    for (var i = 0; i < options.Instances; i++)
        instances.Add(await BenchHost.StartAsync(i == 0 ? "A" : "B", database, options.Redis));
    var postOn = instances[0];
    var receiveOn = instances[^1];

    Console.Write("Seeding staff and tickets… ");
    var seedWatch = Stopwatch.StartNew();
    var tickets = await postOn.SeedAsync(options.Connections, options.Agents);
    await database.AnalyzeAsync();
    Console.WriteLine($"{tickets.Count} tickets in {seedWatch.Elapsed.TotalSeconds:0.0} s");

    var scheduled = new long[options.Rate * (options.Duration + 5) + 1000];
    var latencies = new ConcurrentBag<double>();
    var acks = new ConcurrentBag<double>();
    var delivered = 0;
    var measuredFrom = (long)options.Rate * options.Warmup;

    Console.Write($"Connecting {options.Connections} customers to instance {receiveOn.Name} and {options.Agents} agents to instance {postOn.Name}… ");
    var connectWatch = Stopwatch.StartNew();
    var customers = new HubConnection[tickets.Count];
    await Parallel.ForEachAsync(Enumerable.Range(0, tickets.Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
    {
        var connection = Connect(receiveOn, tickets[i].CustomerId);
        connection.On<JsonElement>("messagePosted", m =>
        {
            var now = Stopwatch.GetTimestamp();
            // Bodies are the message's index in the schedule; anything else (the probe's messages) is not counted.
            if (!long.TryParse(m.GetProperty("body").GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= scheduled.Length) return;
            Interlocked.Increment(ref delivered);
            if (k >= measuredFrom) latencies.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref scheduled[k]), now).TotalMilliseconds);
        });
        await connection.StartAsync(ct);
        await connection.InvokeAsync<JsonElement>("JoinTicket", tickets[i].TicketId.ToString(), int.MaxValue, ct);
        customers[i] = connection;
    });
    var agents = new Dictionary<string, HubConnection>();
    foreach (var agentId in tickets.Select(t => t.AgentId).Distinct())
    {
        var connection = Connect(postOn, agentId);
        await connection.StartAsync();
        agents[agentId] = connection;
    }
    Console.WriteLine($"{connectWatch.Elapsed.TotalSeconds:0.0} s");

    if (options.Probe) await Probe.RunAsync(postOn, options, tickets[0], agents[tickets[0].AgentId]);

    if (options.Prime > 0)
    {
        // Brings the JIT to steady state (tiered compilation promotes hot code only after it has run for a while and the
        // process is not busy compiling) before anything is measured: at an overload rate from a cold start the
        // background compiler starved for the whole run and hot paths stayed in unoptimised code.
        Console.Write($"Priming: {options.PrimeRate} messages/s for {options.Prime} s, not measured… ");
        var primeWatch = Stopwatch.StartNew();
        var primes = new List<Task>();
        for (long k = 0; k < (long)options.PrimeRate * options.Prime; k++)
        {
            while (primeWatch.Elapsed.TotalSeconds * options.PrimeRate < k) await Task.Delay(1);
            var ticket = tickets[(int)(k % tickets.Count)];
            primes.Add(agents[ticket.AgentId].InvokeAsync<JsonElement>("SendMessage", ticket.TicketId.ToString(), "prime", null, null));
        }
        await Task.WhenAll(primes);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"{primeWatch.Elapsed.TotalSeconds:0.0} s");
    }

    Console.WriteLine($"Posting {options.Rate} messages/s for {options.Duration} s (the first {options.Warmup} s are warm-up)…");
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    // CPU time per message (Linux schedstat): steadier than latency on a machine shared with other work.
    var serverPidsBefore = await database.ServerProcessIdsAsync();
    var serverCpuBefore = serverPidsBefore.ToDictionary(pid => pid, pid => CpuClock.Of([pid]));
    var errors = 0;
    var pending = new ConcurrentDictionary<long, Task>();
    var run = Stopwatch.StartNew();
    var start = Stopwatch.GetTimestamp();
    long sent = 0;
    var total = (long)options.Rate * options.Duration;
    var ticksPerMessage = (double)Stopwatch.Frequency / options.Rate;
    while (sent < total)
    {
        // Message k is due at k / rate: send every message whose time has come (k ≤ elapsed × rate).
        var due = Math.Min(total, (long)(run.Elapsed.TotalSeconds * options.Rate) + 1);
        for (; sent < due; sent++)
        {
            var k = sent;
            var ticket = tickets[(int)(k % tickets.Count)];
            Volatile.Write(ref scheduled[k], start + (long)(k * ticksPerMessage));
            var send = agents[ticket.AgentId].InvokeAsync<JsonElement>("SendMessage", ticket.TicketId.ToString(), k.ToString(CultureInfo.InvariantCulture), null, null);
            pending[k] = send;
            _ = send.ContinueWith(t =>
            {
                if (t.IsFaulted) Interlocked.Increment(ref errors);
                else if (k >= measuredFrom) acks.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref scheduled[k])).TotalMilliseconds);
                pending.TryRemove(k, out _);
            }, TaskScheduler.Default);
        }
        await Task.Delay(1);
    }
    var sendingTook = run.Elapsed;
    // An overloaded server still has sends queued: wait for them (and their deliveries) 15 s at most.
    await Task.WhenAny(Task.WhenAll(pending.Values.ToArray()), Task.Delay(TimeSpan.FromSeconds(15)));
    var drainUntil = DateTime.UtcNow.AddSeconds(5);
    while (Volatile.Read(ref delivered) < sent - errors && DateTime.UtcNow < drainUntil) await Task.Delay(50);
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / run.Elapsed.TotalSeconds / Environment.ProcessorCount;
    // The process's own counter: it keeps the time of thread-pool threads that have exited meanwhile.
    var processCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, sent);
    // Backends opened during the run count whole; those open before count from the start.
    var serverCpuMs = (await database.ServerProcessIdsAsync()).Sum(pid => CpuClock.Of([pid]) - serverCpuBefore.GetValueOrDefault(pid)) / 1e6 / Math.Max(1, sent);

    Console.WriteLine($"Load average after the run: {Probe.LoadAverage()}");
    var measured = latencies.ToArray();
    Array.Sort(measured);
    double P(double q) => measured.Length == 0 ? double.NaN : measured[Math.Min(measured.Length - 1, (int)Math.Ceiling(q * measured.Length) - 1)];
    var expected = total - measuredFrom;
    var ackTimes = acks.ToArray();
    Array.Sort(ackTimes);
    double A(double q) => ackTimes.Length == 0 ? double.NaN : ackTimes[Math.Min(ackTimes.Length - 1, (int)Math.Ceiling(q * ackTimes.Length) - 1)];
    Console.WriteLine();
    Console.WriteLine("| instances | connections | target msg/s | sent | delivered | errors | p50 ms | p95 ms | p99 ms | max ms | CPU (this process) |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {options.Instances}{(options.Instances > 1 ? " (Redis)" : "")} | {options.Connections} | {options.Rate} | {sent} | {delivered} | {errors} | {P(0.50):0.0} | {P(0.95):0.0} | {P(0.99):0.0} | {(measured.Length > 0 ? measured[^1] : double.NaN):0.0} | {cpu:P0} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"(delivered within the run + 20 s: {measured.Length} of {expected} messages after warm-up, {pending.Count} sends still unanswered; sending took {sendingTook.TotalSeconds:0.0} s for {options.Duration} s of schedule; "
        + $"SendMessage answered the sender after p50 {A(0.50):0.0} / p95 {A(0.95):0.0} / p99 {A(0.99):0.0} ms)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"CPU per message sent: {processCpuMs:0.000} ms in this process (host and clients), {serverCpuMs:0.000} ms in PostgreSQL's backends"));

    foreach (var connection in customers.Concat(agents.Values)) await connection.DisposeAsync();
}
finally
{
    foreach (var instance in instances) await instance.DisposeAsync();
}

static HubConnection Connect(BenchHost host, string userId) => new HubConnectionBuilder()
    .WithUrl(new Uri(host.BaseAddress, $"/t/{BenchHost.Tenant}/hub"), o =>
    {
        o.Transports = HttpTransportType.WebSockets;
        o.SkipNegotiation = true;
        o.Headers[BenchAuthHandler.UserHeader] = userId;
        o.Headers[BenchAuthHandler.TenantHeader] = BenchHost.Tenant;
    })
    .Build();
