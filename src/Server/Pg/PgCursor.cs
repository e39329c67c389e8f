using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>A DECLAREd cursor: its query's columns and the enumerator FETCH takes rows from; closing it stops the query.</summary>
internal sealed class PgCursor(IReadOnlyList<ColumnSchema> columns, IAsyncEnumerator<Value[]> rows, bool withHold, CancellationTokenSource cancellation) : IAsyncDisposable
{
    public IReadOnlyList<ColumnSchema> Columns { get; } = columns;

    public bool WithHold { get; } = withHold;

    public bool Exhausted { get; private set; }

    public CancellationTokenSource Cancellation { get; } = cancellation;

    /// <summary>The next count rows (null = all), each as soon as the query produces it; a FETCH's cancellation stops the cursor's query.</summary>
    public async IAsyncEnumerable<Value[]> TakeAsync(long? count, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stop = cancellationToken.Register(Cancellation.Cancel).ConfigureAwait(false);
        for (long taken = 0; !Exhausted && (count is null || taken < count); taken++)
        {
            if (!await rows.MoveNextAsync().ConfigureAwait(false))
            {
                Exhausted = true;
                yield break;
            }

            yield return rows.Current;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cancellation.CancelAsync().ConfigureAwait(false);
        await rows.DisposeAsync().ConfigureAwait(false);
        Cancellation.Dispose();
    }
}
