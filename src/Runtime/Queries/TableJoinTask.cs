using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// One partition task of a persistent table–table join: reads partition p of both (co-partitioned) changelogs. Each batch
/// is what both sides have available, merged by record timestamp (left first on ties); the merge of exactly the records a
/// batch covers is its whole input, so <see cref="ReplayBatchAsync"/> can redo it after a crash. Each key's change goes
/// through the pipeline above the join (its old and new result separately) and becomes an insert, update or delete.
/// </summary>
public sealed class TableJoinTask
{
    private const int MaxBatch = 16384;
    private readonly ITopicLog[] _topics;
    private readonly int _partition;
    private readonly TableTableJoinOperator _join;
    private readonly PartitionPipeline _above;
    private readonly IRowSink _sink;
    private readonly QueryMetrics _metrics;
    private readonly List<(Value[]? Old, Value[]? New)> _changes = [];

    public TableJoinTask(ITopicLog left, ITopicLog right, int partition, TableTableJoinOperator join, PartitionPipeline above, IRowSink sink, QueryMetrics metrics)
    {
        _topics = [left, right];
        _partition = partition;
        _join = join;
        _above = above;
        _sink = sink;
        _metrics = metrics;
    }

    /// <summary>Processes both partitions from the given offsets until cancelled; each batch reports both ends (Partition p and PairedPartition rightPartition).</summary>
    public async Task RunAsync(long[] from, int rightPartition, Action<int, long>? onProgress, CancellationToken cancellationToken)
    {
        using var left = _topics[0].OpenReader(_partition, from[0]);
        using var right = _topics[1].OpenReader(_partition, from[1]);
        IPartitionReader[] readers = [left, right];
        List<TopicRecord>[] records = [new(MaxBatch), new(MaxBatch)];
        var pending = new Task<int>?[2];
        var start = new[] { from[0], from[1] };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var any = false;
                for (var s = 0; s < 2; s++)
                {
                    if (pending[s] is { IsCompleted: true } done)
                    {
                        pending[s] = null;
                        any |= await done.ConfigureAwait(false) > 0;
                    }
                    else if (pending[s] is null)
                    {
                        any |= readers[s].TryRead(records[s], MaxBatch) > 0;
                    }
                }

                if (!any && records[0].Count == 0 && records[1].Count == 0)
                {
                    for (var s = 0; s < 2; s++)
                    {
                        pending[s] ??= readers[s].ReadAsync(records[s], MaxBatch, cancellationToken).AsTask();
                    }

                    await Task.WhenAny(pending.Where(p => p is not null).Select(p => p!)).ConfigureAwait(false);
                    continue;
                }

                // A side whose read is still pending contributes nothing to this batch (its list is being filled).
                var batchLeft = pending[0] is null ? records[0] : [];
                var batchRight = pending[1] is null ? records[1] : [];
                var end = new[] { pending[0] is null ? readers[0].Position : start[0], pending[1] is null ? readers[1].Position : start[1] };
                await ProcessAsync(batchLeft, batchRight, start, end, rightPartition, cancellationToken).ConfigureAwait(false);
                for (var s = 0; s < 2; s++)
                {
                    if (pending[s] is null)
                    {
                        records[s].Clear();
                    }
                }

                start = end;
                onProgress?.Invoke(_partition, end[0]);
                onProgress?.Invoke(rightPartition, end[1]);
            }
        }
        finally
        {
            foreach (var read in pending)
            {
                if (read is not null)
                {
                    try
                    {
                        await read.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
        }
    }

    /// <summary>Redoes one batch a crash interrupted: exactly the left records [from[0], to[0]) and right ones [from[1], to[1]). The state must be what it was before it.</summary>
    public async Task ReplayBatchAsync(long[] from, long[] to, int rightPartition, CancellationToken cancellationToken)
    {
        var lists = new List<TopicRecord>[2];
        for (var s = 0; s < 2; s++)
        {
            lists[s] = await ReadRangeAsync(_topics[s], _partition, from[s], to[s], cancellationToken).ConfigureAwait(false);
        }

        await ProcessAsync(lists[0], lists[1], from, to, rightPartition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every record of a partition in [from, to).</summary>
    public static async Task<List<TopicRecord>> ReadRangeAsync(ITopicLog topic, int partition, long from, long to, CancellationToken cancellationToken)
    {
        var result = new List<TopicRecord>();
        using var reader = topic.OpenReader(partition, from);
        while (reader.Position < to)
        {
            var max = (int)Math.Min(MaxBatch, to - reader.Position);
            if (reader.TryRead(result, max) == 0)
            {
                await reader.ReadAsync(result, max, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }

    private async Task ProcessAsync(List<TopicRecord> left, List<TopicRecord> right, long[] start, long[] end, int rightPartition, CancellationToken cancellationToken)
    {
        var readAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _metrics.CountIn(left.Count + right.Count);
        _changes.Clear();
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            var side = j >= right.Count || (i < left.Count && left[i].Timestamp <= right[j].Timestamp) ? 0 : 1;
            var record = side == 0 ? left[i++] : right[j++];
            if (!_join.Process(side, record, _changes, out var error))
            {
                _metrics.RecordBad(_topics[side].Name, _partition, record, error ?? "undecodable record");
            }
        }

        var batch = new RowBatch
        {
            Partition = _partition,
            StartOffset = start[0],
            EndOffset = end[0],
            PairedPartition = rightPartition,
            PairedStartOffset = start[1],
            PairedEndOffset = end[1],
        };
        foreach (var (old, @new) in _changes)
        {
            var (before, after) = (old is null ? null : Through(old), @new is null ? null : Through(@new));
            switch (before, after)
            {
                case (null, { } a):
                    batch.Add(a, ChangeOp.Insert);
                    break;
                case ({ }, { } a):
                    batch.Add(a, ChangeOp.UpdateAfter);
                    break;
                case ({ } b, null):
                    batch.Add(b, ChangeOp.Delete);
                    break;
            }
        }

        _metrics.CountOut(batch.Count);
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        _metrics.ObserveProcessingLatency(readAt, left.Count + right.Count);
    }

    private readonly RowBatch _one = new();

    private Value[]? Through(Value[] row)
    {
        _one.Clear();
        _one.Add(row);
        _above.Process(_one);
        return _one.Count > 0 ? _one.Row(0) : null;
    }
}
