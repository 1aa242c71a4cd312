namespace CustomerCare.Benchmarks;

internal sealed record BenchmarkOptions(string Scenario, string Provider, int Tickets, int Agents, bool Smoke)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "";
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var smoke = args.Contains("--smoke");
        return new BenchmarkOptions(
            scenario,
            Value("--provider") ?? "sqlite",
            int.Parse(Value("--tickets") ?? (smoke ? "40" : "2000"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("--agents") ?? (smoke ? "5" : "100"), System.Globalization.CultureInfo.InvariantCulture),
            smoke);
    }
}
