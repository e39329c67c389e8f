using System.Buffers.Binary;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// A table row kept in state as the record that last set it (timestamp, offset, value bytes): it decodes with the table's
/// codec when read, so writing it costs no decoding.
/// </summary>
public static class StoredRecord
{
    public static byte[] Pack(TopicRecord record)
    {
        var bytes = new byte[16 + record.Value!.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, record.Timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), record.Offset);
        record.Value.CopyTo(bytes, 16);
        return bytes;
    }

    /// <summary>As <see cref="Pack(TopicRecord)"/>, into a buffer kept by the caller (grown when too small).</summary>
    public static ReadOnlySpan<byte> Pack(TopicRecord record, ref byte[] buffer)
    {
        var length = 16 + record.Value!.Length;
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        BinaryPrimitives.WriteInt64LittleEndian(buffer, record.Timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8), record.Offset);
        record.Value.CopyTo(buffer, 16);
        return buffer.AsSpan(0, length);
    }

    public static TopicRecord Unpack(ReadOnlySpan<byte> stored, byte[]? key) =>
        new(BinaryPrimitives.ReadInt64LittleEndian(stored.Slice(8)), BinaryPrimitives.ReadInt64LittleEndian(stored), key, stored.Slice(16).ToArray());
}
