namespace CustomerCare.Benchmarks;

/// <summary>CPU time consumed so far, from Linux's <c>/proc/…/schedstat</c> (nanoseconds on a core); 0 where unavailable.</summary>
internal static class CpuClock
{
    /// <summary>
    /// All threads of this process, in nanoseconds. Threads that exit between two readings take their time with them, so
    /// use it over short spans (blocks of a few hundred milliseconds); over a long run prefer
    /// <see cref="System.Diagnostics.Process.TotalProcessorTime"/> (10 ms resolution, keeps exited threads).
    /// </summary>
    public static long Process()
    {
        try
        {
            return Directory.GetDirectories("/proc/self/task").Sum(task => Read(Path.Combine(task, "schedstat")));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The given processes (the database server's backends).</summary>
    public static long Of(IReadOnlyList<int> pids) => pids.Sum(pid => Read($"/proc/{pid}/schedstat"));

    private static long Read(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return 0;
        }
    }
}

/// <summary>The PostgreSQL backends serving one database, when the server runs on this machine (for <see cref="CpuClock.Of"/>).</summary>
internal static class PostgresBackends
{
    /// <summary>The process ids in <c>pg_stat_activity</c> for <paramref name="database"/>, connecting with <paramref name="connectionString"/>.</summary>
    public static async Task<IReadOnlyList<int>> ProcessIdsAsync(string connectionString, string database)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids.Where(pid => File.Exists($"/proc/{pid}/schedstat")).ToList();
    }
}
