using System.Diagnostics;
using System.Net;

namespace CustomerCare.Benchmarks.Scale;

/// <summary>What one measured phase produced.</summary>
internal sealed record LoadResult(string Name, int Requests, int Errors, double Seconds, double[] SortedMs)
{
    public double Throughput => Requests / Seconds;

    public double Percentile(double p) => SortedMs.Length == 0 ? double.NaN : SortedMs[Math.Min(SortedMs.Length - 1, Math.Max(0, (int)Math.Ceiling(p * SortedMs.Length) - 1))];

    /// <summary>Several phases of the same subject (interleaved blocks) as one result.</summary>
    public static LoadResult Merge(string name, IEnumerable<LoadResult> parts)
    {
        var list = parts.ToList();
        var all = list.SelectMany(p => p.SortedMs).ToArray();
        Array.Sort(all);
        return new LoadResult(name, list.Sum(p => p.Requests), list.Sum(p => p.Errors), list.Sum(p => p.Seconds), all);
    }
}

/// <summary>
/// Drives HTTP load at the benchmark host from this (separate) process: closed loop (N workers, each
/// sending its next request when the previous one answered — gives peak throughput) or open loop at a
/// fixed rate (request k is due at start + k/rate and its latency counts from then, so queueing shows).
/// A response other than the expected status counts as an error; a phase with errors fails the run.
/// </summary>
internal sealed class LoadGenerator(HttpClient client)
{
    public static HttpClient CreateClient(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<LoadResult> ClosedLoopAsync(string name, Func<long, HttpRequestMessage> request, HttpStatusCode expected, int workers, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = new List<double>[workers];
        var errors = 0;
        long sequence = 0;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = samples[w] = [];
            // At least one request per worker: on a busy machine a worker may only get a thread after a short block
            // has ended, and a block without a single sample has no throughput or percentiles to report.
            do
            {
                var n = Interlocked.Increment(ref sequence);
                var t0 = Stopwatch.GetTimestamp();
                if (!await SendAsync(request(n), expected, cancellationToken)) Interlocked.Increment(ref errors);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            while (Stopwatch.GetTimestamp() < end);
        }, cancellationToken)).ToArray();
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return new LoadResult(name, all.Length, errors, seconds, all);
    }

    public async Task<LoadResult> OpenLoopAsync(string name, Func<long, HttpRequestMessage> request, HttpStatusCode expected, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new double[count];
        var errors = 0;
        var started = Stopwatch.GetTimestamp();
        var tasks = new List<Task>(count);
        for (var k = 0; k < count; k++)
        {
            var due = started + (long)(k / rate * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            var index = k;
            tasks.Add(Task.Run(async () =>
            {
                if (!await SendAsync(request(index), expected, cancellationToken)) Interlocked.Increment(ref errors);
                latencies[index] = (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency;
            }, cancellationToken));
        }
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        return new LoadResult(name, count, errors, seconds, latencies);
    }

    public async Task<bool> SendAsync(HttpRequestMessage message, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return response.StatusCode == expected;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        finally
        {
            message.Dispose();
        }
    }
}
