using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// A table's changelog records as changes: it remembers the current row of each key (in a state store, by record key), so
/// an upsert of a known key becomes update-before/after and a tombstone a delete of the row it removes — what an
/// aggregation over a table needs to retract old values.
/// </summary>
public sealed class ChangelogRecordDecoder(RowCodec codec, IStateStore current) : IRecordDecoder
{
    /// <summary>
    /// Only a batch's net effect per key is wanted (an aggregation over a table, not a push query showing every change).
    /// Set for changelogs the engine writes: each key's earlier records of a batch are then not decoded (nor checked).
    /// </summary>
    public bool NetEffectPerBatch { get; init; }

    /// <summary>
    /// The records were encoded by this engine (a query's output table): <see cref="TryApply"/> need not decode a row to
    /// check it. Checking cost q8's join a decode for each person and seller row that had nothing to join yet.
    /// </summary>
    public bool RowsWrittenByEngine { get; init; }

    public bool DecodesAgainAlike => false;

    private byte[] _packed = new byte[256];

    public bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error)
    {
        error = null;
        if (record.Key is null)
        {
            error = "a table's record has no key";
            return false;
        }

        Value[]? after = null;
        if (record.Value is not null)
        {
            after = new Value[codec.RowWidth];
            if (!codec.TryDecode(record, partition, after, out error))
            {
                return false;
            }
        }

        Value[]? before = null;
        if (current.TryGet(record.Key, out var stored))
        {
            before = new Value[codec.RowWidth];
            codec.TryDecode(Tables.StoredRecord.Unpack(stored!, record.Key), partition, before, out _);
        }

        if (after is null)
        {
            if (before is not null)
            {
                current.Delete(record.Key);
                batch.Add(before, ChangeOp.Delete);
            }

            return true;
        }

        current.Put(record.Key, Tables.StoredRecord.Pack(record, ref _packed), existed: before is not null);
        if (before is null)
        {
            batch.Add(after, ChangeOp.Insert);
        }
        else
        {
            batch.Add(before, ChangeOp.UpdateBefore);
            batch.Add(after, ChangeOp.UpdateAfter);
        }

        return true;
    }

    /// <summary>
    /// Applies a record to the current rows as TryDecode does, producing no change: its row is checked unless the engine
    /// wrote it (a record that does not decode changes nothing and is reported), but the row it replaces is not decoded — for a caller that knows
    /// no change of this key can be seen (an inner join whose other side has no row for it).
    /// </summary>
    public bool TryApply(TopicRecord record, int partition, out string? error)
    {
        error = null;
        if (record.Key is null)
        {
            error = "a table's record has no key";
            return false;
        }

        if (record.Value is null)
        {
            current.Delete(record.Key);
            return true;
        }

        if (!RowsWrittenByEngine)
        {
            _check ??= new Value[codec.RowWidth];
            if (!codec.TryDecode(record, partition, _check, out error))
            {
                return false;
            }
        }

        current.Put(record.Key, Tables.StoredRecord.Pack(record, ref _packed));
        return true;
    }

    private Value[]? _check;

    /// <summary>The current row of a record key (as of the records decoded so far), or null.</summary>
    public Value[]? Current(byte[] key, int partition)
    {
        if (!current.TryGet(key, out var stored) || stored is null)
        {
            return null;
        }

        var row = new Value[codec.RowWidth];
        return codec.TryDecode(Tables.StoredRecord.Unpack(stored, key), partition, row, out _) ? row : null;
    }
}
