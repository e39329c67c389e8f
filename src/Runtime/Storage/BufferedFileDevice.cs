using System.Collections.Concurrent;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace StreamSql.Runtime.Storage;

/// <summary>
/// A FASTER device over plain files (one per segment) written through the OS page cache. FASTER's own managed device
/// opens its files write-through and also flushes them to disk after every write: two waits for the disk per page. Here
/// the sync flag decides: flushed to disk once after each write (acknowledged writes survive a power failure), or
/// left to the page cache (they survive a killed process, as Kafka's default does; the server's <c>--fsync never</c>).
/// </summary>
public sealed class BufferedFileDevice : StorageDeviceBase
{
    private const uint SectorBytes = 512;
    private readonly ConcurrentDictionary<int, SafeFileHandle> _handles = new();
    private readonly bool _sync;
    private int _pending;
    private bool _disposed;

    /// <param name="recover">Reopening an existing log: its first and last segments are taken from the files there.</param>
    public BufferedFileDevice(string filename, bool sync, bool recover = false)
        : base(filename, SectorBytes, Devices.CAPACITY_UNSPECIFIED)
    {
        _sync = sync;
        if (recover)
        {
            RecoverSegments();
        }
    }

    private void RecoverSegments()
    {
        var file = new FileInfo(FileName);
        if (file.Directory is not { Exists: true } directory)
        {
            return;
        }

        var segments = new List<int>();
        foreach (var segment in directory.GetFiles(file.Name + ".*"))
        {
            if (int.TryParse(segment.Name.AsSpan(file.Name.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                segments.Add(id);
            }
        }

        if (segments.Count > 0)
        {
            segments.Sort();
            startSegment = segments[0];
            endSegment = segments[^1];
        }
    }

    public override bool Throttle() => Volatile.Read(ref _pending) > ThrottleLimit;

    public override unsafe void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        HandleCapacity(segmentId);
        Interlocked.Increment(ref _pending);
        DeviceIoThreads.Run(() =>
        {
            uint error = 0;
            try
            {
                var handle = HandleOf(segmentId);
                RandomAccess.Write(handle, new ReadOnlySpan<byte>((void*)sourceAddress, (int)numBytesToWrite), (long)destinationAddress);
                if (_sync)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                error = ErrorCode(e);
                numBytesToWrite = 0;
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }

            callback(error, numBytesToWrite, context);
        });
    }

    /// <summary>
    /// Reads on the calling thread and completes before returning. Its callers wait for the read anyway (a state store
    /// lookup of a record that left memory waits for it; recovery and log scans wait on the callback), and a read is
    /// mostly served from the page cache in microseconds. Handing it to an I/O thread and the completion back cost two
    /// thread switches per read: q8's join, whose person table outgrew its memory share, made 7,000-25,000 such reads per
    /// 10 M events, and on one core they took 20-30% of the run. FASTER accepts a completion from inside the call, as
    /// its own null device does.
    /// </summary>
    public override unsafe void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context)
    {
        uint error = 0;
        uint read = 0;
        try
        {
            read = (uint)RandomAccess.Read(HandleOf(segmentId), new Span<byte>((void*)destinationAddress, (int)readLength), (long)sourceAddress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            error = ErrorCode(e);
        }

        callback(error, read, context);
    }

    /// <summary>
    /// Reads bytes at a device address synchronously, for a reader that walks the log's flushed pages itself; the range
    /// lies in one segment. Returns how many bytes were read: fewer than asked only where the file ends.
    /// </summary>
    public int Read(long address, Span<byte> into)
    {
        var segmentSize = SegmentSize;
        var handle = HandleOf((int)(address / segmentSize));
        var offset = address % segmentSize;
        var read = 0;
        while (read < into.Length)
        {
            var n = RandomAccess.Read(handle, into[read..], offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }

    public override long GetFileSize(int segment) =>
        File.Exists(SegmentPath(segment)) ? new FileInfo(SegmentPath(segment)).Length : 0;

    public override void RemoveSegment(int segment)
    {
        if (_handles.TryRemove(segment, out var handle))
        {
            handle.Dispose();
        }

        File.Delete(SegmentPath(segment));
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        RemoveSegment(segment);
        callback(result);
    }

    public override void Dispose()
    {
        _disposed = true;
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    private SafeFileHandle HandleOf(int segment)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _handles.GetOrAdd(segment, s =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(SegmentPath(s)))!);
            return File.OpenHandle(SegmentPath(s), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        });
    }

    private string SegmentPath(int segment) => OmitSegmentIdFromFileName ? FileName : FileName + "." + segment;

    // FASTER treats any non-zero code as a failed I/O; keep the OS error where there is one.
    private static uint ErrorCode(Exception e) => e is IOException { HResult: var code } && (code & 0xFFFF) != 0 ? (uint)(code & 0xFFFF) : uint.MaxValue;
}
