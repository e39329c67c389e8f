using System.Collections.Concurrent;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Kafka;

/// <summary>Idempotent producers: hands out producer ids and remembers each (producer, partition)'s last batch to drop retried duplicates.</summary>
/// <remarks>
/// Basic by design: kept in memory only (a restart forgets it, so a retry across a restart may be appended twice), and only the
/// most recent batch per partition is remembered. A batch whose sequence neither repeats the last batch nor follows it is refused
/// with OUT_OF_ORDER_SEQUENCE_NUMBER.
/// </remarks>
internal sealed class ProducerStates
{
    private readonly ConcurrentDictionary<(long ProducerId, string Topic, int Partition), LastBatch> _last = new();
    private long _nextProducerId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public long NextProducerId() => Interlocked.Increment(ref _nextProducerId);

    /// <summary>Checks a batch before it is appended: None to append, or the error; a duplicate gives its earlier base offset.</summary>
    public short Check(string topic, int partition, DecodedBatch batch, out long duplicateOffset)
    {
        var error = Check(topic, partition, batch, out bool duplicate, out duplicateOffset);
        if (!duplicate)
        {
            duplicateOffset = -1;
        }

        return error;
    }

    /// <summary>As above, saying whether the batch repeats the last one (a buffered transactional batch has no offset yet: -1).</summary>
    public short Check(string topic, int partition, DecodedBatch batch, out bool duplicate, out long duplicateOffset)
    {
        duplicate = false;
        duplicateOffset = -1;
        if (batch.ProducerId < 0 || batch.BaseSequence < 0 || !_last.TryGetValue((batch.ProducerId, topic, partition), out var last))
        {
            return ErrorCode.None;
        }

        if (batch.ProducerEpoch < last.Epoch)
        {
            return ErrorCode.InvalidProducerEpoch;
        }

        if (batch.ProducerEpoch > last.Epoch)
        {
            return ErrorCode.None;
        }

        if (batch.BaseSequence == last.BaseSequence && batch.RecordCount == last.Count)
        {
            duplicate = true;
            duplicateOffset = last.BaseOffset;
            return ErrorCode.None;
        }

        var expected = NextSequence(last.BaseSequence, last.Count);
        return batch.BaseSequence == expected ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
    }

    public void Appended(string topic, int partition, DecodedBatch batch, long baseOffset)
    {
        if (batch.ProducerId >= 0 && batch.BaseSequence >= 0)
        {
            _last[(batch.ProducerId, topic, partition)] = new LastBatch(batch.ProducerEpoch, batch.BaseSequence, batch.RecordCount, baseOffset);
        }
    }

    // Sequences wrap from int.MaxValue to 0.
    private static int NextSequence(int baseSequence, int count) => (int)(((long)baseSequence + count) % ((long)int.MaxValue + 1));

    private sealed record LastBatch(short Epoch, int BaseSequence, int Count, long BaseOffset);
}
