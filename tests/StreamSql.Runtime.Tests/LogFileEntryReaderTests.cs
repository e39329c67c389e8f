using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// Embedded partitions are read from their log files page by page: entries of any size, pages padded where the next
/// entry did not fit, readers starting mid-log and readers following appends all see every record once, in order.
/// </summary>
public sealed class LogFileEntryReaderTests : IDisposable
{
    private const int PageBytes = 1 << 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-logfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Sizes that leave pages with unused ends: many small entries, some large, one nearly a page.
    private static int SizeOf(int i) => i == 37 ? PageBytes - 200 : i % 7 == 0 ? 200_000 + i : 10 + i * 7 % 3000;

    private static ProducedRecord RecordOf(int i)
    {
        var value = new byte[SizeOf(i)];
        new Random(i).NextBytes(value);
        return new ProducedRecord(BitConverter.GetBytes(i), value, 1000 + i);
    }

    private const int Count = 120;

    private async Task<ITopicLog> WriteAsync(EmbeddedTopicStore store)
    {
        var topic = store.GetOrCreate("t", 1);
        for (var i = 0; i < Count; i += 5)
        {
            await topic.AppendAsync(0, [RecordOf(i), RecordOf(i + 1), RecordOf(i + 2), RecordOf(i + 3), RecordOf(i + 4)]);
        }

        return topic;
    }

    private static void AssertRecords(IReadOnlyList<TopicRecord> records, int from)
    {
        Assert.Equal(Count - from, records.Count);
        for (var j = 0; j < records.Count; j++)
        {
            var expected = RecordOf(from + j);
            Assert.Equal(from + j, records[j].Offset);
            Assert.Equal(expected.Timestamp, records[j].Timestamp);
            Assert.Equal(expected.Key, records[j].Key);
            Assert.True(expected.Value.AsSpan().SequenceEqual(records[j].Value), $"value of offset {from + j}");
        }
    }

    private static List<TopicRecord> ReadAll(ITopicLog topic, long from)
    {
        var records = new List<TopicRecord>();
        using var reader = topic.OpenReader(0, from);
        while (reader.TryRead(records, 7) > 0)
        {
        }

        return records;
    }

    [Fact]
    public async Task Entries_across_several_pages_read_back_whole_from_any_offset()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = await WriteAsync(store);
        var total = 0L;
        for (var i = 0; i < Count; i++)
        {
            total += SizeOf(i);
        }

        Assert.True(total > 4L * PageBytes, "the records span more pages than the log keeps in memory");
        AssertRecords(ReadAll(topic, 0), 0);
        AssertRecords(ReadAll(topic, 38), 38);
        AssertRecords(ReadAll(topic, Count - 1), Count - 1);
    }

    [Fact]
    public async Task The_index_rebuilt_at_open_points_at_each_entry_past_page_padding()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            await WriteAsync(store);
        }

        using var reopened = new EmbeddedTopicStore(_directory);
        var topic = reopened.Find("t")!;
        Assert.Equal(Count, topic.EndOffset(0));
        foreach (var from in new[] { 0, 36, 37, 38, 77, Count - 1 })
        {
            AssertRecords(ReadAll(topic, from), from);
        }
    }

    [Fact]
    public async Task Lent_records_follow_appends_as_they_commit()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("t", 1);
        using var reader = (IBorrowingPartitionReader)topic.OpenReader(0, 0);
        var copied = new CopyingConsumer();
        for (var i = 0; i < Count; i += 3)
        {
            Assert.Equal(0, reader.TryRead(copied, 100));
            var waiting = reader.WaitAsync(CancellationToken.None).AsTask();
            Assert.False(waiting.IsCompleted);
            await topic.AppendAsync(0, [RecordOf(i), RecordOf(i + 1), RecordOf(i + 2)]);
            await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(3, reader.TryRead(copied, 100));
        }

        AssertRecords(copied.Records, 0);
    }

    [Fact]
    public async Task Lending_records_read_from_the_files_allocates_nothing_per_record()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("t", 1);
        var value = new byte[300];
        for (var batch = 0; batch < 20; batch++)
        {
            var records = new ProducedRecord[1000];
            Array.Fill(records, new ProducedRecord(null, value, 1));
            await topic.AppendAsync(0, records);
        }

        using var reader = (IBorrowingPartitionReader)topic.OpenReader(0, 0);
        var counter = new CountingConsumer();
        Assert.Equal(10, reader.TryRead(counter, 10));
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (reader.TryRead(counter, 1000) > 0)
        {
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, counter.Count);

        // About 6 MB of entries over several pages, read in place: FasterLog's scan iterator allocated about 70 bytes per
        // record here (two closures per entry below its in-memory head).
        Assert.True(allocated < 20_000, $"{allocated} bytes allocated for 19,990 records");
    }

    private sealed class CountingConsumer : IBorrowedRecordConsumer
    {
        public int Count { get; private set; }

        public void Consume(in BorrowedRecord record) => Count++;
    }

    private sealed class CopyingConsumer : IBorrowedRecordConsumer
    {
        public List<TopicRecord> Records { get; } = [];

        public void Consume(in BorrowedRecord record) => Records.Add(record.ToRecord());
    }
}
