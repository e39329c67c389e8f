using Confluent.Kafka;
using Serilog;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>Tails one Kafka partition with its own consumer, assigned by hand at an offset; it never joins a group or commits.</summary>
internal sealed class KafkaPartitionReader : IPartitionReader
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaPartitionReader>();

    // How long TryRead waits for records the reader knows exist (below the known end offset) but has not fetched yet.
    private static readonly TimeSpan KnownRecordsWait = TimeSpan.FromSeconds(15);
    private const int MaxIdleDelayMs = 20;

    private readonly KafkaTopicLog _log;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private string? _lastError;

    public KafkaPartitionReader(KafkaTopicLog log, int partition, long fromOffset, KafkaClients clients)
    {
        _log = log;
        Partition = partition;
        Position = fromOffset;
        _consumer = clients.NewConsumer($"streamsql-{log.Name}-{partition}");
        _consumer.Assign(new TopicPartitionOffset(log.Name, new Partition(partition), new Offset(fromOffset)));
    }

    public int Partition { get; }

    public long Position { get; private set; }

    public int TryRead(List<TopicRecord> into, int max)
    {
        var count = Drain(into, max, TimeSpan.Zero);
        if (count > 0 || Position >= _log.KnownEnd(Partition))
        {
            return count;
        }

        // Records up to the known end are durable in the cluster; wait (bounded) for the consumer's fetch to bring them.
        var deadline = DateTime.UtcNow + KnownRecordsWait;
        while (count == 0 && DateTime.UtcNow < deadline)
        {
            count = Drain(into, max, TimeSpan.FromMilliseconds(50));
        }

        return count;
    }

    public async ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken)
    {
        // The consumer's fetcher runs on librdkafka threads; polling its queue without blocking keeps thread-pool threads free.
        var delay = 1;
        while (true)
        {
            var count = Drain(into, max, TimeSpan.Zero);
            if (count > 0)
            {
                return count;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, MaxIdleDelayMs);
        }
    }

    private int Drain(List<TopicRecord> into, int max, TimeSpan firstWait)
    {
        var count = 0;
        var wait = firstWait;
        while (count < max)
        {
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = _consumer.Consume(wait);
            }
            catch (ConsumeException e)
            {
                if (e.Error.IsFatal)
                {
                    throw new IOException($"cannot read Kafka topic {_log.Name} partition {Partition}: {e.Error.Reason}", e);
                }

                if (_lastError != e.Error.Reason)
                {
                    _lastError = e.Error.Reason;
                    Log.Warning("Reading {Topic} partition {Partition}: {Reason}", _log.Name, Partition, e.Error.Reason);
                }

                break;
            }

            wait = TimeSpan.Zero;
            if (result is null)
            {
                break;
            }

            if (result.IsPartitionEOF || result.Offset.Value < Position)
            {
                continue;
            }

            into.Add(ToRecord(result));
            Position = result.Offset.Value + 1;
            count++;
        }

        return count;
    }

    private static TopicRecord ToRecord(ConsumeResult<byte[]?, byte[]?> result)
    {
        List<RecordHeader>? headers = null;
        if (result.Message.Headers is { Count: > 0 } source)
        {
            headers = new List<RecordHeader>(source.Count);
            foreach (var header in source)
            {
                headers.Add(new RecordHeader(header.Key, header.GetValueBytes()));
            }
        }

        return new TopicRecord(result.Offset.Value, result.Message.Timestamp.UnixTimestampMs, result.Message.Key, result.Message.Value, headers);
    }

    public void Dispose()
    {
        _consumer.Dispose();
    }
}
