using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
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

    private static async IAsyncEnumerable<Value[]> PrintAsync(ITopicLog topic, long[] start, long? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (limit is 0)
        {
            yield break;
        }

        var channel = Channel.CreateBounded<Value[]>(new BoundedChannelOptions(1024) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[start.Length];
        for (var p = 0; p < tasks.Length; p++)
        {
            var partition = p;
            tasks[p] = Task.Run(() => TailAsync(topic, partition, start[partition], channel.Writer, stop.Token));
        }

        _ = Task.WhenAll(tasks).ContinueWith(
            t => channel.Writer.TryComplete(t.IsFaulted && !stop.IsCancellationRequested ? t.Exception!.GetBaseException() : null),
            TaskScheduler.Default);

        long count = 0;
        try
        {
            await foreach (var row in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                yield return row;
                if (limit is { } n && ++count >= n)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Readers end with cancellation once the client has what it asked for.
            }
        }
    }

    private static async Task TailAsync(ITopicLog topic, int partition, long from, ChannelWriter<Value[]> rows, CancellationToken cancellationToken)
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

            foreach (var record in records)
            {
                await rows.WriteAsync(
                    [
                        Value.FromTimestamp(TextValues.TimestampFromMillis(record.Timestamp)), Value.FromInt(partition), Value.FromBigInt(record.Offset),
                        Value.FromString(BytesAsText(record.Key)), Value.FromString(BytesAsText(record.Value)), Value.FromString(HeadersAsText(record.Headers)),
                    ],
                    cancellationToken).ConfigureAwait(false);
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
