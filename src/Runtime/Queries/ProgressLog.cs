using System.Buffers.Binary;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// A query's progress as one append-only file of small records (a committed offset, an output intent, an intent
/// cleared), each framed with its length and a CRC-32C, so a commit appends and flushes one record instead of creating
/// and renaming a file. A record torn by a crash fails its check: it and anything after it are cut off when the log is
/// opened, as if the commit had not happened. Past a size, the log is rewritten with only the current state (to a
/// temporary file, then renamed over it). An offset may also be saved lazily: it is written with the next record
/// appended, or by <see cref="SavePending"/>, in the same write and flush.
/// </summary>
internal sealed class ProgressLog
{
    private const byte OffsetRecord = 1;
    private const byte IntentRecord = 2;
    private const byte IntentCleared = 3;
    private const int HeaderBytes = 8;
    private const long CompactAbove = 256 * 1024;

    private readonly string _path;
    private readonly bool _sync;
    private readonly object _gate = new();
    private readonly Dictionary<int, long> _offsets = [];
    private readonly Dictionary<int, long> _pending = [];
    private long _length;

    /// <summary>Opens (or creates) the log at path and reads its state, cutting off a torn tail.</summary>
    public ProgressLog(string path, bool sync)
    {
        _path = path;
        _sync = sync;
        Read();
    }

    /// <summary>The intent's text as last saved; null when none was saved since the log began, or it was cleared.</summary>
    public string? Intent { get; private set; }

    /// <summary>Whether the log has said anything about the intent (saved or cleared).</summary>
    public bool KnowsIntent { get; private set; }

    public bool TryGetOffset(int partition, out long offset)
    {
        lock (_gate)
        {
            return _offsets.TryGetValue(partition, out offset);
        }
    }

    public void SaveOffset(int partition, long offset)
    {
        Span<byte> payload = stackalloc byte[OffsetPayloadBytes];
        OffsetPayload(partition, offset, payload);
        lock (_gate)
        {
            // This commit supersedes the partition's lazy one.
            _pending.Remove(partition);
            Append(payload);
            _offsets[partition] = offset;
        }
    }

    /// <summary>
    /// Saves a partition's offset with the next record appended (or the next <see cref="SavePending"/>), not now: until
    /// then a reopen sees the partition's previous offset.
    /// </summary>
    public void SaveOffsetLater(int partition, long offset)
    {
        lock (_gate)
        {
            _pending[partition] = offset;
        }
    }

    /// <summary>Writes and flushes the offsets saved lazily, if any.</summary>
    public void SavePending()
    {
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                Append([]);
            }
        }
    }

    public void SaveIntent(string text)
    {
        var payload = IntentPayload(text);
        lock (_gate)
        {
            Append(payload);
            (Intent, KnowsIntent) = (text, true);
        }
    }

    public void ClearIntent()
    {
        lock (_gate)
        {
            Append(IntentPayload(null));
            (Intent, KnowsIntent) = (null, true);
        }
    }

    private const int OffsetPayloadBytes = 13;

    private static void OffsetPayload(int partition, long offset, Span<byte> payload)
    {
        payload[0] = OffsetRecord;
        BinaryPrimitives.WriteInt32LittleEndian(payload[1..], partition);
        BinaryPrimitives.WriteInt64LittleEndian(payload[5..], offset);
    }

    private static byte[] IntentPayload(string? text) => text is null ? [IntentCleared] : [IntentRecord, .. System.Text.Encoding.ASCII.GetBytes(text)];

    // Under _gate. The lazily saved offsets go first, in the same write and flush as the record (an empty payload: none).
    private void Append(ReadOnlySpan<byte> payload)
    {
        var length = _pending.Count * OffsetRecordBytes + (payload.IsEmpty ? 0 : HeaderBytes + payload.Length);
        if (_length + length > CompactAbove)
        {
            Compact();
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var framed = buffer.AsSpan(0, length);
            var at = 0;
            foreach (var (partition, offset) in _pending)
            {
                FrameOffset(partition, offset, framed[at..]);
                at += OffsetRecordBytes;
            }

            if (!payload.IsEmpty)
            {
                Frame(payload, framed[at..]);
            }

            using (var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1))
            {
                file.Position = _length;
                file.Write(framed);
                file.Flush(flushToDisk: _sync);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        _length += length;
        foreach (var (partition, offset) in _pending)
        {
            _offsets[partition] = offset;
        }

        _pending.Clear();
    }

    private const int OffsetRecordBytes = HeaderBytes + OffsetPayloadBytes;

    /// <summary>A partition's offset as a whole record (header and payload) at the start of framed.</summary>
    private static void FrameOffset(int partition, long offset, Span<byte> framed)
    {
        Span<byte> payload = stackalloc byte[OffsetPayloadBytes];
        OffsetPayload(partition, offset, payload);
        Frame(payload, framed);
    }

    private static void Frame(ReadOnlySpan<byte> payload, Span<byte> framed)
    {
        BinaryPrimitives.WriteInt32LittleEndian(framed, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(framed[4..], Storage.Crc32C.Compute(payload));
        payload.CopyTo(framed[HeaderBytes..]);
    }

    /// <summary>Rewrites the log with the current state only (under _gate).</summary>
    private void Compact()
    {
        var temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            Span<byte> framed = stackalloc byte[OffsetRecordBytes];
            foreach (var (partition, offset) in _offsets)
            {
                FrameOffset(partition, offset, framed);
                file.Write(framed);
            }

            if (KnowsIntent)
            {
                var payload = IntentPayload(Intent);
                var record = new byte[HeaderBytes + payload.Length];
                Frame(payload, record);
                file.Write(record);
            }

            file.Flush(flushToDisk: _sync);
            _length = file.Length;
        }

        File.Move(temp, _path, overwrite: true);
    }

    /// <summary>Reads every whole record; cuts the file at the first that is not (a write a crash interrupted).</summary>
    private void Read()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        var bytes = File.ReadAllBytes(_path);
        var at = 0;
        while (at + HeaderBytes <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            if (length <= 0 || at + HeaderBytes + length > bytes.Length)
            {
                break;
            }

            var payload = bytes.AsSpan(at + HeaderBytes, length);
            if (Storage.Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4)) || !Apply(payload))
            {
                break;
            }

            at += HeaderBytes + length;
        }

        _length = at;
        if (at < bytes.Length)
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            file.SetLength(at);
            file.Flush(flushToDisk: _sync);
        }
    }

    private bool Apply(ReadOnlySpan<byte> payload)
    {
        switch (payload[0])
        {
            case OffsetRecord when payload.Length == OffsetPayloadBytes:
                _offsets[BinaryPrimitives.ReadInt32LittleEndian(payload[1..])] = BinaryPrimitives.ReadInt64LittleEndian(payload[5..]);
                return true;
            case IntentRecord:
                (Intent, KnowsIntent) = (System.Text.Encoding.ASCII.GetString(payload[1..]), true);
                return true;
            case IntentCleared when payload.Length == 1:
                (Intent, KnowsIntent) = (null, true);
                return true;
            default:
                return false;
        }
    }
}
