using System.Globalization;

namespace CustomerCare.Benchmarks.Realtime;

/// <summary>Command-line options (environment variables CUSTOMERCARE_BENCH_POSTGRES / CUSTOMERCARE_BENCH_REDIS as defaults).</summary>
internal sealed record BenchOptions(int Connections, int Rate, int Duration, int Warmup, int Instances, int Agents, string? Postgres, string? Redis, bool Probe, int Prime, int PrimeRate)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Expected --name value, got '{args[i]}'.");
            values[args[i][2..]] = args[i + 1];
        }
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var options = new BenchOptions(
            Connections: Int("connections", 1000),
            Rate: Int("rate", 1000),
            Duration: Int("duration", 30),
            Warmup: Int("warmup", 5),
            Instances: Int("instances", 1),
            Agents: Int("agents", 50),
            Postgres: values.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable("CUSTOMERCARE_BENCH_POSTGRES"),
            Redis: values.GetValueOrDefault("redis") ?? Environment.GetEnvironmentVariable("CUSTOMERCARE_BENCH_REDIS"),
            Probe: values.TryGetValue("probe", out var probe) && bool.Parse(probe),
            Prime: Int("prime", 20),
            PrimeRate: Int("prime-rate", 200));
        if (options.Instances is < 1 or > 2) throw new ArgumentException("--instances is 1 or 2.");
        if (options.Instances == 2 && (options.Redis is null || options.Postgres is null))
            throw new ArgumentException("Two instances need --redis host:port and --postgres (a database both instances share).");
        if (options.Prime < 0 || options.PrimeRate < 1) throw new ArgumentException("--prime is 0 or more seconds and --prime-rate at least 1 message/s.");
        if (options.Warmup >= options.Duration) throw new ArgumentException("--warmup must be shorter than --duration.");
        return options;
    }

    public override string ToString()
        => $"{Connections} connections, {Rate} messages/s for {Duration} s ({Warmup} s warm-up, after {Prime} s at {PrimeRate}/s not measured), {Agents} agents, {Instances} instance(s), "
           + $"{(Postgres is null ? "SQLite" : "PostgreSQL")}{(Redis is null ? "" : ", Redis backplane")}";
}
