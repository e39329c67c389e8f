using System.Buffers;
using System.Buffers.Binary;
using FASTER.core;
using StreamSql.Runtime.Storage;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>
/// Reads a FasterLog's committed entries in address order straight from its files (through the OS page cache), up to a
/// page's worth of bytes per read. Committed entries are on the device already and never change, so no epoch is needed.
/// FasterLog's own scan iterator enters its epoch per entry and allocates two closures for every entry below its
/// in-memory head, which is every entry of a topic written before it is read.
/// </summary>
/// <remarks>
/// The log's framing (no per-entry checksums): each entry is an int32 length and the entry, padded to 4 bytes; entries do
/// not cross pages, and a zero length means the rest of the page is unused; a negative length is a commit record.
/// </remarks>
internal sealed class LogFileEntryReader : IDisposable
{
    private const int HeaderBytes = 4;

    private readonly FasterLog _log;
    private readonly BufferedFileDevice _device;
    private readonly string _source;
    private readonly long _pageBytes;

    // Bytes of the log from address _bufferStart to _bufferEnd.
    private byte[]? _buffer;
    private long _bufferStart;
    private long _bufferEnd;

    public LogFileEntryReader(FasterLog log, BufferedFileDevice device, long address, string source)
    {
        if (log.HeaderSize != HeaderBytes)
        {
            throw new ArgumentException("the log has per-entry checksums, which this reader does not read", nameof(log));
        }

        _log = log;
        _device = device;
        _source = source;
        _pageBytes = 1L << log.UnsafeGetLogPageSizeBits();
        NextAddress = address;
    }

    /// <summary>The address of the next entry.</summary>
    public long NextAddress { get; private set; }

    /// <summary>The address of the entry the last successful <see cref="TryNext"/> returned.</summary>
    public long EntryAddress { get; private set; }

    /// <summary>The next committed entry, its bytes valid until the next call; false at the committed end.</summary>
    public bool TryNext(out ReadOnlySpan<byte> entry)
    {
        var committed = Volatile.Read(ref _log.CommittedUntilAddress);
        while (true)
        {
            var address = NextAddress;
            var pageEnd = (address | (_pageBytes - 1)) + 1;
            if (address + HeaderBytes > committed)
            {
                entry = default;
                return false;
            }

            var readable = Math.Min(pageEnd, committed);
            EnsureBuffered(address, HeaderBytes, readable);

            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer!.AsSpan((int)(address - _bufferStart)));
            if (length == 0)
            {
                if (address == pageEnd - _pageBytes)
                {
                    throw Damaged(address, "the page is empty");
                }

                NextAddress = pageEnd;
                continue;
            }

            if (length < -_pageBytes || length > _pageBytes)
            {
                throw Damaged(address, $"an entry length of {length} bytes");
            }

            var recordBytes = HeaderBytes + ((Math.Abs(length) + 3) & ~3);
            if (address + recordBytes > pageEnd)
            {
                throw Damaged(address, $"an entry of {length} bytes crosses its page's end");
            }

            if (address + recordBytes > committed)
            {
                entry = default;
                return false;
            }

            EnsureBuffered(address, recordBytes, readable);

            NextAddress = address + recordBytes;
            if (length < 0)
            {
                continue;
            }

            EntryAddress = address;
            entry = _buffer!.AsSpan((int)(address - _bufferStart) + HeaderBytes, length);
            return true;
        }
    }

    /// <summary>Bytes [address, address + count) in the buffer: if they are not, reads from address up to readable.</summary>
    private void EnsureBuffered(long address, int count, long readable)
    {
        if (address < _bufferStart || address + count > _bufferEnd)
        {
            Load(address, readable, count);
        }
    }

    /// <summary>Reads [from, to) into the buffer; at least needed bytes must be there.</summary>
    private void Load(long from, long to, int needed)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent((int)_pageBytes);
        var read = _device.Read(from, _buffer.AsSpan(0, (int)(to - from)));
        _bufferStart = from;
        _bufferEnd = from + read;
        if (read < needed)
        {
            throw Damaged(from, $"{read} bytes are on disk where the log was committed up to address {to}");
        }
    }

    private InvalidDataException Damaged(long address, string found) =>
        new($"partition log {_source} is damaged at address {address}: {found}; restore the directory from a copy or delete the topic");

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
