using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>Layout of one record inside a FasterLog entry: offset, timestamp, key and value with -1 lengths for null, then an optional header section.</summary>
/// <remarks>
/// The header section is absent when a record has no headers, so entries written before headers existed read back unchanged:
/// int32 count, then per header int32 name length + UTF-8 name and int32 value length (-1 for null) + value.
/// </remarks>
internal static class EntryCodec
{
    private const int FixedSize = 8 + 8 + 4 + 4;

    public static byte[] Encode(long offset, in ProducedRecord record)
    {
        var entry = new byte[EncodedLength(record)];
        EncodeInto(offset, record, entry);
        return entry;
    }

    /// <summary>The size of a record's entry.</summary>
    public static int EncodedLength(in ProducedRecord record)
    {
        var headers = record.Headers;
        var headerSize = 0;
        if (headers is { Count: > 0 })
        {
            headerSize = 4;
            for (var i = 0; i < headers.Count; i++)
            {
                headerSize += 4 + Encoding.UTF8.GetByteCount(headers[i].Key) + 4 + (headers[i].Value?.Length ?? 0);
            }
        }

        return FixedSize + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0) + headerSize;
    }

    /// <summary>Writes a record's entry into span, which holds exactly <see cref="EncodedLength"/> bytes.</summary>
    public static void EncodeInto(long offset, in ProducedRecord record, Span<byte> span)
    {
        var keyLength = record.Key?.Length ?? -1;
        var valueLength = record.Value?.Length ?? -1;
        var headers = record.Headers;
        BinaryPrimitives.WriteInt64LittleEndian(span, offset);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], record.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], keyLength);
        var position = 20;
        record.Key?.CopyTo(span[position..]);
        position += Math.Max(keyLength, 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[position..], valueLength);
        position += 4;
        record.Value?.CopyTo(span[position..]);
        position += Math.Max(valueLength, 0);
        if (headers is { Count: > 0 })
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[position..], headers.Count);
            position += 4;
            for (var i = 0; i < headers.Count; i++)
            {
                var nameLength = Encoding.UTF8.GetBytes(headers[i].Key, span[(position + 4)..]);
                BinaryPrimitives.WriteInt32LittleEndian(span[position..], nameLength);
                position += 4 + nameLength;
                var value = headers[i].Value;
                BinaryPrimitives.WriteInt32LittleEndian(span[position..], value?.Length ?? -1);
                position += 4;
                value?.CopyTo(span[position..]);
                position += value?.Length ?? 0;
            }
        }
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
        position += Math.Max(valueLength, 0);
        var headers = position + 4 <= entry.Length ? DecodeHeaders(entry[position..], source) : null;
        return new TopicRecord(offset, timestamp, key, value, headers);
    }

    /// <summary>
    /// The entry's record with its key and value as spans over the entry (no copies), or, for a record with headers,
    /// the record decoded whole.
    /// </summary>
    public static BorrowedRecord Borrow(ReadOnlySpan<byte> entry, string source)
    {
        if (entry.Length < FixedSize)
        {
            throw new InvalidDataException($"corrupt record in {source}: entry of {entry.Length} bytes is shorter than its header");
        }

        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(entry[16..]);
        var position = 20 + Math.Max(keyLength, 0);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(entry[position..]);
        var valueStart = position + 4;
        var end = valueStart + Math.Max(valueLength, 0);
        if (end + 4 <= entry.Length && BinaryPrimitives.ReadInt32LittleEndian(entry[end..]) > 0)
        {
            return new BorrowedRecord(Decode(entry, source));
        }

        return new BorrowedRecord(
            BinaryPrimitives.ReadInt64LittleEndian(entry),
            BinaryPrimitives.ReadInt64LittleEndian(entry[8..]),
            keyLength < 0 ? default : entry.Slice(20, keyLength),
            keyLength >= 0,
            valueLength < 0 ? default : entry.Slice(valueStart, valueLength),
            valueLength >= 0);
    }

    private static RecordHeader[]? DecodeHeaders(ReadOnlySpan<byte> section, string source)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(section);
        if (count <= 0)
        {
            return null;
        }

        try
        {
            var headers = new RecordHeader[count];
            var position = 4;
            for (var i = 0; i < count; i++)
            {
                var nameLength = BinaryPrimitives.ReadInt32LittleEndian(section[position..]);
                position += 4;
                var name = Encoding.UTF8.GetString(section.Slice(position, nameLength));
                position += nameLength;
                var valueLength = BinaryPrimitives.ReadInt32LittleEndian(section[position..]);
                position += 4;
                headers[i] = new RecordHeader(name, valueLength < 0 ? null : section.Slice(position, valueLength).ToArray());
                position += Math.Max(valueLength, 0);
            }

            return headers;
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"corrupt record headers in {source}");
        }
    }
}
