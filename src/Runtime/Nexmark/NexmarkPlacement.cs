using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Nexmark;

/// <summary>
/// Where a Nexmark stream's events go: with a KEY column, keyed by that field (in the stream's key format) and
/// partitioned by its hash, as a producer keying them would; without, the table's n-th event to partition n mod the
/// partition count. A stored stream's topic is filled this way and a generated one reads back the same places.
/// </summary>
public sealed class NexmarkPlacement
{
    private readonly NexmarkField? _keyField;
    private readonly KeyFormat? _keyFormat;
    private readonly int _partitions;

    public NexmarkPlacement(StreamDefinition stream, NexmarkEventType table, int partitions)
    {
        _partitions = partitions;
        if (stream.KeyIndex >= 0)
        {
            var keyColumn = stream.Columns[stream.KeyIndex];
            _keyField = NexmarkTables.Fields(table).First(f => f.Name == keyColumn.Name);
            _keyFormat = new KeyFormat(stream.KeyFormat, keyColumn.Type);
        }
    }

    public bool IsKeyed => _keyField is not null;

    /// <summary>The record key of an event (null for an unkeyed stream).</summary>
    public byte[]? KeyOf(object e) => _keyFormat?.Serialize(_keyField!.Read(e));

    /// <summary>The partition of the table's event number index (counting from 0) with this record key.</summary>
    public int PartitionOf(byte[]? key, long index) => key is null ? (int)(index % _partitions) : Partitioner.ForKey(key, _partitions);
}
