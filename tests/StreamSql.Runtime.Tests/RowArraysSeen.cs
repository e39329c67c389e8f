using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>A decoder that counts the rows it adds and the distinct arrays they are in (row array reuse tests).</summary>
internal sealed class RowArraysSeen(IRecordDecoder inner) : IRecordDecoder
{
    public HashSet<Value[]> Arrays { get; } = new(ReferenceEqualityComparer.Instance);

    public int Rows { get; private set; }

    public bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error) =>
        Seen(batch, inner.TryDecode(record, partition, batch, out error));

    public bool TryDecode(TopicRecord record, int partition, RowBatch batch, RowArrayPool rows, out string? error) =>
        Seen(batch, inner.TryDecode(record, partition, batch, rows, out error));

    private bool Seen(RowBatch batch, bool decoded)
    {
        if (decoded)
        {
            Rows++;
            Arrays.Add(batch.Row(batch.Count - 1));
        }

        return decoded;
    }
}
