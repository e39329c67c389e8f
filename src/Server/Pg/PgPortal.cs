using StreamSql.Planner.Binder;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>A bound statement ready to run: parameter values, result formats, and, once executing, its rows so far (for Execute with a row limit).</summary>
public sealed class PgPortal(PgPreparedStatement statement, ParameterValues? parameters, short[] resultFormats, CancellationTokenSource cancellation) : IAsyncDisposable
{
    public PgPreparedStatement Statement { get; } = statement;

    public ParameterValues? Parameters { get; } = parameters;

    public short[] ResultFormats { get; } = resultFormats;

    public CancellationTokenSource Cancellation { get; } = cancellation;

    public StatementResult? Result { get; set; }

    public IAsyncEnumerator<Value[]>? Rows { get; set; }

    public long RowCount { get; set; }

    public bool Completed { get; set; }

    /// <summary>Stops the portal's query: disposing the rows ends its partition tasks, quickly once cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        await Cancellation.CancelAsync().ConfigureAwait(false);
        if (Rows is { } rows)
        {
            await rows.DisposeAsync().ConfigureAwait(false);
        }

        Cancellation.Dispose();
    }
}
