using System.Text;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>COPY (query) TO STDOUT: CopyOutResponse, a CopyData line per row as it is produced, CopyDone, "COPY n".</summary>
public sealed partial class PgConnection
{
    private async Task WriteCopyAsync(PgCopyResult copy, CancellationTokenSource query)
    {
        var columns = copy.Rows.Columns;
        _writer.StartMessage(BackendMessageCode.CopyOutResponse);
        _writer.WriteByte(0);
        _writer.WriteInt16((short)columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            _writer.WriteInt16(0);
        }

        _writer.EndMessage();
        var line = new StringBuilder();
        if (copy.Copy.Header)
        {
            PgCopyText.AppendHeader(line, columns.Select(c => c.Name), copy.Copy.Csv);
            WriteCopyData(line);
        }

        var enumerator = copy.Rows.Rows.GetAsyncEnumerator(query.Token);
        await using (enumerator.ConfigureAwait(false))
        {
            var (count, _) = await WriteRowsAsync(columns, enumerator, null, 0, query, row =>
            {
                PgCopyText.AppendRow(line, row, columns.Count, copy.Copy.Csv);
                WriteCopyData(line);
            }).ConfigureAwait(false);
            _writer.StartMessage(BackendMessageCode.CopyDone);
            _writer.EndMessage();
            WriteCommandComplete($"COPY {count}");
        }
    }

    private void WriteCopyData(StringBuilder line)
    {
        _writer.StartMessage(BackendMessageCode.CopyData);
        _writer.WriteUtf8(line.ToString());

        _writer.EndMessage();
        line.Clear();
    }
}
