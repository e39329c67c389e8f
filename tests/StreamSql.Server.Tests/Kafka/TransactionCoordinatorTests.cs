using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;
using StreamSql.Server.Kafka;
using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;
using StreamSql.Server.Kafka.Transactions;

namespace StreamSql.Server.Tests.Kafka;

/// <summary>The transaction coordinator's rules: epochs and fencing, what must be added before producing, buffering until commit, the size limit.</summary>
public sealed class TransactionCoordinatorTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "streamsql-txn-coordinator-" + Guid.NewGuid().ToString("N"));
    private readonly EmbeddedTopicStore _store;
    private readonly CommittedOffsets _offsets;
    private readonly TransactionCoordinator _coordinator;

    public TransactionCoordinatorTests()
    {
        _store = new EmbeddedTopicStore(_directory);
        _store.GetOrCreate("out", 2);
        _offsets = new CommittedOffsets(_store);
        _coordinator = new TransactionCoordinator(_store, _offsets, new ProducerStates());
    }

    private static DecodedBatch Batch(long producerId, short epoch, int sequence, int count = 1, byte[]? value = null) =>
        new(producerId, epoch, sequence, count, Enumerable.Range(0, count).Select(i => new ProducedRecord(null, value ?? [(byte)(sequence + i)], 1)).ToList(), IsTransactional: true);

    private short Add(long producerId, short epoch, short version = 1, string topic = "out", int partition = 0) =>
        _coordinator.AddPartitions("tx", producerId, epoch, [(topic, [partition])], _store.Find, version).Single().Partitions.Single().Error;

    private long End(int partition = 0) => _store.Find("out")!.EndOffset(partition);

    [Fact]
    public void EachInitBumpsTheEpochOfTheSameProducerId()
    {
        var first = _coordinator.InitProducerId("tx", 60_000);
        var second = _coordinator.InitProducerId("tx", 60_000);
        Assert.Equal((ErrorCode.None, (short)0), (first.Error, first.Epoch));
        Assert.Equal((ErrorCode.None, first.ProducerId, (short)1), second);
        Assert.NotEqual(first.ProducerId, _coordinator.InitProducerId("other", 60_000).ProducerId);
        Assert.Equal(ErrorCode.InvalidTransactionTimeout, _coordinator.InitProducerId("tx", KafkaDefaults.MaxTransactionTimeoutMs + 1).Error);
    }

    [Fact]
    public async Task ANewInitFencesTheOldEpochAndAbortsItsTransaction()
    {
        var (_, producerId, epoch) = _coordinator.InitProducerId("tx", 60_000);
        Assert.Equal(ErrorCode.None, Add(producerId, epoch));
        Assert.Equal(ErrorCode.None, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 0)));

        var (_, _, newEpoch) = _coordinator.InitProducerId("tx", 60_000);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 1)));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Add(producerId, epoch, version: 1));
        Assert.Equal(ErrorCode.ProducerFenced, Add(producerId, epoch, version: 2));
        Assert.Equal(ErrorCode.ProducerFenced, await _coordinator.EndAsync("tx", producerId, epoch, commit: true, version: 2, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await _coordinator.EndAsync("tx", producerId + 1000, newEpoch, commit: true, version: 2, CancellationToken.None));

        // The old transaction is gone: committing under the new epoch has nothing to commit.
        Assert.Equal(ErrorCode.InvalidTxnState, await _coordinator.EndAsync("tx", producerId, newEpoch, commit: true, version: 2, CancellationToken.None));
        Assert.Equal(0, End());
    }

    [Fact]
    public async Task RecordsAreBufferedUntilCommitAndDiscardedOnAbort()
    {
        var (_, producerId, epoch) = _coordinator.InitProducerId("tx", 60_000);
        Assert.Equal(ErrorCode.InvalidTxnState, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 0)));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, _coordinator.Buffer("out", 0, Batch(producerId + 1000, epoch, 0)));

        Assert.Equal(ErrorCode.None, Add(producerId, epoch));
        Assert.Equal(ErrorCode.None, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 0, count: 3)));
        Assert.Equal(ErrorCode.None, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 0, count: 3)));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 7)));
        Assert.Equal(ErrorCode.InvalidTxnState, _coordinator.Buffer("out", 1, Batch(producerId, epoch, 0)));
        Assert.Equal(0, End());

        Assert.Equal(ErrorCode.None, await _coordinator.EndAsync("tx", producerId, epoch, commit: true, version: 1, CancellationToken.None));
        Assert.Equal(3, End());
        Assert.Equal(ErrorCode.None, await _coordinator.EndAsync("tx", producerId, epoch, commit: true, version: 1, CancellationToken.None));
        Assert.Equal(3, End());

        Assert.Equal(ErrorCode.None, Add(producerId, epoch));
        Assert.Equal(ErrorCode.None, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 3, count: 2)));
        Assert.Equal(ErrorCode.None, await _coordinator.EndAsync("tx", producerId, epoch, commit: false, version: 1, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidTxnState, await _coordinator.EndAsync("tx", producerId, epoch, commit: true, version: 1, CancellationToken.None));
        Assert.Equal(3, End());
    }

    [Fact]
    public void AddPartitionsIsAllOrNothing()
    {
        var (_, producerId, epoch) = _coordinator.InitProducerId("tx", 60_000);
        var results = _coordinator.AddPartitions("tx", producerId, epoch, [("out", [0, 5]), ("missing", [0]), ("_streamsql_transactions", [0])], _store.Find, 2);
        Assert.Equal(
            [ErrorCode.OperationNotAttempted, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition],
            results.SelectMany(r => r.Partitions).Select(p => p.Error));
        Assert.Equal(ErrorCode.InvalidTxnState, _coordinator.Buffer("out", 0, Batch(producerId, epoch, 0)));
    }

    [Fact]
    public async Task GroupOffsetsApplyAtCommitOnly()
    {
        var (_, producerId, epoch) = _coordinator.InitProducerId("tx", 60_000);
        var offset = new CommittedOffset("g", "in", 0, 42, -1, null);
        Assert.Equal(ErrorCode.InvalidTxnState, _coordinator.CommitOffsets("tx", producerId, epoch, "g", [offset]));
        Assert.Equal(ErrorCode.None, _coordinator.AddOffsets("tx", producerId, epoch, "g", 2));
        Assert.Equal(ErrorCode.None, _coordinator.CommitOffsets("tx", producerId, epoch, "g", [offset]));
        Assert.Null(_offsets.Find("g", "in", 0));

        Assert.Equal(ErrorCode.None, await _coordinator.EndAsync("tx", producerId, epoch, commit: true, version: 2, CancellationToken.None));
        Assert.Equal(42, _offsets.Find("g", "in", 0)!.Offset);

        Assert.Equal(ErrorCode.None, _coordinator.AddOffsets("tx", producerId, epoch, "g", 2));
        Assert.Equal(ErrorCode.None, _coordinator.CommitOffsets("tx", producerId, epoch, "g", [offset with { Offset = 50 }]));
        Assert.Equal(ErrorCode.None, await _coordinator.EndAsync("tx", producerId, epoch, commit: false, version: 2, CancellationToken.None));
        Assert.Equal(42, _offsets.Find("g", "in", 0)!.Offset);
    }

    [Fact]
    public void ATransactionBufferingMoreThanTheLimitIsRefused()
    {
        var (_, producerId, epoch) = _coordinator.InitProducerId("tx", 60_000);
        Assert.Equal(ErrorCode.None, Add(producerId, epoch));
        var megabyte = new byte[1024 * 1024];
        var sequence = 0;
        short error;
        while ((error = _coordinator.Buffer("out", 0, Batch(producerId, epoch, sequence, value: megabyte))) == ErrorCode.None)
        {
            sequence++;
        }

        Assert.Equal(ErrorCode.RecordListTooLarge, error);
        Assert.Equal(KafkaDefaults.MaxTransactionBytes / megabyte.Length - 1, sequence);
    }

    public void Dispose()
    {
        _coordinator.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
