using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Nexmark;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>A Nexmark stream generated on read (nexmark_storage='none'): which events each partition holds, in what order, and as what rows.</summary>
public sealed class NexmarkGeneratedTopicTests
{
    private static (NexmarkGeneratedTopic Topic, Planner.Catalog.StreamDefinition Stream) Create(string table, string columns, int partitions, long events)
    {
        var create = (CreateRelationStatement)SqlParser.ParseOne(
            $"CREATE STREAM s ({columns}) WITH (connector='nexmark', nexmark_table='{table}', events={events}, partitions={partitions}, timestamp='date_time', nexmark_storage='none')");
        var stream = StreamBinder.BindSource(create);
        var options = StreamBinder.BindNexmark(create)!;
        Assert.False(options.Stored);
        return (new NexmarkGeneratedTopic("s", stream, options), stream);
    }

    private static List<TopicRecord> ReadAll(ITopicLog topic, int partition)
    {
        var records = new List<TopicRecord>();
        using var reader = topic.OpenReader(partition, 0);
        while (reader.TryRead(records, 1000) > 0)
        {
        }

        return records;
    }

    [Theory]
    [InlineData("person", 1)]
    [InlineData("auction", 3)]
    [InlineData("bid", 2)]
    public void UnkeyedPartitionsHoldTheTablesEventsRoundRobinInOrder(string table, int partitions)
    {
        const long events = 5_003;
        var (topic, _) = Create(table, "date_time TIMESTAMP", partitions, events);
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = events });
        var kind = NexmarkTables.Parse(table)!.Value;
        var expected = new List<long>();
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) == kind)
            {
                expected.Add(n);
            }
        }

        for (var p = 0; p < partitions; p++)
        {
            var numbers = ReadAll(topic, p).Cast<GeneratedTopicRecord>().Select(r => r.EventNumber).ToList();
            Assert.Equal(expected.Where((_, k) => k % partitions == p), numbers);
            Assert.Equal(numbers.Count, topic.EndOffset(p));
        }
    }

    [Fact]
    public void RecordsGivenBackAreHandedOutAgainForLaterEvents()
    {
        var (topic, stream) = Create("bid", "auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP", 1, 500);
        var expected = ReadAll(topic, 0).Select(r => (r.Offset, r.Timestamp, ((GeneratedTopicRecord)r).EventNumber)).ToList();
        var codec = new RowCodec(stream);
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 500 });

        using var reader = (IRecyclingPartitionReader)topic.OpenReader(0, 0);
        var batch = new List<TopicRecord>();
        var seen = new HashSet<TopicRecord>(ReferenceEqualityComparer.Instance);
        var read = 0;
        while (reader.TryRead(batch, 100) > 0)
        {
            foreach (var record in batch)
            {
                var generated = (GeneratedTopicRecord)record;
                Assert.Equal(expected[read], (record.Offset, record.Timestamp, generated.EventNumber));
                var row = new Value[codec.RowWidth];
                Assert.True(codec.TryDecode(record, 0, row, out _));
                Assert.Equal(generator.NextBid(generated.EventNumber).Price, row[2].AsLong);
                seen.Add(record);
                read++;
            }

            reader.Recycle(batch);
            batch.Clear();
        }

        // Every batch after the first reused the first one's objects.
        Assert.Equal(expected.Count, read);
        Assert.True(read > 300, $"{read} bids");
        Assert.Equal(100, seen.Count);
    }

    [Fact]
    public void ColumnsTheQueryDoesNotReadStayNullAsInADecodedRecord()
    {
        // A join buffers its rows whole: the generated ones must not carry text the query never reads.
        var (topic, stream) = Create("bid", "auction BIGINT, price BIGINT, url VARCHAR, date_time TIMESTAMP", 1, 200);
        var codec = new RowCodec(stream, readColumns: [1, 3]);
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 200 });
        var rows = 0;
        foreach (var record in ReadAll(topic, 0))
        {
            var row = new Value[codec.RowWidth];
            Assert.True(codec.TryDecode(record, 0, row, out _));
            var bid = generator.NextBid(((GeneratedTopicRecord)record).EventNumber);
            Assert.True(row[0].IsNull);
            Assert.Equal(bid.Price, row[1].AsLong);
            Assert.True(row[2].IsNull);
            Assert.False(row[3].IsNull);
            rows++;
        }

        Assert.True(rows > 100, $"{rows} bids");
    }

    [Fact]
    public void KeyedPartitionsFollowTheKeysHashAndRowsCarryTheEventsFields()
    {
        var (topic, stream) = Create("bid", "auction BIGINT KEY, price BIGINT, date_time TIMESTAMP", 3, 2_000);
        var codec = new RowCodec(stream);
        var keyFormat = new KeyFormat(stream.KeyFormat, stream.Columns[0].Type);
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 2_000 });
        var total = 0;
        for (var p = 0; p < 3; p++)
        {
            foreach (var record in ReadAll(topic, p))
            {
                var row = new Value[codec.RowWidth];
                Assert.True(codec.TryDecode(record, p, row, out _));
                var bid = generator.NextBid(((GeneratedTopicRecord)record).EventNumber);
                Assert.Equal(bid.Auction, row[0].AsLong);
                Assert.Equal(bid.Price, row[1].AsLong);
                Assert.Equal(p, Partitioner.ForKey(keyFormat.Serialize(row[0])!, 3));
                Assert.Equal(p, row[4].AsLong);
                Assert.Equal(record.Offset, row[5].AsLong);
                total++;
            }
        }

        Assert.Equal(1_840, total);
    }

    [Fact]
    public void OffsetForTimestampFindsTheFirstRecordAtOrAfterIt()
    {
        var (topic, _) = Create("bid", "date_time TIMESTAMP", 1, 10_000);
        var records = ReadAll(topic, 0);
        var middle = records[records.Count / 2];
        var found = topic.OffsetForTimestamp(0, middle.Timestamp);
        Assert.Equal(middle.Timestamp, records[(int)found].Timestamp);
        Assert.True(found == 0 || records[(int)found - 1].Timestamp < middle.Timestamp);
        Assert.Equal(-1, topic.OffsetForTimestamp(0, records[^1].Timestamp + 1));
    }

    [Fact]
    public async Task ItCannotBeWritten()
    {
        var (topic, _) = Create("bid", "date_time TIMESTAMP", 1, 100);
        await Assert.ThrowsAsync<SqlException>(async () => await topic.AppendAsync(0, [new ProducedRecord(null, [1], 0)]));
    }
}
