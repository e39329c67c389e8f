using System.Buffers.Binary;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>Layout of one record inside a FasterLog entry: offset, timestamp, key and value with -1 lengths for null.</summary>
internal static class EntryCodec
{
    private const int FixedSize = 8 + 8 + 4 + 4;

    public static byte[] Encode(long offset, in ProducedRecord record)
    {
        var keyLength = record.Key?.Length ?? -1;
        var valueLength = record.Value?.Length ?? -1;
        var entry = new byte[FixedSize + Math.Max(keyLength, 0) + Math.Max(valueLength, 0)];
        var span = entry.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, offset);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], record.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], keyLength);
        var position = 20;
        record.Key?.CopyTo(span[position..]);
        position += Math.Max(keyLength, 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[position..], valueLength);
        position += 4;
        record.Value?.CopyTo(span[position..]);
        return entry;
    }

    public static TopicRecord Decode(ReadOnlySpan<byte> entry, string source)
    {
        if (entry.Length < FixedSize)
        {
            throw new InvalidDataException($"corrupt record in {source}: entry of {entry.Length} bytes is shorter than its header");
        }

        var offset = BinaryPrimitives.ReadInt64LittleEndian(entry);
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(entry[16..]);
        var position = 20;
        var key = keyLength < 0 ? null : entry.Slice(position, keyLength).ToArray();
        position += Math.Max(keyLength, 0);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(entry[position..]);
        position += 4;
        var value = valueLength < 0 ? null : entry.Slice(position, valueLength).ToArray();
        return new TopicRecord(offset, timestamp, key, value);
    }
}
