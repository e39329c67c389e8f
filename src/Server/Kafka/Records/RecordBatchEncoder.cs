using System.Text;
using StreamSql.Runtime.Storage;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Records;

/// <summary>Writes stored records as one uncompressed record batch v2 (magic 2) with its CRC-32C, for Fetch responses.</summary>
public static class RecordBatchEncoder
{
    /// <summary>Writes records[start..start+count) (consecutive offsets) as one batch.</summary>
    public static void Write(KafkaWriter writer, IReadOnlyList<TopicRecord> records, int start, int count)
    {
        var first = records[start];
        var maxTimestamp = first.Timestamp;
        for (var i = start + 1; i < start + count; i++)
        {
            maxTimestamp = Math.Max(maxTimestamp, records[i].Timestamp);
        }

        writer.Int64(first.Offset);
        var lengthAt = writer.Reserve(4);
        writer.Int32(-1); // partition leader epoch: StreamSql has no leader epochs
        writer.Int8(2);
        var crcAt = writer.Reserve(4);
        var checkedFrom = writer.Position;
        writer.Int16(0); // attributes: no compression, CreateTime, not transactional
        writer.Int32((int)(records[start + count - 1].Offset - first.Offset));
        writer.Int64(first.Timestamp);
        writer.Int64(maxTimestamp);
        writer.Int64(-1); // producer id
        writer.Int16(-1); // producer epoch
        writer.Int32(-1); // base sequence
        writer.Int32(count);
        for (var i = start; i < start + count; i++)
        {
            WriteRecord(writer, records[i], first.Offset, first.Timestamp);
        }

        writer.PatchInt32(lengthAt, writer.Position - lengthAt - 4);
        writer.PatchUInt32(crcAt, Crc32C.Compute(writer.WrittenSpan(checkedFrom)));
    }

    /// <summary>About how many bytes a record takes inside a batch; used to respect fetch size limits.</summary>
    public static int EstimateSize(TopicRecord record)
    {
        var size = 24 + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        if (record.Headers is { } headers)
        {
            foreach (var header in headers)
            {
                size += 10 + header.Key.Length + (header.Value?.Length ?? 0);
            }
        }

        return size;
    }

    private static void WriteRecord(KafkaWriter writer, TopicRecord record, long baseOffset, long baseTimestamp)
    {
        var timestampDelta = record.Timestamp - baseTimestamp;
        var offsetDelta = (int)(record.Offset - baseOffset);
        var headers = record.Headers;
        var bodySize = 1 + KafkaWriter.SizeOfVarLong(timestampDelta) + KafkaWriter.SizeOfVarInt(offsetDelta)
            + SizeOfBytes(record.Key) + SizeOfBytes(record.Value) + KafkaWriter.SizeOfVarInt(headers?.Count ?? 0);
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                var nameLength = Encoding.UTF8.GetByteCount(header.Key);
                bodySize += KafkaWriter.SizeOfVarInt(nameLength) + nameLength + SizeOfBytes(header.Value);
            }
        }

        writer.VarInt(bodySize);
        writer.Int8(0);
        writer.VarLong(timestampDelta);
        writer.VarInt(offsetDelta);
        WriteBytes(writer, record.Key);
        WriteBytes(writer, record.Value);
        writer.VarInt(headers?.Count ?? 0);
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                var name = Encoding.UTF8.GetBytes(header.Key);
                writer.VarInt(name.Length);
                writer.Raw(name);
                WriteBytes(writer, header.Value);
            }
        }
    }

    private static int SizeOfBytes(byte[]? bytes) =>
        bytes is null ? 1 : KafkaWriter.SizeOfVarInt(bytes.Length) + bytes.Length;

    private static void WriteBytes(KafkaWriter writer, byte[]? bytes)
    {
        if (bytes is null)
        {
            writer.VarInt(-1);
            return;
        }

        writer.VarInt(bytes.Length);
        writer.Raw(bytes);
    }
}
