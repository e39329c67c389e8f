using Serilog;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>Produce (key 0, v3-v7): decodes record batches v2, drops idempotent duplicates and appends the records, answering once they are durable.</summary>
/// <remarks>
/// Records are stored one by one in the embedded entry format (headers kept); compressed batches are decompressed first. acks=0 gets no response.
/// A transactional batch is buffered in its transaction instead (see TransactionCoordinator) and answered with base offset -1: it has no offset before the commit.
/// </remarks>
internal sealed class ProduceHandler : IKafkaHandler
{
    private static readonly ILogger Log = Serilog.Log.ForContext<ProduceHandler>();

    public ApiKey Key => ApiKey.Produce;

    public short MinVersion => 3;

    public short MaxVersion => 7;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        request.NullableString();
        var acks = request.Int16();
        request.Int32();
        var topicCount = request.ArrayLength();
        var topics = new List<(string Name, List<Task<PartitionResult>> Partitions)>(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            var name = request.String();
            var partitionCount = request.ArrayLength();
            var partitions = new List<Task<PartitionResult>>(Math.Max(partitionCount, 0));
            var log = exchange.Broker.Topics.Find(name);
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = request.Int32();
                var records = request.NullableBytesMemory();
                partitions.Add(AppendAsync(exchange.Broker, log, name, partition, records));
            }

            topics.Add((name, partitions));
        }

        var response = exchange.Response;
        response.ArrayLength(topics.Count);
        foreach (var (name, partitions) in topics)
        {
            response.String(name);
            response.ArrayLength(partitions.Count);
            foreach (var task in partitions)
            {
                var result = await task.ConfigureAwait(false);
                response.Int32(result.Partition);
                response.Int16(result.Error);
                response.Int64(result.BaseOffset);
                response.Int64(-1);
                if (exchange.Version >= 5)
                {
                    response.Int64(result.LogStartOffset);
                }
            }
        }

        response.Int32(0);
        return acks != 0;
    }

    private static async Task<PartitionResult> AppendAsync(KafkaBroker broker, ITopicLog? log, string topic, int partition, ReadOnlyMemory<byte>? data)
    {
        if (log is null || partition < 0 || partition >= log.PartitionCount)
        {
            return new PartitionResult(partition, ErrorCode.UnknownTopicOrPartition, -1, -1);
        }

        var batches = new List<DecodedBatch>();
        string? reason = null;
        var error = data is { } bytes ? RecordBatchDecoder.Decode(bytes, batches, out reason) : ErrorCode.None;
        if (error != ErrorCode.None)
        {
            Log.Warning("Rejected produce to {Topic}-{Partition}: {Reason}", topic, partition, reason);
            return new PartitionResult(partition, error, -1, -1);
        }

        long baseOffset = -1;
        var buffered = false;
        foreach (var batch in batches)
        {
            if (batch.IsTransactional)
            {
                error = broker.Transactions.Buffer(topic, partition, batch);
                if (error != ErrorCode.None)
                {
                    Log.Warning("Rejected transactional produce to {Topic}-{Partition} from producer {ProducerId} epoch {Epoch}: error {Error}", topic, partition, batch.ProducerId, batch.ProducerEpoch, error);
                    return new PartitionResult(partition, error, -1, -1);
                }

                buffered = true;
                continue;
            }

            error = broker.Producers.Check(topic, partition, batch, out var duplicateOffset);
            if (error != ErrorCode.None)
            {
                Log.Warning("Rejected produce to {Topic}-{Partition} from producer {ProducerId}: error {Error}", topic, partition, batch.ProducerId, error);
                return new PartitionResult(partition, error, -1, -1);
            }

            long offset;
            if (duplicateOffset >= 0)
            {
                offset = duplicateOffset;
            }
            else if (batch.Records.Count == 0)
            {
                continue;
            }
            else
            {
                // The append is not cancelled by a shutdown: a batch is either stored whole or not started.
                offset = await log.AppendAsync(partition, batch.Records, CancellationToken.None).ConfigureAwait(false);
                broker.Producers.Appended(topic, partition, batch, offset);
            }

            if (baseOffset < 0)
            {
                baseOffset = offset;
            }
        }

        if (baseOffset < 0)
        {
            baseOffset = buffered ? -1 : log.EndOffset(partition);
        }

        return new PartitionResult(partition, ErrorCode.None, baseOffset, log.StartOffset(partition));
    }

    private sealed record PartitionResult(int Partition, short Error, long BaseOffset, long LogStartOffset);
}
