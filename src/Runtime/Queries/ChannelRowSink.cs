using System.Threading.Channels;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Queries;

/// <summary>Delivers rows of a push or pull query to the session through a bounded channel (back-pressure on slow clients).</summary>
public sealed class ChannelRowSink : IRowSink
{
    private readonly ChannelWriter<Value[]> _writer;

    public ChannelRowSink(ChannelWriter<Value[]> writer) => _writer = writer;

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            await _writer.WriteAsync(batch.Row(i), cancellationToken).ConfigureAwait(false);
        }
    }
}
