using System.Text;
using StreamSql.Runtime.Storage;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Records;

/// <summary>Decodes the records field of a Produce request (record batches v2, magic 2), checking CRC-32C and decompressing.</summary>
public static class RecordBatchDecoder
{
    // partitionLeaderEpoch + magic + crc + attributes + lastOffsetDelta + 2 timestamps + producerId + epoch + baseSequence + count
    private const int HeaderAfterLength = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
    private const int ControlBit = 0x20;
    private const int TransactionalBit = 0x10;
    private const int LogAppendTimeBit = 0x08;

    /// <summary>Adds the batches in data to batches; returns a Kafka error code (0 when every batch decoded).</summary>
    public static short Decode(ReadOnlyMemory<byte> data, List<DecodedBatch> batches, out string? error)
    {
        error = null;
        var reader = new KafkaReader(data);
        try
        {
            while (reader.Remaining > 0)
            {
                if (reader.Remaining < 12)
                {
                    error = "trailing bytes after the last record batch";
                    return ErrorCode.CorruptMessage;
                }

                reader.Int64();
                var length = reader.Int32();
                if (length < HeaderAfterLength || length > reader.Remaining)
                {
                    error = $"record batch length {length} does not fit the {reader.Remaining} bytes sent";
                    return ErrorCode.CorruptMessage;
                }

                var code = DecodeBatch(new KafkaReader(reader.TakeMemory(length)), batches, out error);
                if (code != ErrorCode.None)
                {
                    return code;
                }
            }

            return ErrorCode.None;
        }
        catch (KafkaProtocolException e)
        {
            error = e.Message;
            return ErrorCode.CorruptMessage;
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
            return ErrorCode.CorruptMessage;
        }
    }

    private static short DecodeBatch(KafkaReader batch, List<DecodedBatch> batches, out string? error)
    {
        error = null;
        batch.Int32();
        var magic = batch.Int8();
        if (magic != 2)
        {
            error = $"record batch magic {magic}; only magic 2 (Kafka 0.11+ clients) is accepted";
            return ErrorCode.UnsupportedForMessageFormat;
        }

        var crc = batch.UInt32();
        var body = batch.TakeMemory(batch.Remaining);
        if (Crc32C.Compute(body.Span) != crc)
        {
            error = "record batch CRC-32C mismatch";
            return ErrorCode.CorruptMessage;
        }

        var header = new KafkaReader(body);
        var attributes = header.Int16();
        header.Int32();
        var baseTimestamp = header.Int64();
        header.Int64();
        var producerId = header.Int64();
        var producerEpoch = header.Int16();
        var baseSequence = header.Int32();
        var count = header.Int32();
        if ((attributes & ControlBit) != 0)
        {
            // Transaction markers are written by brokers, not producers; the broker keeps no markers (see TransactionCoordinator).
            return ErrorCode.None;
        }

        var compression = attributes & 0x07;
        var recordBytes = header.TakeMemory(header.Remaining);
        if (compression != 0)
        {
            if (!Decompression.TryDecompress(compression, recordBytes.Span, out var plain, out error))
            {
                return ErrorCode.UnsupportedCompressionType;
            }

            recordBytes = plain;
        }

        if (count < 0 || count > recordBytes.Length)
        {
            error = $"record count {count} does not fit {recordBytes.Length} bytes";
            return ErrorCode.CorruptMessage;
        }

        var logAppendTime = (attributes & LogAppendTimeBit) != 0 ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : -1;
        var records = new List<ProducedRecord>(count);
        var reader = new KafkaReader(recordBytes);
        for (var i = 0; i < count; i++)
        {
            var length = reader.VarInt();
            records.Add(DecodeRecord(new KafkaReader(reader.TakeMemory(length)), baseTimestamp, logAppendTime));
        }

        batches.Add(new DecodedBatch(producerId, producerEpoch, baseSequence, count, records, (attributes & TransactionalBit) != 0));
        return ErrorCode.None;
    }

    private static ProducedRecord DecodeRecord(KafkaReader record, long baseTimestamp, long logAppendTime)
    {
        record.Int8();
        var timestamp = baseTimestamp + record.VarLong();
        record.VarInt();
        var keyLength = record.VarInt();
        var key = keyLength < 0 ? null : record.Take(keyLength).ToArray();
        var valueLength = record.VarInt();
        var value = valueLength < 0 ? null : record.Take(valueLength).ToArray();
        var headerCount = record.VarInt();
        RecordHeader[]? headers = null;
        if (headerCount > 0)
        {
            if (headerCount > record.Remaining)
            {
                throw new KafkaProtocolException($"{headerCount} headers in {record.Remaining} bytes");
            }

            headers = new RecordHeader[headerCount];
            for (var h = 0; h < headerCount; h++)
            {
                var name = Encoding.UTF8.GetString(record.Take(record.VarInt()));
                var headerValueLength = record.VarInt();
                headers[h] = new RecordHeader(name, headerValueLength < 0 ? null : record.Take(headerValueLength).ToArray());
            }
        }

        return new ProducedRecord(key, value, logAppendTime >= 0 ? logAppendTime : timestamp, headers);
    }
}
