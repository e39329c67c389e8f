using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>Writing results: row descriptions, data rows streamed as they are produced (watching for the client going away), command tags.</summary>
public sealed partial class PgConnection
{
    /// <summary>Writes a whole statement result: CommandComplete, or every row then "SELECT n".</summary>
    private async Task WriteResultAsync(StatementResult result, CancellationTokenSource query)
    {
        switch (result)
        {
            case CommandResult command:
                WriteCommandComplete(command.Tag);
                return;
            case RowsResult rows:
                var enumerator = rows.Rows.GetAsyncEnumerator(query.Token);
                await using (enumerator.ConfigureAwait(false))
                {
                    var (count, _) = await WriteRowsAsync(rows.Columns, enumerator, null, 0, query).ConfigureAwait(false);
                    WriteCommandComplete(rows.Tag ?? $"SELECT {count}");
                }

                return;
            case PgFetchResult fetch:
                var fetched = fetch.Rows.Rows.GetAsyncEnumerator(query.Token);
                await using (fetched.ConfigureAwait(false))
                {
                    var (count, _) = await WriteRowsAsync(fetch.Rows.Columns, fetched, null, 0, query).ConfigureAwait(false);
                    WriteCommandComplete($"FETCH {count}");
                }

                return;
            case PgCopyResult copy:
                await WriteCopyAsync(copy, query).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Streams up to maxRows rows (0 = all), flushing whenever the next row is not ready yet so push queries feel live.
    /// While it waits for a row, the socket is watched: a client that closes the connection cancels the query.
    /// Rows are DataRows unless writeRow writes them otherwise (COPY).
    /// </summary>
    private async Task<(long Count, bool Exhausted)> WriteRowsAsync(
        IReadOnlyList<ColumnSchema> columns, IAsyncEnumerator<Value[]> rows, short[]? formats, long maxRows, CancellationTokenSource query, Action<Value[]>? writeRow = null)
    {
        long count = 0;
        Task? watcher = null;
        using var stopWatching = new CancellationTokenSource();
        try
        {
            while (maxRows <= 0 || count < maxRows)
            {
                var next = rows.MoveNextAsync();
                if (!next.IsCompleted)
                {
                    await _writer.FlushAsync(query.Token).ConfigureAwait(false);
                    watcher ??= WatchForDisconnectAsync(query, stopWatching.Token);
                }

                if (!await next.ConfigureAwait(false))
                {
                    return (count, true);
                }

                if (writeRow is null)
                {
                    WriteDataRow(rows.Current, columns, formats);
                }
                else
                {
                    writeRow(rows.Current);
                }

                count++;
                if (_writer.BufferedBytes > 64 * 1024)
                {
                    await _writer.FlushAsync(query.Token).ConfigureAwait(false);
                }
            }

            return (count, false);
        }
        finally
        {
            if (watcher is not null)
            {
                await stopWatching.CancelAsync().ConfigureAwait(false);
                await watcher.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Cancels the query when the client closes the connection while the query waits for rows (input meanwhile is kept for later).</summary>
    private async Task WatchForDisconnectAsync(CancellationTokenSource query, CancellationToken stop)
    {
        if (_socketStream is null || !await _socketStream.WatchForCloseAsync(stop).ConfigureAwait(false))
        {
            return;
        }

        Log.Debug("Connection {ProcessId} from {Remote}: client went away during a query; cancelling it", ProcessId, _remote);
        _clientGone = true;
        try
        {
            await query.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void WriteDataRow(Value[] row, IReadOnlyList<ColumnSchema> columns, short[]? formats)
    {
        _writer.StartMessage(BackendMessageCode.DataRow);
        _writer.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            PgTypes.WriteValue(_writer, row[i], columns[i].Type, IsBinary(formats, i));
        }

        _writer.EndMessage();
    }

    private static bool IsBinary(short[]? formats, int column) =>
        formats is { Length: > 0 } && (formats.Length == 1 ? formats[0] : column < formats.Length ? formats[column] : (short)0) == 1;

    private void WriteRowDescription(IReadOnlyList<ColumnSchema> columns, short[]? formats)
    {
        _writer.StartMessage(BackendMessageCode.RowDescription);
        _writer.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            _writer.WriteCString(column.Name);
            _writer.WriteInt32(0);
            _writer.WriteInt16(0);
            _writer.WriteInt32(PgTypes.Oid(column.Type));
            _writer.WriteInt16(PgTypes.Size(column.Type));
            _writer.WriteInt32(-1);
            _writer.WriteInt16(IsBinary(formats, i) ? (short)1 : (short)0);
        }

        _writer.EndMessage();
    }

    private void WriteCommandComplete(string tag)
    {
        _writer.StartMessage(BackendMessageCode.CommandComplete);
        _writer.WriteCString(tag);
        _writer.EndMessage();
    }

    private void WriteAuthenticationOk()
    {
        _writer.StartMessage(BackendMessageCode.Authentication);
        _writer.WriteInt32(0);
        _writer.EndMessage();
    }

    private void WriteParameterStatus(string name, string value)
    {
        _writer.StartMessage(BackendMessageCode.ParameterStatus);
        _writer.WriteCString(name);
        _writer.WriteCString(value);
        _writer.EndMessage();
    }

    private void WriteReadyForQuery()
    {
        _writer.StartMessage(BackendMessageCode.ReadyForQuery);
        _writer.WriteByte(_transactions.Status);
        _writer.EndMessage();
    }
}
