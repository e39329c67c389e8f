using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>An embedded partition lends its records in place: the same records, in the same order, as reading copies.</summary>
public sealed class BorrowingReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-borrow-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Copies what it is lent (as a consumer that keeps records must).</summary>
    private sealed class Collector : IBorrowedRecordConsumer
    {
        public List<TopicRecord> Records { get; } = [];

        public void Consume(in BorrowedRecord record)
        {
            var copy = record.ToRecord();
            Assert.Equal((record.Offset, record.Timestamp, record.HasKey, record.HasValue), (copy.Offset, copy.Timestamp, copy.Key is not null, copy.Value is not null));
            Records.Add(copy);
        }
    }

    private static ProducedRecord RandomRecord(Random random, int i)
    {
        byte[]? Bytes(int nullOneIn) => random.Next(nullOneIn) == 0 ? null : Enumerable.Range(0, random.Next(0, 600)).Select(_ => (byte)random.Next(256)).ToArray();
        var headers = random.Next(5) == 0 ? new[] { new RecordHeader("h" + i, Bytes(3)) } : null;
        return new ProducedRecord(Bytes(4), Bytes(10), 1_700_000_000_000 + i, headers);
    }

    private static void AssertSame(IReadOnlyList<TopicRecord> expected, IReadOnlyList<TopicRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Offset, actual[i].Offset);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Key, actual[i].Key);
            Assert.Equal(expected[i].Value, actual[i].Value);
            Assert.Equal(expected[i].Headers?.Select(h => (h.Key, h.Value)), actual[i].Headers?.Select(h => (h.Key, h.Value)));
        }
    }

    [Fact]
    public async Task LentRecordsAreTheRecordsReadAsCopies()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("t", 1);
        var random = new Random(7);
        for (var chunk = 0; chunk < 20; chunk++)
        {
            await topic.AppendAsync(0, [.. Enumerable.Range(chunk * 1000, 1000).Select(i => RandomRecord(random, i))]);
        }

        var copies = new List<TopicRecord>();
        using (var reader = topic.OpenReader(0, 0))
        {
            while (reader.TryRead(copies, 777) > 0)
            {
            }
        }

        var collector = new Collector();
        using (var reader = (IBorrowingPartitionReader)topic.OpenReader(0, 0))
        {
            int lent;
            while ((lent = reader.TryRead(collector, 777)) > 0)
            {
                Assert.True(lent <= 777);
                Assert.Equal(collector.Records[^1].Offset + 1, reader.Position);
            }
        }

        Assert.Equal(20_000, copies.Count);
        Assert.Contains(copies, r => r.Headers is not null);
        Assert.Contains(copies, r => r.Key is null);
        Assert.Contains(copies, r => r.Value is null);
        AssertSame(copies, collector.Records);

        // From an offset in the middle.
        var fromMiddle = new Collector();
        using (var reader = (IBorrowingPartitionReader)topic.OpenReader(0, 12_345))
        {
            while (reader.TryRead(fromMiddle, 1000) > 0)
            {
            }
        }

        AssertSame(copies[12_345..], fromMiddle.Records);
    }

    [Fact]
    public async Task ALentReadStopsAtTheStableEndAndResumesWhenItMoves()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("fenced", 1);
        await topic.AppendAsync(0, [new ProducedRecord(null, "committed"u8.ToArray(), 1)]);
        using var reader = (IBorrowingPartitionReader)topic.OpenReader(0, 0);
        topic.Fence(0, topic.LogEndOffset(0));
        await topic.AppendAsync(0, [new ProducedRecord(null, "pending-1"u8.ToArray(), 2), new ProducedRecord(null, "pending-2"u8.ToArray(), 3)]);

        var collector = new Collector();
        Assert.Equal(1, reader.TryRead(collector, 10));
        Assert.Equal(0, reader.TryRead(collector, 10));
        var waiting = reader.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        topic.Unfence(0, 1);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, reader.TryRead(collector, 10));
        Assert.Equal(["committed", "pending-1", "pending-2"], collector.Records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(3L, reader.Position);

        // Nothing more: waiting needs a new record.
        var next = reader.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        await topic.AppendAsync(0, [new ProducedRecord(null, "later"u8.ToArray(), 4)]);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, reader.TryRead(collector, 10));
        Assert.Equal("later", System.Text.Encoding.UTF8.GetString(collector.Records[^1].Value!));
    }
}
