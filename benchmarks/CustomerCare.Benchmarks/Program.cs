using CustomerCare.Benchmarks;
using CustomerCare.Benchmarks.Scale;

// Usage: dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- assignment-contention [--provider sqlite|postgres] [--instances N] [--workers N per instance] [--per-worker N] [--rounds N] [--smoke]
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- notifications [--provider sqlite|postgres] [--rounds N] [--tickets N per round] [--backlog N] [--smoke]
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- scale [--provider sqlite|postgres] [--scales 10000,100000,1000000] [--seconds S] [--rounds N] [--workers N] [--smoke]
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- managers [--smoke]   (BenchmarkDotNet on the Core managers)
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- webqueue [--provider sqlite|postgres] [--tickets 100000] [--requests N] [--loads N] [--no-browser] [--chromium PATH] [--smoke]
//          (the sample host's agent queue page with 100,000 tickets: server time and, in Chromium, time to interactive)
//        (scale starts this program again as "host …": the benchmark host, in its own process)
// The notifications scenario starts Debian's aiosmtpd (python3-aiosmtpd) on a free loopback port.
// PostgreSQL needs CUSTOMERCARE_BENCH_POSTGRES (or CUSTOMERCARE_TEST_POSTGRES): a server where the harness may create a database.
// benchmarks/run.sh runs the scale scenario on both databases (and the manager micro-benchmarks) with one command.
var options = BenchmarkOptions.Parse(args);
return options.Scenario switch
{
    "assignment" => await AssignmentBenchmark.RunAsync(options),
    "assignment-contention" => await AssignmentContentionBenchmark.RunAsync(options),
    "notifications" => await NotificationBenchmark.RunAsync(options),
    "scale" => await ScaleBenchmark.RunAsync(options),
    "managers" => ManagerBenchmarkScenario.Run(options),
    "webqueue" => await CustomerCare.Benchmarks.WebQueue.WebQueueBenchmark.RunAsync(options),
    "host" => await RunHostAsync(args),
    _ => Usage(),
};

static async Task<int> RunHostAsync(string[] args)
{
    string Value(string name) => args[Array.IndexOf(args, name) + 1];
    await using var app = BenchHost.Build(Value("--provider"), Value("--connection"), int.Parse(Value("--port"), System.Globalization.CultureInfo.InvariantCulture), Value("--pickup"));
    await app.RunAsync();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: CustomerCare.Benchmarks assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks assignment-contention [--provider sqlite|postgres] [--instances N] [--workers N] [--per-worker N] [--rounds N] [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks notifications [--provider sqlite|postgres] [--rounds N] [--tickets N] [--backlog N] [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks managers [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks webqueue [--provider sqlite|postgres] [--tickets 100000] [--requests N] [--loads N] [--warmup N] [--no-browser] [--chromium PATH] [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks scale [--provider sqlite|postgres] [--scales 10000,100000,1000000] [--seconds S] [--rounds N] [--workers N] [--queue-workers N] [--in-process] [--smoke]");
    return 2;
}
