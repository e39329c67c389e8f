using System.Buffers.Binary;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace StreamSql.Runtime.Storage;

/// <summary>
/// A FasterLog's commit records in one file of two fixed slots, written in turn in place: a commit is one positioned
/// write (and one flush to disk when syncing) into a file that exists already. FASTER's own manager creates a file per
/// commit and deletes the one before; creating a file is costly (ext4 searches its inode bitmap past recently deleted
/// inodes), and a partition commits once per batch. Each slot holds a commit number, a length and a CRC-32C: a slot torn by
/// a crash fails its check and recovery takes the other one, the commit before. The slot written is always the one not
/// holding the newest commit, so that one stays whole until the next is. Commit files of FASTER's manager (an older
/// build's) are read as well, and deleted at the first commit here.
/// </summary>
public sealed class SlottedLogCommitManager : ILogCommitManager
{
    private const int SlotBytes = 4096;
    // Magic, CRC-32C of the rest (commit number, metadata length, metadata), commit number, metadata length.
    private const int HeaderBytes = 20;
    private const uint Magic = 0x534C4F54; // "SLOT"

    private readonly object _gate = new();
    private readonly SafeFileHandle _file;
    private readonly bool _sync;
    private readonly byte[] _buffer = new byte[SlotBytes];
    private readonly long[] _slotCommit = [-1, -1];
    private readonly byte[]?[] _slotMetadata = new byte[]?[2];
    private ILogCommitManager? _legacy;

    /// <param name="path">The slots' file, created (two empty slots) when absent.</param>
    /// <param name="sync">Each commit is flushed to disk before it returns.</param>
    /// <param name="legacy">FASTER's manager over an older build's commit files, when there are any.</param>
    public SlottedLogCommitManager(string path, bool sync, ILogCommitManager? legacy = null)
    {
        _sync = sync;
        _legacy = legacy;
        var created = !File.Exists(path);
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (created || RandomAccess.GetLength(_file) < 2 * SlotBytes)
        {
            RandomAccess.SetLength(_file, 2 * SlotBytes);
            RandomAccess.FlushToDisk(_file);
            return;
        }

        for (var slot = 0; slot < 2; slot++)
        {
            ReadSlot(slot);
        }
    }

    private void ReadSlot(int slot)
    {
        var read = RandomAccess.Read(_file, _buffer, (long)slot * SlotBytes);
        var bytes = _buffer.AsSpan(0, read);
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            return;
        }

        var commitNum = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (length < 0 || length > SlotBytes - HeaderBytes || HeaderBytes + length > bytes.Length)
        {
            return;
        }

        if (Crc32C.Compute(bytes[8..(HeaderBytes + length)]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]))
        {
            return;
        }

        _slotCommit[slot] = commitNum;
        _slotMetadata[slot] = bytes.Slice(HeaderBytes, length).ToArray();
    }

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        if (commitMetadata.Length > SlotBytes - HeaderBytes)
        {
            throw new InvalidOperationException($"log commit metadata of {commitMetadata.Length} bytes does not fit a {SlotBytes}-byte commit slot");
        }

        lock (_gate)
        {
            // The slot with the older commit (or none): the newer one stays whole until this write is.
            var slot = _slotCommit[0] <= _slotCommit[1] ? 0 : 1;
            var bytes = _buffer.AsSpan(0, HeaderBytes + commitMetadata.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], commitNum);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[16..], commitMetadata.Length);
            commitMetadata.CopyTo(bytes[HeaderBytes..]);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], Crc32C.Compute(bytes[8..]));
            RandomAccess.Write(_file, bytes, (long)slot * SlotBytes);
            if (_sync)
            {
                RandomAccess.FlushToDisk(_file);
            }

            _slotCommit[slot] = commitNum;
            _slotMetadata[slot] = commitMetadata;
            if (_legacy is { } legacy)
            {
                // The slots hold a newer commit now, so the older build's files are not needed for recovery any more.
                legacy.RemoveAllCommits();
                legacy.Dispose();
                _legacy = null;
            }
        }
    }

    public byte[]? GetCommitMetadata(long commitNum)
    {
        lock (_gate)
        {
            for (var slot = 0; slot < 2; slot++)
            {
                if (_slotCommit[slot] == commitNum && _slotMetadata[slot] is { } metadata)
                {
                    return metadata;
                }
            }

            return _legacy?.GetCommitMetadata(commitNum);
        }
    }

    /// <summary>Newest first: the slots' commits, then an older build's.</summary>
    public IEnumerable<long> ListCommits()
    {
        var commits = new List<long>(4);
        lock (_gate)
        {
            var (newer, older) = _slotCommit[0] >= _slotCommit[1] ? (0, 1) : (1, 0);
            foreach (var slot in (ReadOnlySpan<int>)[newer, older])
            {
                if (_slotCommit[slot] >= 0)
                {
                    commits.Add(_slotCommit[slot]);
                }
            }

            if (_legacy is { } legacy)
            {
                commits.AddRange(legacy.ListCommits());
            }
        }

        return commits;
    }

    public void RemoveCommit(long commitNum)
    {
        lock (_gate)
        {
            for (var slot = 0; slot < 2; slot++)
            {
                if (_slotCommit[slot] == commitNum)
                {
                    ClearSlot(slot);
                }
            }

            _legacy?.RemoveCommit(commitNum);
        }
    }

    public void RemoveAllCommits()
    {
        lock (_gate)
        {
            ClearSlot(0);
            ClearSlot(1);
            _legacy?.RemoveAllCommits();
        }
    }

    // Under _gate.
    private void ClearSlot(int slot)
    {
        RandomAccess.Write(_file, new byte[HeaderBytes], (long)slot * SlotBytes);
        if (_sync)
        {
            RandomAccess.FlushToDisk(_file);
        }

        _slotCommit[slot] = -1;
        _slotMetadata[slot] = null;
    }

    /// <summary>Recovery reached commitNum: an older build's other commit files go, as FASTER's manager would remove them.</summary>
    public void OnRecovery(long commitNum) => _legacy?.OnRecovery(commitNum);

    public void Dispose()
    {
        lock (_gate)
        {
            _legacy?.Dispose();
            _legacy = null;
            _file.Dispose();
        }
    }
}
