using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Kafka;

/// <summary>A connection's read position in one partition: a reader plus records read ahead but not yet sent, so consecutive fetches reuse it.</summary>
internal sealed class PartitionCursor : IDisposable
{
    private const int ReadChunk = 256;
    private readonly List<TopicRecord> _buffered = [];
    private IPartitionReader _reader;
    private int _bufferedBytes;

    public PartitionCursor(ITopicLog log, int partition, long offset)
    {
        Log = log;
        Partition = partition;
        _reader = log.OpenReader(partition, offset);
    }

    public ITopicLog Log { get; }

    public int Partition { get; }

    /// <summary>The offset of the next record this cursor would return.</summary>
    public long Position => _buffered.Count > 0 ? _buffered[0].Offset : _reader.Position;

    public int BufferedBytes => _bufferedBytes;

    public void Seek(long offset)
    {
        if (offset == Position)
        {
            return;
        }

        _reader.Dispose();
        _buffered.Clear();
        _bufferedBytes = 0;
        _reader = Log.OpenReader(Partition, offset);
    }

    /// <summary>Reads ahead without waiting until about maxBytes are buffered or nothing more is durable.</summary>
    public void Fill(int maxBytes)
    {
        while (_bufferedBytes < maxBytes)
        {
            var before = _buffered.Count;
            if (_reader.TryRead(_buffered, ReadChunk) == 0)
            {
                return;
            }

            Count(before);
        }
    }

    /// <summary>Waits until at least one more record is buffered (at once when the log already holds one past the buffer).</summary>
    public async Task WaitForMoreAsync(CancellationToken cancellationToken)
    {
        var before = _buffered.Count;
        await _reader.ReadAsync(_buffered, ReadChunk, cancellationToken).ConfigureAwait(false);
        Count(before);
    }

    /// <summary>Removes and returns buffered records up to maxBytes (always at least one when any is buffered, as Kafka does).</summary>
    public List<TopicRecord> Take(int maxBytes)
    {
        var count = 0;
        var bytes = 0;
        while (count < _buffered.Count)
        {
            var size = RecordBatchEncoder.EstimateSize(_buffered[count]);
            if (count > 0 && bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            count++;
        }

        var taken = _buffered.GetRange(0, count);
        _buffered.RemoveRange(0, count);
        _bufferedBytes -= bytes;
        return taken;
    }

    private void Count(int from)
    {
        for (var i = from; i < _buffered.Count; i++)
        {
            _bufferedBytes += RecordBatchEncoder.EstimateSize(_buffered[i]);
        }
    }

    public void Dispose() => _reader.Dispose();
}
