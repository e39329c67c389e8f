using System.Text;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

public sealed class TopicHeadersAndTimestampTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-topics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<TopicRecord> ReadAll(ITopicLog topic, int partition)
    {
        var records = new List<TopicRecord>();
        using var reader = topic.OpenReader(partition, 0);
        while (reader.TryRead(records, 100) > 0)
        {
        }

        return records;
    }

    [Fact]
    public async Task HeadersSurviveReopenAndRecordsWithoutHeadersStayWithout()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            var topic = store.GetOrCreate("h", 1);
            await topic.AppendAsync(0,
            [
                new ProducedRecord(null, "plain"u8.ToArray(), 1),
                new ProducedRecord("k"u8.ToArray(), "with"u8.ToArray(), 2, [new RecordHeader("trace-id", "abc"u8.ToArray()), new RecordHeader("ünïcode", null), new RecordHeader("trace-id", [])]),
            ]);
        }

        using var reopened = new EmbeddedTopicStore(_directory);
        var records = ReadAll(reopened.Find("h")!, 0);
        Assert.Null(records[0].Headers);
        Assert.Equal("with", Encoding.UTF8.GetString(records[1].Value!));
        var headers = records[1].Headers!;
        Assert.Equal(["trace-id", "ünïcode", "trace-id"], headers.Select(h => h.Key));
        Assert.Equal("abc"u8.ToArray(), headers[0].Value);
        Assert.Null(headers[1].Value);
        Assert.Equal([], headers[2].Value!);
    }

    [Fact]
    public async Task OffsetForTimestampFollowsTheRunningMaximum()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("ts", 1);
        Assert.Equal(-1, topic.OffsetForTimestamp(0, 0));
        await topic.AppendAsync(0, [new(null, [1], 100), new(null, [2], 300), new(null, [3], 200), new(null, [4], 400)]);

        Assert.Equal(0, topic.OffsetForTimestamp(0, 50));
        Assert.Equal(0, topic.OffsetForTimestamp(0, 100));
        Assert.Equal(1, topic.OffsetForTimestamp(0, 150));
        Assert.Equal(1, topic.OffsetForTimestamp(0, 250));
        Assert.Equal(3, topic.OffsetForTimestamp(0, 301));
        Assert.Equal(-1, topic.OffsetForTimestamp(0, 401));
    }

    [Fact]
    public async Task TimestampIndexIsRebuiltAtOpen()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            await store.GetOrCreate("ts2", 1).AppendAsync(0, [new(null, [1], 10), new(null, [2], 20)]);
        }

        using var reopened = new EmbeddedTopicStore(_directory);
        Assert.Equal(1, reopened.Find("ts2")!.OffsetForTimestamp(0, 15));
    }
}
