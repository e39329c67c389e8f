using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>
/// Cursors (psql's FETCH_COUNT path): DECLARE runs the query and keeps its rows' enumerator on the connection, FETCH n takes
/// the next n rows (waiting for a push query's rows to come), CLOSE stops the query. As in PostgreSQL, a cursor without
/// WITH HOLD lives only inside a transaction block and closes when the block ends.
/// </summary>
public sealed partial class PgConnection
{
    private readonly Dictionary<string, PgCursor> _cursors = new(StringComparer.Ordinal);

    private async Task<StatementResult> DeclareCursorAsync(DeclareCursorStatement declare, ParameterValues? parameters)
    {
        if (!declare.WithHold && !_transactions.InBlock)
        {
            throw new SqlException(SqlState.NoActiveSqlTransaction, "DECLARE CURSOR can only be used in transaction blocks", declare.Position);
        }

        if (_cursors.ContainsKey(declare.Name))
        {
            throw new SqlException(SqlState.DuplicateCursor, $"cursor \"{declare.Name}\" already exists", declare.Position);
        }

        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_serverStopping);
        try
        {
            var select = new SelectStatement(declare.Position, declare.Query) { Text = declare.Text };
            var rows = (RowsResult)await _engine.ExecuteAsync(select, _session, parameters, cancellation.Token).ConfigureAwait(false);
            _cursors[declare.Name] = new PgCursor(rows.Columns, rows.Rows.GetAsyncEnumerator(cancellation.Token), declare.WithHold, cancellation);
        }
        catch
        {
            cancellation.Dispose();
            throw;
        }

        return new CommandResult("DECLARE CURSOR");
    }

    private PgFetchResult Fetch(FetchStatement fetch)
    {
        var cursor = FindCursor(fetch.Cursor, fetch.Position);
        return new PgFetchResult(new RowsResult(cursor.Columns, cursor.TakeAsync(fetch.Count)));
    }

    private PgCursor FindCursor(string name, int position) =>
        _cursors.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidCursorName, $"cursor \"{name}\" does not exist", position);

    private async Task<CommandResult> CloseCursorAsync(CloseCursorStatement close)
    {
        if (close.Cursor is null)
        {
            await CloseCursorsAsync(holdable: true).ConfigureAwait(false);
        }
        else
        {
            var cursor = FindCursor(close.Cursor, close.Position);
            _cursors.Remove(close.Cursor);
            await cursor.DisposeAsync().ConfigureAwait(false);
        }

        return new CommandResult("CLOSE CURSOR");
    }

    /// <summary>Closes the cursors a transaction's end closes (holdable: false), or all of them.</summary>
    private async Task CloseCursorsAsync(bool holdable)
    {
        foreach (var (name, cursor) in _cursors.ToList())
        {
            if (holdable || !cursor.WithHold)
            {
                _cursors.Remove(name);
                await cursor.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
