using StreamSql.Parser.Ast;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Operators;

/// <summary>
/// A table–table join on both tables' primary keys (INNER, LEFT or FULL) for one partition of two co-partitioned
/// changelogs. Each side's current rows live in a state store (by record key, as <see cref="ChangelogRecordDecoder"/>
/// keeps them); a change of one side's key turns into the change of that key's joined row: its old result and its new one
/// (either may be absent). Both sides' key columns of a result carry the key, also on a padded row, so the result is
/// always keyed. Deterministic given the order of its input records.
/// </summary>
public sealed class TableTableJoinOperator
{
    private readonly ChangelogRecordDecoder[] _sides;
    private readonly int[] _widths;
    // The key columns of each side in a joined row, in key order (the right side's after the left's columns).
    private readonly int[] _leftKeys;
    private readonly int[] _rightKeys;
    private readonly bool[] _outer;
    private readonly int _partition;
    private readonly RowBatch _scratch = new();

    public TableTableJoinOperator(LogicalTableJoin join, ChangelogRecordDecoder left, ChangelogRecordDecoder right, int partition)
    {
        _sides = [left, right];
        _widths = [join.Left.Schema.Count, join.Right.Schema.Count];
        _leftKeys = [.. join.LeftKeys];
        _rightKeys = new int[join.RightKeys.Count];
        for (var k = 0; k < _rightKeys.Length; k++)
        {
            _rightKeys[k] = join.Left.Schema.Count + join.RightKeys[k];
        }

        _outer = [join.Kind is JoinKind.Left or JoinKind.Full, join.Kind == JoinKind.Full];
        _partition = partition;
    }

    /// <summary>Applies one changelog record of a side (0 left, 1 right); adds its key's (old, new) result to changes when either exists.</summary>
    public bool Process(int side, TopicRecord record, List<(Value[]? Old, Value[]? New)> changes, out string? error)
    {
        // Without the other side's row and without padding for this side, the key has no result before or after: only
        // this side's rows change, and the row the record replaces need not be decoded (q8: most sellers' updates).
        var other = record.Key is null ? null : _sides[1 - side].Current(record.Key, _partition);
        if (other is null && !_outer[side])
        {
            return _sides[side].TryApply(record, _partition, out error);
        }

        _scratch.Clear();
        if (!_sides[side].TryDecode(record, _partition, _scratch, out error))
        {
            return false;
        }

        Value[]? before = null;
        Value[]? after = null;
        for (var i = 0; i < _scratch.Count; i++)
        {
            if (_scratch.Op(i) is ChangeOp.Delete or ChangeOp.UpdateBefore)
            {
                before = _scratch.Row(i);
            }
            else
            {
                after = _scratch.Row(i);
            }
        }

        if (before is null && after is null)
        {
            return true;
        }

        var old = side == 0 ? Result(before, other) : Result(other, before);
        var @new = side == 0 ? Result(after, other) : Result(other, after);
        if (old is not null || @new is not null)
        {
            changes.Add((old, @new));
        }

        return true;
    }

    /// <summary>Applies a record of a side to that side's rows only, producing nothing (rebuilding the state at start).</summary>
    public void Restore(int side, TopicRecord record)
    {
        _scratch.Clear();
        _sides[side].TryDecode(record, _partition, _scratch, out _);
    }

    /// <summary>The result of one key: both rows joined, or the row of an outer side padded (with the key in both key columns), or none.</summary>
    private Value[]? Result(Value[]? left, Value[]? right)
    {
        if ((left is null || (right is null && !_outer[0])) && (right is null || (left is null && !_outer[1])))
        {
            return null;
        }

        var combined = new Value[_widths[0] + _widths[1]];
        if (left is not null)
        {
            Array.Copy(left, combined, _widths[0]);
        }

        if (right is not null)
        {
            Array.Copy(right, 0, combined, _widths[0], _widths[1]);
        }

        for (var k = 0; k < _leftKeys.Length; k++)
        {
            if (left is null)
            {
                combined[_leftKeys[k]] = combined[_rightKeys[k]];
            }
            else if (right is null)
            {
                combined[_rightKeys[k]] = combined[_leftKeys[k]];
            }
        }

        return combined;
    }
}
