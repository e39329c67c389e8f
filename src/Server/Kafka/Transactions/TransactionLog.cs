using System.Text;
using System.Text.Json;
using Serilog;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka.Transactions;

/// <summary>
/// Makes a transaction's commit atomic across partitions and crashes, through the internal topic _streamsql_transactions:
/// (1) its records and a commit record describing them are appended there in one durable append, (2) the records are
/// appended to their partitions and the group offsets committed, (3) a done record is appended. At start,
/// <see cref="Recover"/> finishes every commit without its done record, skipping partitions that already hold its records.
/// </summary>
/// <remarks>
/// Every record of the topic carries a first header <see cref="KindHeader"/>: "data:&lt;partition index&gt;" (a transaction
/// record, its own headers after this one), "commit" (JSON <see cref="TransactionCommit"/>) or "done" (the commit's id).
/// Records are kept as records rather than inside the JSON so each stays within the log's entry size. Commits are
/// serialized: the coordinator writes one at a time. The topic is not compacted.
/// </remarks>
internal sealed class TransactionLog
{
    public const string TopicName = "_streamsql_transactions";
    private const string KindHeader = "streamsql.txn";
    private const string DataKind = "data:";
    private const string CommitKind = "commit";
    private const string DoneKind = "done";
    private static readonly ILogger Log = Serilog.Log.ForContext<TransactionLog>();
    private readonly ITopicStore _topics;
    private readonly CommittedOffsets _offsets;
    private readonly ITopicLog _log;

    public TransactionLog(ITopicStore topics, CommittedOffsets offsets)
    {
        _topics = topics;
        _offsets = offsets;
        _log = topics.GetOrCreate(TopicName, 1);
    }

    /// <summary>Writes the whole transaction out; when this returns its records and offsets are visible and durable.</summary>
    public async Task CommitAsync(TransactionCommit commit, IReadOnlyList<IReadOnlyList<ProducedRecord>> records, CancellationToken cancellationToken)
    {
        await WriteIntentAsync(commit, records, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(commit, records, checkPresent: false, cancellationToken).ConfigureAwait(false);
        await WriteDoneAsync(commit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Describes a commit from its buffered records, recording each partition's log end offset now.</summary>
    public TransactionCommit Describe(string transactionalId, long producerId, short epoch, IReadOnlyList<(string Topic, int Partition, List<ProducedRecord> Records)> records, IReadOnlyList<CommittedOffset> offsets)
    {
        var partitions = new List<TransactionPartition>(records.Count);
        foreach (var (topic, partition, list) in records)
        {
            var log = _topics.Find(topic) ?? throw new InvalidOperationException($"topic {topic} was deleted during the transaction");
            partitions.Add(new TransactionPartition(topic, partition, log.LogEndOffset(partition), list.Count));
        }

        return new TransactionCommit(Guid.NewGuid().ToString("N"), transactionalId, producerId, epoch, partitions, offsets);
    }

    /// <summary>Step 1: the transaction's records, then its commit record, in one append; the commit counts once that is durable.</summary>
    internal async Task WriteIntentAsync(TransactionCommit commit, IReadOnlyList<IReadOnlyList<ProducedRecord>> records, CancellationToken cancellationToken)
    {
        var entries = new List<ProducedRecord>(commit.RecordCount + 1);
        for (var i = 0; i < records.Count; i++)
        {
            var kind = new RecordHeader(KindHeader, Encoding.UTF8.GetBytes(DataKind + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var record in records[i])
            {
                entries.Add(record with { Headers = [kind, .. record.Headers ?? []] });
            }
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        entries.Add(new ProducedRecord(Encoding.UTF8.GetBytes(commit.TransactionalId), JsonSerializer.SerializeToUtf8Bytes(commit), now, [new RecordHeader(KindHeader, Encoding.UTF8.GetBytes(CommitKind))]));

        // A crash during the append keeps at most a prefix of it: without its commit record the transaction never happened.
        await _log.AppendAsync(0, entries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Step 2: appends each partition's records (unless already there, when recovering) and commits the group offsets.</summary>
    internal async Task ApplyAsync(TransactionCommit commit, IReadOnlyList<IReadOnlyList<ProducedRecord>> records, bool checkPresent, CancellationToken cancellationToken)
    {
        for (var i = 0; i < commit.Partitions.Count; i++)
        {
            var target = commit.Partitions[i];
            var log = _topics.Find(target.Topic);
            if (log is null || target.Partition >= log.PartitionCount)
            {
                Log.Warning("Transaction {TransactionalId} commit {CommitId}: topic {Topic} partition {Partition} no longer exists; its {Count} records are dropped",
                    commit.TransactionalId, commit.Id, target.Topic, target.Partition, target.Count);
                continue;
            }

            if (checkPresent && IsPresent(log, target, records[i]))
            {
                Log.Information("Transaction {TransactionalId} commit {CommitId}: {Topic}-{Partition} already holds its records", commit.TransactionalId, commit.Id, target.Topic, target.Partition);
                continue;
            }

            if (records[i].Count > 0)
            {
                await log.AppendAsync(target.Partition, records[i], cancellationToken).ConfigureAwait(false);
            }
        }

        // Offsets are keyed by group/topic/partition: committing them again on recovery changes nothing.
        await _offsets.CommitAsync(commit.Offsets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Step 3: marks the commit complete so recovery leaves it alone.</summary>
    internal async Task WriteDoneAsync(TransactionCommit commit, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var done = new ProducedRecord(Encoding.UTF8.GetBytes(commit.TransactionalId), Encoding.UTF8.GetBytes(commit.Id), now, [new RecordHeader(KindHeader, Encoding.UTF8.GetBytes(DoneKind))]);
        await _log.AppendAsync(0, [done], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes every commit whose done record is missing (the server stopped between steps 1 and 3); returns how many.</summary>
    public int Recover()
    {
        var pending = new List<(long Offset, TransactionCommit Commit)>();
        var end = _log.LogEndOffset(0);
        var batch = new List<TopicRecord>();
        using (var reader = _log.OpenReader(0, 0))
        {
            while (reader.Position < end)
            {
                batch.Clear();
                if (reader.TryRead(batch, 1024) == 0)
                {
                    break;
                }

                foreach (var record in batch)
                {
                    switch (KindOf(record))
                    {
                        case CommitKind when record.Value is not null:
                            try
                            {
                                if (JsonSerializer.Deserialize<TransactionCommit>(record.Value) is { } commit)
                                {
                                    pending.Add((record.Offset, commit));
                                }
                            }
                            catch (JsonException e)
                            {
                                Log.Warning("Skipping unreadable transaction commit record at {Offset}: {Reason}", record.Offset, e.Message);
                            }

                            break;
                        case DoneKind when record.Value is not null:
                            var id = Encoding.UTF8.GetString(record.Value);
                            pending.RemoveAll(p => p.Commit.Id == id);
                            break;
                    }
                }
            }
        }

        foreach (var (offset, commit) in pending)
        {
            Log.Warning("Completing transaction {TransactionalId} commit {CommitId} interrupted by a stop ({Partitions} partitions, {Offsets} group offsets)",
                commit.TransactionalId, commit.Id, commit.Partitions.Count, commit.Offsets.Count);
            var records = ReadRecords(offset - commit.RecordCount, commit);
            ApplyAsync(commit, records, checkPresent: true, CancellationToken.None).GetAwaiter().GetResult();
            WriteDoneAsync(commit, CancellationToken.None).GetAwaiter().GetResult();
        }

        return pending.Count;
    }

    private static string? KindOf(TopicRecord record) =>
        record.Headers is [var first, ..] && first.Key == KindHeader && first.Value is not null ? Encoding.UTF8.GetString(first.Value) : null;

    // The data records just before a commit record, back in their partitions' lists without the kind header.
    private List<IReadOnlyList<ProducedRecord>> ReadRecords(long from, TransactionCommit commit)
    {
        var lists = commit.Partitions.Select(_ => (IReadOnlyList<ProducedRecord>)new List<ProducedRecord>()).ToList();
        var read = new List<TopicRecord>();
        using (var reader = _log.OpenReader(0, from))
        {
            while (read.Count < commit.RecordCount && reader.TryRead(read, commit.RecordCount - read.Count) > 0)
            {
            }
        }

        foreach (var record in read)
        {
            var kind = KindOf(record);
            if (kind is null || !kind.StartsWith(DataKind, StringComparison.Ordinal) || !int.TryParse(kind.AsSpan(DataKind.Length), out var index) || index >= lists.Count)
            {
                throw new InvalidDataException($"transaction commit {commit.Id}: record {record.Offset} of {TopicName} is not one of its data records");
            }

            var headers = record.Headers!.Count > 1 ? record.Headers.Skip(1).ToList() : null;
            ((List<ProducedRecord>)lists[index]).Add(new ProducedRecord(record.Key, record.Value, record.Timestamp, headers));
        }

        for (var i = 0; i < lists.Count; i++)
        {
            if (lists[i].Count != commit.Partitions[i].Count)
            {
                throw new InvalidDataException($"transaction commit {commit.Id}: found {lists[i].Count} of the {commit.Partitions[i].Count} records for {commit.Partitions[i].Topic}-{commit.Partitions[i].Partition}");
            }
        }

        return lists;
    }

    // Whether the run of records sits in the partition at or after the offset recorded before the append (other writers may have come first).
    private static bool IsPresent(ITopicLog log, TransactionPartition target, IReadOnlyList<ProducedRecord> records)
    {
        if (records.Count == 0)
        {
            return true;
        }

        var end = log.LogEndOffset(target.Partition);
        var stored = new List<TopicRecord>();
        using (var reader = log.OpenReader(target.Partition, target.StartOffset))
        {
            while (reader.Position < end && reader.TryRead(stored, 1024) > 0)
            {
            }
        }

        for (var start = 0; start + records.Count <= stored.Count; start++)
        {
            var match = true;
            for (var i = 0; i < records.Count && match; i++)
            {
                match = Same(stored[start + i], records[i]);
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(TopicRecord stored, ProducedRecord record)
    {
        if (stored.Timestamp != record.Timestamp || !Bytes(stored.Key, record.Key) || !Bytes(stored.Value, record.Value))
        {
            return false;
        }

        var a = stored.Headers ?? [];
        var b = record.Headers ?? [];
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Key != b[i].Key || !Bytes(a[i].Value, b[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Bytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
