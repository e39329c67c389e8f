using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>Fetch (key 1, v4-v11): returns stored records as uncompressed v2 batches, long-polling up to max_wait_ms for min_bytes.</summary>
/// <remarks>Fetch sessions (KIP-227) are not kept: every response has session id 0, so clients send full fetch requests.</remarks>
internal sealed class FetchHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.Fetch;

    public short MinVersion => 4;

    public short MaxVersion => 11;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        request.Int32();
        var maxWaitMs = Math.Clamp(request.Int32(), 0, KafkaDefaults.MaxFetchWaitMs);
        var minBytes = request.Int32();
        var maxBytes = request.Int32();
        if (maxBytes <= 0)
        {
            maxBytes = int.MaxValue;
        }

        request.Int8();
        if (version >= 7)
        {
            request.Int32();
            request.Int32();
        }

        var wanted = ReadPartitions(exchange, request, version);
        if (version >= 7)
        {
            var forgotten = request.ArrayLength();
            for (var i = 0; i < forgotten; i++)
            {
                request.String();
                request.Int32Array();
            }
        }

        if (version >= 11)
        {
            request.String();
        }

        // Long-poll: until min_bytes are ready or max_wait_ms has passed, wait for more records on any partition not yet full.
        var deadline = Environment.TickCount64 + maxWaitMs;
        var ready = Fill(wanted);
        while (ready < minBytes && Environment.TickCount64 < deadline)
        {
            if (!await WaitForDataAsync(wanted, (int)(deadline - Environment.TickCount64), cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            ready = Fill(wanted);
        }

        WriteResponse(exchange.Response, version, wanted, maxBytes);
        return true;
    }

    private static List<(string Topic, List<Wanted> Partitions)> ReadPartitions(KafkaExchange exchange, KafkaReader request, short version)
    {
        var wanted = new List<(string Topic, List<Wanted> Partitions)>();
        var topicCount = request.ArrayLength();
        for (var t = 0; t < topicCount; t++)
        {
            var name = request.String();
            var partitions = new List<Wanted>();
            wanted.Add((name, partitions));
            var log = exchange.Broker.Topics.Find(name);
            var partitionCount = request.ArrayLength();
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = request.Int32();
                if (version >= 9)
                {
                    request.Int32();
                }

                var offset = request.Int64();
                if (version >= 5)
                {
                    request.Int64();
                }

                var partitionMaxBytes = Math.Max(request.Int32(), 1);
                var item = new Wanted(partition, partitionMaxBytes, log);
                if (log is null || partition < 0 || partition >= log.PartitionCount)
                {
                    item.Error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (offset < log.StartOffset(partition) || offset > log.EndOffset(partition))
                {
                    item.Error = ErrorCode.OffsetOutOfRange;
                }
                else
                {
                    item.Cursor = exchange.Session.Cursors.Get(log, partition, offset);
                }

                partitions.Add(item);
            }
        }

        return wanted;
    }

    private static int Fill(List<(string Topic, List<Wanted> Partitions)> wanted)
    {
        var ready = 0;
        foreach (var (_, partitions) in wanted)
        {
            foreach (var item in partitions)
            {
                if (item.Cursor is { } cursor)
                {
                    cursor.Fill(item.PartitionMaxBytes);
                    ready += cursor.BufferedBytes;
                }
            }
        }

        return ready;
    }

    /// <summary>Waits until a partition that is not yet full gets a new record, or the wait ends; false when no partition can take more.</summary>
    /// <remarks>Cancelled waits leave their cursors usable: a reader adds records only when its wait succeeds.</remarks>
    private static async Task<bool> WaitForDataAsync(List<(string Topic, List<Wanted> Partitions)> wanted, int waitMs, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(Math.Max(waitMs, 1));
        var waits = new List<Task>();
        foreach (var (_, partitions) in wanted)
        {
            foreach (var item in partitions)
            {
                if (item.Cursor is { } cursor && cursor.BufferedBytes < item.PartitionMaxBytes)
                {
                    waits.Add(cursor.WaitForMoreAsync(stop.Token));
                }
            }
        }

        if (waits.Count == 0)
        {
            return false;
        }

        await Task.WhenAny(waits).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(waits).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The other partitions had nothing new; their cursors stay where they were.
        }

        cancellationToken.ThrowIfCancellationRequested();
        return true;
    }

    private static void WriteResponse(KafkaWriter response, short version, List<(string Topic, List<Wanted> Partitions)> wanted, int maxBytes)
    {
        response.Int32(0);
        if (version >= 7)
        {
            response.Int16(ErrorCode.None);
            response.Int32(0);
        }

        var budget = maxBytes;
        response.ArrayLength(wanted.Count);
        foreach (var (topic, items) in wanted)
        {
            response.String(topic);
            response.ArrayLength(items.Count);
            foreach (var item in items)
            {
                var end = item.Log is not null && item.Error == ErrorCode.None ? item.Log.EndOffset(item.Partition) : -1;
                if (item.Error == ErrorCode.OffsetOutOfRange && item.Log is not null)
                {
                    end = item.Log.EndOffset(item.Partition);
                }

                response.Int32(item.Partition);
                response.Int16(item.Error);
                response.Int64(end);
                response.Int64(end);
                if (version >= 5)
                {
                    response.Int64(item.Log is not null && item.Error != ErrorCode.UnknownTopicOrPartition ? item.Log.StartOffset(item.Partition) : -1);
                }

                response.ArrayLength(0);
                if (version >= 11)
                {
                    response.Int32(-1);
                }

                var records = item.Cursor is { } cursor && budget > 0 ? cursor.Take(Math.Min(item.PartitionMaxBytes, budget)) : [];
                if (records.Count == 0)
                {
                    response.Int32(0);
                    continue;
                }

                var sizeAt = response.Reserve(4);
                RecordBatchEncoder.Write(response, records, 0, records.Count);
                var size = response.Position - sizeAt - 4;
                response.PatchInt32(sizeAt, size);
                budget -= size;
            }
        }
    }

    private sealed class Wanted(int partition, int partitionMaxBytes, ITopicLog? log)
    {
        public int Partition { get; } = partition;

        public int PartitionMaxBytes { get; } = partitionMaxBytes;

        public ITopicLog? Log { get; } = log;

        public short Error { get; set; }

        public PartitionCursor? Cursor { get; set; }
    }
}
