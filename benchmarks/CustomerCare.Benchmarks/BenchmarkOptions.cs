namespace CustomerCare.Benchmarks;

internal sealed record BenchmarkOptions(string Scenario, string Provider, int Tickets, int Agents, bool Smoke)
{
    /// <summary>All arguments, for a scenario's own options.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>A scenario's own whole-number option, e.g. <c>--rounds 16</c>.</summary>
    public int Int(string name, int fallback)
    {
        var list = Arguments.ToList();
        var i = list.IndexOf(name);
        return i >= 0 && i + 1 < list.Count ? int.Parse(list[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

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
            smoke) { Arguments = args };
    }
}
