using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>PRINT: a topic's raw records as text rows (rowtime, partition, offset, key, value, headers), from the end or the beginning.</summary>
public sealed partial class StreamEngine
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly ColumnSchema[] PrintColumns =
    [
        new("rowtime", SqlType.Timestamp), new("partition", SqlType.Int), new("offset", SqlType.BigInt),
        new("key", SqlType.Varchar), new("value", SqlType.Varchar), new("headers", SqlType.Varchar),
    ];

    private RowsResult Print(PrintStatement print)
    {
        var topic = Topics.Find(print.Topic) ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{print.Topic}\" does not exist", print.Position);

        // Start offsets are fixed now, before the client sees the first row: "new records" means written after PRINT began.
        var start = new long[topic.PartitionCount];
        for (var p = 0; p < start.Length; p++)
        {
            start[p] = print.FromBeginning ? topic.StartOffset(p) : topic.EndOffset(p);
        }

        return new RowsResult(PrintColumns, PrintAsync(topic, start, print.Limit, CancellationToken.None));
    }

    private static IAsyncEnumerable<Value[]> PrintAsync(ITopicLog topic, long[] start, long? limit, CancellationToken cancellationToken) =>
        PartitionFanIn.RunAsync(start.Length, (p, rows, stop) => TailAsync(topic, p, start[p], rows, stop), limit, cancellationToken: cancellationToken);

    private static async Task TailAsync(ITopicLog topic, int partition, long from, ChannelWriter<Value[][]> rows, CancellationToken cancellationToken)
    {
        using var reader = topic.OpenReader(partition, from);
        var records = new List<TopicRecord>(256);
        while (!cancellationToken.IsCancellationRequested)
        {
            records.Clear();
            if (reader.TryRead(records, 256) == 0)
            {
                await reader.ReadAsync(records, 256, cancellationToken).ConfigureAwait(false);
            }

            var chunk = new Value[records.Count][];
            for (var i = 0; i < chunk.Length; i++)
            {
                var record = records[i];
                chunk[i] =
                [
                    Value.FromTimestamp(TextValues.TimestampFromMillis(record.Timestamp)), Value.FromInt(partition), Value.FromBigInt(record.Offset),
                    Value.FromString(BytesAsText(record.Key)), Value.FromString(BytesAsText(record.Value)), Value.FromString(HeadersAsText(record.Headers)),
                ];
            }

            if (chunk.Length > 0)
            {
                await rows.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>UTF-8 text as it is; bytes that are not valid UTF-8 as PostgreSQL's bytea hex text (\x0aff...).</summary>
    internal static string? BytesAsText(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return @"\x" + Convert.ToHexStringLower(bytes);
        }
    }

    private static string? HeadersAsText(IReadOnlyList<RecordHeader>? headers)
    {
        if (headers is not { Count: > 0 })
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var header in headers)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(header.Key).Append('=').Append(BytesAsText(header.Value) ?? "NULL");
        }

        return text.ToString();
    }
}
