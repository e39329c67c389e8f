using Serilog;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Kafka.Transactions;

/// <summary>
/// The transaction coordinator of this one-broker cluster. A transaction's records and offsets are buffered in memory and
/// nothing is appended before EndTxn(commit), so topics only ever hold committed records: read_committed and
/// read_uncommitted readers see the same, the last stable offset is the high watermark and no control records exist.
/// </summary>
/// <remarks>
/// Producer ids and epochs are kept in memory: after a restart a transactional id gets a new producer id at its next
/// init, and an open transaction is lost (as if aborted). Commits are made atomic by <see cref="TransactionLog"/>.
/// </remarks>
internal sealed class TransactionCoordinator : IDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<TransactionCoordinator>();
    private readonly object _gate = new();
    private readonly Dictionary<string, Transaction> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Transaction> _byProducerId = [];
    private readonly ProducerStates _producers;
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly Timer _timer;

    public TransactionCoordinator(ITopicStore topics, CommittedOffsets offsets, ProducerStates producers)
    {
        _producers = producers;
        TransactionLog = new TransactionLog(topics, offsets);
        var recovered = TransactionLog.Recover();
        if (recovered > 0)
        {
            Log.Information("Completed {Count} interrupted transaction commits", recovered);
        }

        _timer = new Timer(_ => ExpireTimedOut(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    public TransactionLog TransactionLog { get; }

    private static long Now => Environment.TickCount64;

    /// <summary>InitProducerId with a transactional id: the id's producer id with a bumped epoch (fencing older producers); an open transaction is aborted.</summary>
    public (short Error, long ProducerId, short Epoch) InitProducerId(string transactionalId, int timeoutMs)
    {
        if (transactionalId.Length == 0)
        {
            return (ErrorCode.InvalidRequest, -1, -1);
        }

        if (timeoutMs <= 0 || timeoutMs > KafkaDefaults.MaxTransactionTimeoutMs)
        {
            return (ErrorCode.InvalidTransactionTimeout, -1, -1);
        }

        lock (_gate)
        {
            if (!_byId.TryGetValue(transactionalId, out var txn))
            {
                txn = new Transaction(transactionalId, _producers.NextProducerId());
                _byId.Add(transactionalId, txn);
                _byProducerId.Add(txn.ProducerId, txn);
            }
            else if (txn.State == TransactionState.Committing)
            {
                return (ErrorCode.ConcurrentTransactions, -1, -1);
            }
            else
            {
                if (txn.State == TransactionState.Ongoing)
                {
                    Log.Information("Aborting the open transaction of {TransactionalId} (producer {ProducerId} epoch {Epoch}): a new producer initialized it",
                        transactionalId, txn.ProducerId, txn.Epoch);
                }

                BumpEpoch(txn);
                txn.Clear(outcome: null);
            }

            txn.TimeoutMs = timeoutMs;
            Log.Information("Transactional id {TransactionalId} initialized: producer {ProducerId} epoch {Epoch}", transactionalId, txn.ProducerId, txn.Epoch);
            return (ErrorCode.None, txn.ProducerId, txn.Epoch);
        }
    }

    /// <summary>AddPartitionsToTxn: all partitions are added, or none (the failing ones get their error, the rest OPERATION_NOT_ATTEMPTED).</summary>
    public List<(string Topic, List<(int Partition, short Error)> Partitions)> AddPartitions(
        string transactionalId, long producerId, short epoch, IReadOnlyList<(string Topic, int[] Partitions)> wanted, Func<string, ITopicLog?> findTopic, short version)
    {
        lock (_gate)
        {
            var error = Validate(transactionalId, producerId, epoch, version, out var txn);
            var results = new List<(string Topic, List<(int Partition, short Error)> Partitions)>();
            var failed = error != ErrorCode.None;
            foreach (var (topic, partitions) in wanted)
            {
                var log = findTopic(topic);
                var list = new List<(int, short)>();
                foreach (var partition in partitions)
                {
                    var code = error;
                    if (code == ErrorCode.None && (log is null || partition < 0 || partition >= log.PartitionCount || topic.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal)))
                    {
                        code = ErrorCode.UnknownTopicOrPartition;
                        failed = true;
                    }

                    list.Add((partition, code));
                }

                results.Add((topic, list));
            }

            if (failed)
            {
                foreach (var (_, list) in results)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i].Error == ErrorCode.None)
                        {
                            list[i] = (list[i].Partition, ErrorCode.OperationNotAttempted);
                        }
                    }
                }

                return results;
            }

            Begin(txn!);
            foreach (var (topic, partitions) in wanted)
            {
                foreach (var partition in partitions)
                {
                    txn!.Partitions.Add((topic, partition));
                }
            }

            return results;
        }
    }

    /// <summary>AddOffsetsToTxn: the transaction will commit offsets of this group.</summary>
    public short AddOffsets(string transactionalId, long producerId, short epoch, string groupId, short version)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }

        lock (_gate)
        {
            var error = Validate(transactionalId, producerId, epoch, version, out var txn);
            if (error == ErrorCode.None)
            {
                Begin(txn!);
                txn!.Groups.Add(groupId);
            }

            return error;
        }
    }

    /// <summary>TxnOffsetCommit: buffers group offsets until the transaction commits.</summary>
    public short CommitOffsets(string transactionalId, long producerId, short epoch, string groupId, IReadOnlyList<CommittedOffset> offsets)
    {
        lock (_gate)
        {
            // Fencing here answers INVALID_PRODUCER_EPOCH for every version served (PRODUCER_FENCED is not in TxnOffsetCommit v0-2).
            var error = Validate(transactionalId, producerId, epoch, version: 0, out var txn);
            if (error != ErrorCode.None)
            {
                return error;
            }

            if (txn!.State != TransactionState.Ongoing || !txn.Groups.Contains(groupId))
            {
                return ErrorCode.InvalidTxnState;
            }

            foreach (var offset in offsets)
            {
                txn.Offsets[(offset.Group, offset.Topic, offset.Partition)] = offset;
            }

            return ErrorCode.None;
        }
    }

    /// <summary>A Produce batch with the transactional bit: checked like an idempotent batch and buffered in its transaction.</summary>
    public short Buffer(string topic, int partition, DecodedBatch batch)
    {
        lock (_gate)
        {
            if (!_byProducerId.TryGetValue(batch.ProducerId, out var txn))
            {
                return ErrorCode.InvalidProducerIdMapping;
            }

            if (batch.ProducerEpoch != txn.Epoch)
            {
                return ErrorCode.InvalidProducerEpoch;
            }

            if (txn.State != TransactionState.Ongoing || !txn.Partitions.Contains((topic, partition)))
            {
                return ErrorCode.InvalidTxnState;
            }

            var error = _producers.Check(topic, partition, batch, out bool duplicate, out _);
            if (error != ErrorCode.None || duplicate)
            {
                return error;
            }

            var size = batch.Records.Sum(BufferedSize);
            if (txn.BufferedBytes + size > KafkaDefaults.MaxTransactionBytes)
            {
                Log.Warning("Refused a batch for transaction {TransactionalId}: it would buffer more than {Limit} bytes", txn.TransactionalId, KafkaDefaults.MaxTransactionBytes);
                return ErrorCode.RecordListTooLarge;
            }

            txn.BufferedBytes += size;
            txn.RecordsOf(topic, partition).AddRange(batch.Records);
            _producers.Appended(topic, partition, batch, -1);
            return ErrorCode.None;
        }
    }

    /// <summary>EndTxn: commits (durably, atomically across partitions) or discards the open transaction.</summary>
    public async Task<short> EndAsync(string transactionalId, long producerId, short epoch, bool commit, short version, CancellationToken cancellationToken)
    {
        TransactionCommit description;
        List<IReadOnlyList<ProducedRecord>> records;
        Transaction txn;
        lock (_gate)
        {
            var error = Validate(transactionalId, producerId, epoch, version, out var found);
            if (error != ErrorCode.None)
            {
                return error;
            }

            txn = found!;
            if (txn.State == TransactionState.Empty)
            {
                // A retry of the EndTxn that ended it gets the same answer; an abort of nothing is harmless.
                return txn.LastOutcome == commit || !commit ? ErrorCode.None : ErrorCode.InvalidTxnState;
            }

            if (!commit)
            {
                Log.Information("Transaction {TransactionalId} aborted: {Bytes} buffered bytes discarded", transactionalId, txn.BufferedBytes);
                txn.Clear(outcome: false);
                return ErrorCode.None;
            }

            try
            {
                description = TransactionLog.Describe(transactionalId, producerId, epoch, txn.Records, [.. txn.Offsets.Values]);
            }
            catch (InvalidOperationException e)
            {
                Log.Warning("Transaction {TransactionalId} cannot commit: {Reason}", transactionalId, e.Message);
                return ErrorCode.UnknownTopicOrPartition;
            }

            records = txn.Records.Select(r => (IReadOnlyList<ProducedRecord>)r.Records).ToList();
            txn.State = TransactionState.Committing;
        }

        var result = ErrorCode.None;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // Not cancelled by a shutdown: once the commit record is durable the rest must follow (or be redone at start).
            await TransactionLog.CommitAsync(description, records, CancellationToken.None).ConfigureAwait(false);
            Log.Information("Transaction {TransactionalId} committed: {Records} records in {Partitions} partitions, {Offsets} group offsets",
                transactionalId, description.RecordCount, description.Partitions.Count, description.Offsets.Count);
        }
        catch (Exception e)
        {
            // Whatever part of the commit record became durable is completed by recovery at the next start.
            Log.Error(e, "Transaction {TransactionalId} commit {CommitId} failed", transactionalId, description.Id);
            result = ErrorCode.UnknownServerError;
        }
        finally
        {
            _commitGate.Release();
        }

        lock (_gate)
        {
            txn.Clear(outcome: result == ErrorCode.None ? true : null);
        }

        return result;
    }

    // What a buffered record costs: its bytes plus a rough per-record overhead.
    private static long BufferedSize(ProducedRecord record) =>
        64L + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0) + (record.Headers?.Sum(h => 16L + h.Key.Length + (h.Value?.Length ?? 0)) ?? 0);

    // Under _gate.
    private short Validate(string transactionalId, long producerId, short epoch, short version, out Transaction? txn)
    {
        if (!_byId.TryGetValue(transactionalId, out txn) || txn.ProducerId != producerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }

        if (epoch != txn.Epoch)
        {
            // PRODUCER_FENCED exists from v2 of AddPartitionsToTxn, AddOffsetsToTxn and EndTxn; older versions get INVALID_PRODUCER_EPOCH.
            return version >= 2 ? ErrorCode.ProducerFenced : ErrorCode.InvalidProducerEpoch;
        }

        return txn.State == TransactionState.Committing ? ErrorCode.ConcurrentTransactions : ErrorCode.None;
    }

    // Under _gate.
    private static void Begin(Transaction txn)
    {
        if (txn.State == TransactionState.Empty)
        {
            txn.State = TransactionState.Ongoing;
            txn.StartedAt = Now;
        }
    }

    // Under _gate. An exhausted epoch moves the id to a fresh producer id, as Kafka does.
    private void BumpEpoch(Transaction txn)
    {
        if (txn.Epoch < short.MaxValue - 1)
        {
            txn.Epoch++;
            return;
        }

        _byProducerId.Remove(txn.ProducerId);
        txn.ProducerId = _producers.NextProducerId();
        txn.Epoch = 0;
        _byProducerId.Add(txn.ProducerId, txn);
    }

    // A transaction open longer than its timeout is aborted and its producer fenced (the epoch moves on), as Kafka does.
    private void ExpireTimedOut()
    {
        lock (_gate)
        {
            var now = Now;
            foreach (var txn in _byId.Values)
            {
                if (txn.State == TransactionState.Ongoing && now - txn.StartedAt > txn.TimeoutMs)
                {
                    Log.Warning("Transaction {TransactionalId} (producer {ProducerId} epoch {Epoch}) timed out after {TimeoutMs} ms: aborted and its producer fenced",
                        txn.TransactionalId, txn.ProducerId, txn.Epoch, txn.TimeoutMs);
                    BumpEpoch(txn);
                    txn.Clear(outcome: false);
                }
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _commitGate.Dispose();
    }
}
