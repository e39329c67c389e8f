using System.Threading.Channels;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Queries;

/// <summary>Delivers rows of a push or pull query to the session through a bounded channel (back-pressure on slow clients).</summary>
public sealed class ChannelRowSink : IRowSink
{
    private readonly ChannelWriter<Value[][]> _writer;

    private readonly bool _withOps;

    /// <param name="withOps">The rows are a changelog (a push query over an aggregation or a table): append the op as text.</param>
    public ChannelRowSink(ChannelWriter<Value[][]> writer, bool withOps = false)
    {
        _writer = writer;
        _withOps = withOps;
    }

    private static readonly Value InsertOp = Value.FromString("insert");
    private static readonly Value UpdateOp = Value.FromString("update");
    private static readonly Value DeleteOp = Value.FromString("delete");

    /// <summary>How a push query shows a change's op (insert, update, delete); NULL for an update's before-image, which is not shown.</summary>
    public static Value OpText(ChangeOp op) => op switch
    {
        ChangeOp.Insert => InsertOp,
        ChangeOp.UpdateAfter => UpdateOp,
        ChangeOp.Delete => DeleteOp,
        _ => Value.Null,
    };

    /// <summary>A changelog row as a push query shows it: the row's values, then its op.</summary>
    public static Value[] WithOp(Value[] row, Value op)
    {
        var withOp = new Value[row.Length + 1];
        row.CopyTo(withOp, 0);
        withOp[^1] = op;
        return withOp;
    }

    public bool CommitsPerBatch => false;

    /// <summary>The batch's rows as one chunk (an update's before-image left out: the after-image that follows says it all).</summary>
    public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        Value[][] chunk;
        if (!_withOps)
        {
            chunk = new Value[batch.Count][];
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = batch.Row(i);
            }
        }
        else
        {
            var rows = new List<Value[]>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var op = OpText(batch.Op(i));
                if (!op.IsNull)
                {
                    rows.Add(WithOp(batch.Row(i), op));
                }
            }

            if (rows.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            chunk = [.. rows];
        }

        return _writer.WriteAsync(chunk, cancellationToken);
    }
}
