using System.Text;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>A persistent query's output is invisible to readers until the input offsets it came from are committed.</summary>
public sealed class ReadCommittedTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-rc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task FencedRecordsAreHiddenUntilUnfenced()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("out", 1);
        await topic.AppendAsync(0, [Record("committed")]);
        using var reader = topic.OpenReader(0, 0);

        topic.Fence(0, topic.LogEndOffset(0));
        await topic.AppendAsync(0, [Record("pending-1"), Record("pending-2")]);
        Assert.Equal((1L, 3L), (topic.EndOffset(0), topic.LogEndOffset(0)));

        var records = new List<TopicRecord>();
        Assert.Equal(1, reader.TryRead(records, 10));
        Assert.Equal(0, reader.TryRead(records, 10));
        var waiting = reader.ReadAsync(records, 10, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        topic.Unfence(0, 1);
        Assert.Equal(2, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["committed", "pending-1", "pending-2"], records.Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(3L, topic.EndOffset(0));
    }

    [Fact]
    public async Task TheStableEndIsTheLowestOpenFence()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("shared", 1);
        topic.Fence(0, 0);
        await topic.AppendAsync(0, [Record("a")]);
        topic.Fence(0, 1);
        await topic.AppendAsync(0, [Record("b")]);

        // The first writer commits: its record shows, the second writer's still does not.
        topic.Unfence(0, 0);
        Assert.Equal(1L, topic.EndOffset(0));
        topic.Unfence(0, 1);
        Assert.Equal(2L, topic.EndOffset(0));
    }

    [Fact]
    public async Task ASinkBatchIsInvisibleUntilItsOffsetIsCommitted()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var output = store.GetOrCreate("sink", 2);
        var offsets = new OffsetStore(Path.Combine(_directory, "offsets"));
        var observed = new List<(long Stable, long LogEnd, long Committed, int Readable)>();
        var watched = new WatchingTopic(output, () =>
        {
            using var reader = output.OpenReader(0, 0);
            var records = new List<TopicRecord>();
            observed.Add((output.EndOffset(0), output.LogEndOffset(0), offsets.Exists(0) ? offsets.Load(0) : -1, reader.TryRead(records, 100)));
        });
        var sink = new TopicRowSink(watched, (row, _) => new ProducedRecord(null, Encoding.UTF8.GetBytes(row[0].AsLong.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0), offsets, new SemaphoreSlim(1));

        var batch = new RowBatch { Partition = 0, StartOffset = 0, EndOffset = 5 };
        batch.Add([Value.FromInt(1)]);
        batch.Add([Value.FromInt(2)]);
        await sink.WriteAsync(batch, CancellationToken.None);

        // Right after the append, before the offset commit: the records are in the log but nobody can read them.
        Assert.Equal([(0L, 2L, -1L, 0)], observed);
        Assert.Equal(5L, offsets.Load(0));
        Assert.Equal(2L, output.EndOffset(0));
        using var after = output.OpenReader(0, 0);
        Assert.Equal(2, after.TryRead([], 100));
    }

    private static ProducedRecord Record(string value) => new(null, Encoding.UTF8.GetBytes(value), 42);

    /// <summary>Calls back after each append returns, i.e. between a sink's output and its offset commit.</summary>
    private sealed class WatchingTopic(ITopicLog inner, Action afterAppend) : ITopicLog
    {
        public string Name => inner.Name;

        public int PartitionCount => inner.PartitionCount;

        public async ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default)
        {
            var first = await inner.AppendAsync(partition, records, cancellationToken);
            afterAppend();
            return first;
        }

        public long EndOffset(int partition) => inner.EndOffset(partition);

        public long LogEndOffset(int partition) => inner.LogEndOffset(partition);

        public void Fence(int partition, long offset) => inner.Fence(partition, offset);

        public void Unfence(int partition, long offset) => inner.Unfence(partition, offset);

        public long StartOffset(int partition) => inner.StartOffset(partition);

        public long OffsetForTimestamp(int partition, long timestamp) => inner.OffsetForTimestamp(partition, timestamp);

        public IPartitionReader OpenReader(int partition, long fromOffset) => inner.OpenReader(partition, fromOffset);
    }
}
