using CustomerCare.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]
//        dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- notifications [--provider sqlite|postgres] [--rounds N] [--tickets N per round] [--backlog N] [--smoke]
// The notifications scenario starts Debian's aiosmtpd (python3-aiosmtpd) on a free loopback port.
// PostgreSQL needs CUSTOMERCARE_BENCH_POSTGRES (or CUSTOMERCARE_TEST_POSTGRES): a server where the harness may create a database.
var options = BenchmarkOptions.Parse(args);
return options.Scenario switch
{
    "assignment" => await AssignmentBenchmark.RunAsync(options),
    "notifications" => await NotificationBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: CustomerCare.Benchmarks assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]");
    Console.Error.WriteLine("       CustomerCare.Benchmarks notifications [--provider sqlite|postgres] [--rounds N] [--tickets N] [--backlog N] [--smoke]");
    return 2;
}
