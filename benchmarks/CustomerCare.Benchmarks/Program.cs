using CustomerCare.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/CustomerCare.Benchmarks -- assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]
// PostgreSQL needs CUSTOMERCARE_BENCH_POSTGRES (or CUSTOMERCARE_TEST_POSTGRES): a server where the harness may create a database.
var options = BenchmarkOptions.Parse(args);
return options.Scenario switch
{
    "assignment" => await AssignmentBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: CustomerCare.Benchmarks assignment [--provider sqlite|postgres] [--tickets N] [--agents N] [--smoke]");
    return 2;
}
