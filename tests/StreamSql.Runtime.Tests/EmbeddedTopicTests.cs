using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

public sealed class EmbeddedTopicTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-topics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ProducedRecord Record(string value) => new([1], System.Text.Encoding.UTF8.GetBytes(value), 42);

    [Fact]
    public async Task OffsetsArePerPartitionAndSurviveReopen()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            var topic = store.GetOrCreate("t", 2);
            Assert.Equal(0, await topic.AppendAsync(0, [Record("a"), Record("b")]));
            Assert.Equal(2, await topic.AppendAsync(0, [Record("c")]));
            Assert.Equal(0, await topic.AppendAsync(1, [Record("x")]));
            Assert.Equal((3L, 1L), (topic.EndOffset(0), topic.EndOffset(1)));
        }

        using (var reopened = new EmbeddedTopicStore(_directory))
        {
            var topic = reopened.Find("t")!;
            Assert.Equal(2, topic.PartitionCount);
            Assert.Equal((3L, 1L), (topic.EndOffset(0), topic.EndOffset(1)));
            Assert.Equal(3, await topic.AppendAsync(0, [Record("d")]));
            var records = new List<TopicRecord>();
            using var reader = topic.OpenReader(0, 1);
            while (reader.TryRead(records, 10) > 0)
            {
            }

            Assert.Equal(["b", "c", "d"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)));
            Assert.Equal([1L, 2L, 3L], records.Select(r => r.Offset));
            Assert.All(records, r => Assert.Equal(42, r.Timestamp));
        }
    }

    [Fact]
    public async Task ReaderWaitsForNewRecords()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("live", 1);
        using var reader = topic.OpenReader(0, 0);
        var records = new List<TopicRecord>();
        var read = reader.ReadAsync(records, 10, CancellationToken.None).AsTask();

        Assert.False(read.IsCompleted);
        await topic.AppendAsync(0, [Record("late")]);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("late", System.Text.Encoding.UTF8.GetString(records[0].Value!));
    }

    [Fact]
    public void DeleteRemovesTheTopicDirectory()
    {
        using var store = new EmbeddedTopicStore(_directory);
        store.GetOrCreate("gone", 1);
        store.Delete("gone");

        Assert.Null(store.Find("gone"));
        Assert.False(Directory.Exists(Path.Combine(_directory, "topics", "gone")));
    }
}
