using System.Buffers.Binary;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// A table's rows as of one moment, kept as their stored bytes (partition, key, value) until read. A pull query over a
/// table of millions of rows then holds about the size of its records, not decoded rows (several times more), and
/// decodes them a batch at a time as the client reads; chunks already read are let go.
/// </summary>
public sealed class PackedRows
{
    private const int ChunkBytes = 1 << 20;
    private const int EntryHeader = 12;
    private readonly List<byte[]?> _chunks = [];
    private readonly List<int> _chunkEnds = [];

    public int Count { get; private set; }

    public void Add(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var length = EntryHeader + key.Length + value.Length;
        if (_chunks.Count == 0 || _chunkEnds[^1] + length > _chunks[^1]!.Length)
        {
            _chunks.Add(new byte[Math.Max(ChunkBytes, length)]);
            _chunkEnds.Add(0);
        }

        var entry = _chunks[^1].AsSpan(_chunkEnds[^1], length);
        BinaryPrimitives.WriteInt32LittleEndian(entry, partition);
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], value.Length);
        key.CopyTo(entry[EntryHeader..]);
        value.CopyTo(entry[(EntryHeader + key.Length)..]);
        _chunkEnds[^1] += length;
        Count++;
    }

    public delegate Value[] RowDecoder(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition);

    /// <summary>The rows in the order added, decoded one by one. Reads once: each chunk is dropped when its rows are decoded.</summary>
    public IEnumerable<Value[]> Drain(RowDecoder decode)
    {
        for (var c = 0; c < _chunks.Count; c++)
        {
            var offset = 0;
            while (offset < _chunkEnds[c])
            {
                yield return DecodeAt(c, ref offset, decode);
            }

            _chunks[c] = null;
        }
    }

    private Value[] DecodeAt(int chunk, ref int offset, RowDecoder decode)
    {
        var bytes = _chunks[chunk] ?? throw new InvalidOperationException("the packed rows were read already");
        var entry = bytes.AsSpan(offset);
        var partition = BinaryPrimitives.ReadInt32LittleEndian(entry);
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(entry[4..]);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
        offset += EntryHeader + keyLength + valueLength;
        return decode(entry.Slice(EntryHeader, keyLength), entry.Slice(EntryHeader + keyLength, valueLength), partition);
    }
}
