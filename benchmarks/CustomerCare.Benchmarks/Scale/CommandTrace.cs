using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CustomerCare.Benchmarks.Scale;

/// <summary>
/// Records the SQL a traced request sends. EF Core's commands and transactions are seen by an EF Core
/// interceptor (<see cref="DbCommandInterceptor"/> / <see cref="DbTransactionInterceptor"/>); on PostgreSQL
/// Npgsql's own activity source also sees commands issued on the connection outside EF Core (ADO.NET
/// commands a store creates itself), so nothing is missed there.
/// </summary>
internal sealed class CommandTrace : IDisposable
{
    private readonly AsyncLocal<List<TracedCommand>?> _current = new();
    private readonly ActivityListener _listener;
    private readonly Lock _gate = new();
    private IReadOnlyList<TracedCommand> _last = [];

    public CommandTrace()
    {
        Interceptor = new CommandInterceptor(this);
        Transactions = new TransactionInterceptor(this);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => _current.Value is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (_current.Value is not { } list) return;
                var text = activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName;
                lock (list) list.Add(new TracedCommand("npgsql", text?.ToString() ?? "", null));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public CommandInterceptor Interceptor { get; }

    public TransactionInterceptor Transactions { get; }

    /// <summary>Starts recording for the rest of the current async flow (one request).</summary>
    public void Begin() => _current.Value = [];

    /// <summary>Stops recording and keeps what the request sent for <see cref="Last"/>.</summary>
    public void End()
    {
        var list = _current.Value;
        _current.Value = null;
        if (list is null) return;
        List<TracedCommand> copy;
        lock (list) copy = [.. list];
        lock (_gate) _last = copy;
    }

    /// <summary>What the last traced request sent.</summary>
    public IReadOnlyList<TracedCommand> Last
    {
        get { lock (_gate) return _last; }
    }

    private void Add(string source, string text, DbCommand? command = null)
    {
        if (_current.Value is not { } list) return;
        Dictionary<string, string?>? parameters = null;
        if (command is not null)
        {
            parameters = [];
            foreach (DbParameter p in command.Parameters)
                parameters[p.ParameterName] = Literal(p.Value);
        }
        lock (list) list.Add(new TracedCommand(source, text, parameters));
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A parameter value as an SQL literal, so that the command can be replayed under EXPLAIN.</summary>
    private static string Literal(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "TRUE" : "FALSE",
        Guid g => $"'{g}'",
        System.Collections.IEnumerable list => "ARRAY[" + string.Join(", ", list.Cast<object?>().Select(Literal)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => "'" + value + "'",
    };

    internal sealed class CommandInterceptor(CommandTrace trace) : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        { trace.Add("ef", command.CommandText, command); return result; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        { trace.Add("ef", command.CommandText, command); return ValueTask.FromResult(result); }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        { trace.Add("ef", command.CommandText, command); return result; }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        { trace.Add("ef", command.CommandText, command); return ValueTask.FromResult(result); }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        { trace.Add("ef", command.CommandText, command); return result; }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        { trace.Add("ef", command.CommandText, command); return ValueTask.FromResult(result); }
    }

    internal sealed class TransactionInterceptor(CommandTrace trace) : DbTransactionInterceptor
    {
        public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        { trace.Add("ef", "BEGIN"); return ValueTask.FromResult(result); }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        { trace.Add("ef", "COMMIT"); return Task.CompletedTask; }

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        { trace.Add("ef", "ROLLBACK"); return Task.CompletedTask; }
    }
}

/// <summary>One command a traced request sent: who saw it (<c>ef</c> or <c>npgsql</c>), its text and (EF Core) its parameter values.</summary>
internal sealed record TracedCommand(string Source, string Text, Dictionary<string, string?>? Parameters)
{
    /// <summary>The statement kinds in the command, e.g. <c>SELECT cc_tenants; INSERT cc_tickets</c>.</summary>
    public string Summary => Summarize(Text);

    public static string Summarize(string sql)
    {
        var parts = new List<string>();
        foreach (var raw in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var statement = string.Join(' ', raw.Split(['\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)));
            if (statement.Length == 0) continue;
            var verb = statement.Split(' ')[0].ToUpperInvariant();
            var table = System.Text.RegularExpressions.Regex.Match(statement, "(?:FROM|INTO|UPDATE)\\s+\"?(\\w+)\"?", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            parts.Add(table.Success ? $"{verb} {table.Groups[1].Value}" : verb);
        }
        return parts.Count == 0 ? sql : string.Join("; ", parts);
    }
}
