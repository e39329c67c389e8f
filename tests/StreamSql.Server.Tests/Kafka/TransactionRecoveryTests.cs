using System.Text;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;
using StreamSql.Server.Kafka;
using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Transactions;

namespace StreamSql.Server.Tests.Kafka;

/// <summary>A transaction commit interrupted after its durable commit record is completed when the broker state reopens: exactly once.</summary>
public sealed class TransactionRecoveryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "streamsql-txn-recovery-" + Guid.NewGuid().ToString("N"));

    private static ProducedRecord Record(string value, params (string Key, string Value)[] headers) =>
        new(Encoding.UTF8.GetBytes("k-" + value), Encoding.UTF8.GetBytes(value), 1_000, headers.Length == 0 ? null : headers.Select(h => new RecordHeader(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToList());

    private static List<string> Values(ITopicStore store, string topic, int partition)
    {
        var log = store.Find(topic)!;
        var records = new List<TopicRecord>();
        using (var reader = log.OpenReader(partition, 0))
        {
            while (reader.Position < log.EndOffset(partition) && reader.TryRead(records, 100) > 0)
            {
            }
        }

        return records.Select(r => Encoding.UTF8.GetString(r.Value!)).ToList();
    }

    /// <summary>Writes step 1 of a commit (records and commit record) to the transactions topic, as a broker killed right after it would leave it.</summary>
    private static async Task<TransactionCommit> WriteIntentOnlyAsync(ITopicStore store, CommittedOffsets offsets, List<(string Topic, int Partition, List<ProducedRecord> Records)> records)
    {
        var log = new TransactionLog(store, offsets);
        var commit = log.Describe("tx-1", 77, 3, records, [new CommittedOffset("group", "input", 0, 7, -1, "meta")]);
        await log.WriteIntentAsync(commit, records.Select(r => (IReadOnlyList<ProducedRecord>)r.Records).ToList(), CancellationToken.None);
        return commit;
    }

    private static List<(string Topic, int Partition, List<ProducedRecord> Records)> Transaction() =>
    [
        ("out-a", 0, [Record("a1", ("trace", "t1")), Record("a2")]),
        ("out-b", 1, [Record("b1")]),
    ];

    [Fact]
    public async Task ACommitWithoutItsDoneRecordIsAppliedOnceAtStartAndNotAgainAtTheNext()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            store.GetOrCreate("out-a", 1);
            store.GetOrCreate("out-b", 2);
            await store.Find("out-a")!.AppendAsync(0, [Record("before")]);
            await WriteIntentOnlyAsync(store, new CommittedOffsets(store), Transaction());
            Assert.Equal(["before"], Values(store, "out-a", 0));
            Assert.Empty(Values(store, "out-b", 1));
        }

        for (var start = 0; start < 2; start++)
        {
            using var store = new EmbeddedTopicStore(_directory);
            var offsets = new CommittedOffsets(store);
            using (new TransactionCoordinator(store, offsets, new ProducerStates()))
            {
                Assert.Equal(["before", "a1", "a2"], Values(store, "out-a", 0));
                Assert.Equal(["b1"], Values(store, "out-b", 1));
                Assert.Empty(Values(store, "out-b", 0));
                Assert.Equal((7L, "meta"), (offsets.Find("group", "input", 0)!.Offset, offsets.Find("group", "input", 0)!.Metadata));
            }

            // The headers come back as produced, without the transactions topic's own.
            var log = store.Find("out-a")!;
            var records = new List<TopicRecord>();
            using (var reader = log.OpenReader(0, 1))
            {
                reader.TryRead(records, 1);
            }

            Assert.Equal([("trace", "t1")], records.Single().Headers!.Select(h => (h.Key, Encoding.UTF8.GetString(h.Value!))));
            Assert.Equal(0, new TransactionLog(store, offsets).Recover());
        }
    }

    [Fact]
    public async Task PartitionsThatAlreadyHoldTheRecordsAreSkipped()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            store.GetOrCreate("out-a", 1);
            store.GetOrCreate("out-b", 2);
            var transaction = Transaction();
            await WriteIntentOnlyAsync(store, new CommittedOffsets(store), transaction);

            // Killed after out-a's append (another writer came first, one came after) and before out-b's.
            var outA = store.Find("out-a")!;
            await outA.AppendAsync(0, [Record("other")]);
            await outA.AppendAsync(0, transaction[0].Records);
            await outA.AppendAsync(0, [Record("later")]);
        }

        using (var store = new EmbeddedTopicStore(_directory))
        {
            using (new TransactionCoordinator(store, new CommittedOffsets(store), new ProducerStates()))
            {
            }

            Assert.Equal(["other", "a1", "a2", "later"], Values(store, "out-a", 0));
            Assert.Equal(["b1"], Values(store, "out-b", 1));
        }
    }

    [Fact]
    public async Task ACompletedCommitIsNotAppliedAgain()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            store.GetOrCreate("out-a", 1);
            store.GetOrCreate("out-b", 2);
            var offsets = new CommittedOffsets(store);
            var log = new TransactionLog(store, offsets);
            var records = Transaction();
            var commit = log.Describe("tx-1", 77, 3, records, []);
            await log.CommitAsync(commit, records.Select(r => (IReadOnlyList<ProducedRecord>)r.Records).ToList(), CancellationToken.None);
        }

        using (var store = new EmbeddedTopicStore(_directory))
        {
            Assert.Equal(0, new TransactionLog(store, new CommittedOffsets(store)).Recover());
            Assert.Equal(["a1", "a2"], Values(store, "out-a", 0));
            Assert.Equal(["b1"], Values(store, "out-b", 1));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
