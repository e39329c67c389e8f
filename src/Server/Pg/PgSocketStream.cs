using System.Net.Sockets;

namespace StreamSql.Server.Pg;

/// <summary>
/// The connection's socket as a stream, able to notice the client going away while the server only writes (a push query):
/// input that arrives meanwhile is set aside and read first later, so watching never loses a byte.
/// </summary>
public sealed class PgSocketStream : Stream
{
    /// <summary>Input set aside while watching beyond this much stops the watch (the client keeps talking; it is there).</summary>
    private const int MaxPending = 1024 * 1024;
    private static readonly Serilog.ILogger Log = Serilog.Log.ForContext<PgSocketStream>();
    private static readonly TimeSpan SpuriousWakeupPause = TimeSpan.FromMilliseconds(20);
    private readonly Socket _socket;
    private readonly NetworkStream _inner;
    private byte[] _pending = [];
    private int _pendingStart;
    private int _pendingEnd;

    public PgSocketStream(Socket socket)
    {
        _socket = socket;
        _inner = new NetworkStream(socket, ownsSocket: true);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Waits until the client closes its side (true) or stop is cancelled or too much input piles up (false).
    /// Must not run while a read is in progress; the connection runs it only while it streams rows.
    /// </summary>
    public async Task<bool> WatchForCloseAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                // A zero-byte receive completes when the socket is readable, consuming nothing: cancelling it loses no data.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop).ConfigureAwait(false);
                var available = _socket.Available;
                if (available == 0)
                {
                    // Nothing to read: closed if the socket still polls readable (end of stream or reset), else a spurious wake-up.
                    if (_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0)
                    {
                        return true;
                    }

                    Log.Debug("Socket woke up readable with nothing to read and not closed; watching again");
                    await Task.Delay(SpuriousWakeupPause, stop).ConfigureAwait(false);
                    continue;
                }

                if (_pendingEnd - _pendingStart + available > MaxPending)
                {
                    return false;
                }

                SetAside(available);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return !stop.IsCancellationRequested;
        }
    }

    private void SetAside(int available)
    {
        if (_pending.Length - _pendingEnd < available)
        {
            var bigger = new byte[Math.Max(_pending.Length * 2, _pendingEnd - _pendingStart + available)];
            _pending.AsSpan(_pendingStart, _pendingEnd - _pendingStart).CopyTo(bigger);
            _pendingEnd -= _pendingStart;
            _pendingStart = 0;
            _pending = bigger;
        }

        // Available bytes are there: this receive returns at once.
        _pendingEnd += _socket.Receive(_pending.AsSpan(_pendingEnd, available), SocketFlags.None);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pendingEnd > _pendingStart)
        {
            var n = Math.Min(buffer.Length, _pendingEnd - _pendingStart);
            _pending.AsMemory(_pendingStart, n).CopyTo(buffer);
            _pendingStart += n;
            if (_pendingStart == _pendingEnd)
            {
                (_pending, _pendingStart, _pendingEnd) = ([], 0, 0);
            }

            return n;
        }

        return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
