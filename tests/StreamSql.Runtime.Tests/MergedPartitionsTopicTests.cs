using System.Text;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>A topic's partitions read as one (transient joins of inputs that are not co-partitioned).</summary>
public sealed class MergedPartitionsTopicTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-merged-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ProducedRecord Record(string value, long timestamp) => new([1], Encoding.UTF8.GetBytes(value), timestamp);

    private static string Text(TopicRecord record) => Encoding.UTF8.GetString(record.Value!);

    [Fact]
    public async Task AvailableRecordsComeInTimestampOrderWithMergedOffsets()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("t", 3);
        await topic.AppendAsync(0, [Record("a1", 10), Record("a2", 40)]);
        await topic.AppendAsync(1, [Record("b1", 20), Record("b2", 30)]);
        await topic.AppendAsync(2, [Record("c0", 5)]);

        var merged = new MergedPartitionsTopic(topic, [1, 0, 0], null);
        Assert.Equal(1, merged.PartitionCount);
        Assert.Equal(1, merged.Base);
        Assert.Equal(5, merged.EndOffset(0));
        using var reader = merged.OpenReader(0, merged.Base);
        var records = new List<TopicRecord>();
        Assert.Equal(4, reader.TryRead(records, 10));
        Assert.Equal(["c0", "b1", "b2", "a2"], records.Select(Text));
        Assert.Equal([1L, 2L, 3L, 4L], records.Select(r => r.Offset));
        Assert.Equal(5, reader.Position);

        // A wait ends with a record appended to any partition.
        records.Clear();
        var read = reader.ReadAsync(records, 10, CancellationToken.None).AsTask();
        Assert.False(read.IsCompleted);
        await topic.AppendAsync(2, [Record("c1", 50)]);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("c1", Text(records[0]));
        Assert.Equal(6, merged.EndOffset(0));
    }

    [Fact]
    public async Task StopsBoundEachPartition()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("s", 2);
        await topic.AppendAsync(0, [Record("a1", 1), Record("a2", 2)]);
        await topic.AppendAsync(1, [Record("b1", 1)]);
        var merged = new MergedPartitionsTopic(topic, [0, 0], [1, 1]);
        await topic.AppendAsync(1, [Record("b2", 0)]);

        Assert.Equal(2, merged.EndOffset(0));
        using var reader = merged.OpenReader(0, 0);
        var records = new List<TopicRecord>();
        reader.TryRead(records, 10);
        Assert.Equal(["a1", "b1"], records.Select(Text).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => merged.OpenReader(0, 1));
    }
}
