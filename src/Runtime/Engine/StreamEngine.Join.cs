using System.Runtime.CompilerServices;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>Joins in pull queries (a nested loop over the whole right input, run at the consumer like ORDER BY) and table–table joins in push queries.</summary>
public sealed partial class StreamEngine
{
    /// <summary>INNER keeps the pairs the condition accepts; LEFT also keeps each unmatched left row, with NULLs for the right columns.</summary>
    private static async IAsyncEnumerable<Value[]> JoinAsync(LogicalJoin join, IAsyncEnumerable<Value[]> left, IAsyncEnumerable<Value[]> right,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var leftWidth = join.Left.Schema.Count;
        var rightWidth = join.Right.Schema.Count;
        var rightRows = new List<Value[]>();
        await foreach (var row in right.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            rightRows.Add(row);
        }

        var condition = join.Condition is null ? null : ExpressionCompiler.CompilePredicate(join.Condition);
        var rightMatched = new bool[rightRows.Count];
        await foreach (var l in left.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var matched = false;
            for (var i = 0; i < rightRows.Count; i++)
            {
                var combined = new Value[leftWidth + rightWidth];
                Array.Copy(l, combined, leftWidth);
                Array.Copy(rightRows[i], 0, combined, leftWidth, rightWidth);
                if (condition is null || condition(combined))
                {
                    matched = true;
                    rightMatched[i] = true;
                    yield return combined;
                }
            }

            if (!matched && join.Kind is JoinKind.Left or JoinKind.Full)
            {
                var padded = new Value[leftWidth + rightWidth];
                Array.Copy(l, padded, leftWidth);
                yield return padded;
            }
        }

        // FULL: the right rows no left row matched, padded on the left.
        for (var i = 0; join.Kind == JoinKind.Full && i < rightRows.Count; i++)
        {
            if (!rightMatched[i])
            {
                var padded = new Value[leftWidth + rightWidth];
                Array.Copy(rightRows[i], 0, padded, leftWidth, rightWidth);
                yield return padded;
            }
        }
    }

    /// <summary>
    /// A push query over a table–table join: the joined rows as of now, then, for each change of either table, the change
    /// of its key's result ('insert', 'update' or 'delete' in the op column). Both tables are mirrored here from their
    /// snapshots and changes in the order they arrive, so each change is applied to a consistent pair of tables.
    /// </summary>
    private async IAsyncEnumerable<Value[]> RunTableJoinChangesAsync(LogicalTableJoin join, Operators.PartitionPipeline above,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = System.Threading.Channels.Channel.CreateUnbounded<(int Side, Tables.TableChange Change)>(new() { SingleReader = true });
        var sources = new[] { join.Left.Source, join.Right.Source };
        var widths = new[] { join.Left.Schema.Count, join.Right.Schema.Count };
        var outer = new[] { join.Kind is JoinKind.Left or JoinKind.Full, join.Kind == JoinKind.Full };
        var rows = new[] { new Dictionary<Value, Value[]>(), new Dictionary<Value, Value[]>() };
        var keys = new[] { join.LeftKeys, join.RightKeys };
        var leftTable = await MaterializedTableAsync(sources[0], cancellationToken).ConfigureAwait(false);
        var rightTable = await MaterializedTableAsync(sources[1], cancellationToken).ConfigureAwait(false);
        using var leftSubscription = leftTable.Subscribe(c => changes.Writer.TryWrite((0, c)), out var leftSnapshot);
        using var rightSubscription = rightTable.Subscribe(c => changes.Writer.TryWrite((1, c)), out var rightSnapshot);
        foreach (var (side, snapshot) in new[] { (0, leftSnapshot), (1, rightSnapshot) })
        {
            foreach (var row in snapshot)
            {
                rows[side][KeyOf(row, keys[side])] = row;
            }
        }

        // A row's key: its key column, or an array of a key of several columns (equal arrays are equal keys).
        static Value KeyOf(Value[] row, IReadOnlyList<int> columns)
        {
            if (columns.Count == 1)
            {
                return row[columns[0]];
            }

            var values = new Value[columns.Count];
            for (var k = 0; k < values.Length; k++)
            {
                values[k] = row[columns[k]];
            }

            return Value.FromArray(values);
        }

        // The result of one key: both rows joined, or the row of an outer side padded, or none.
        Value[]? Result(Value[]? l, Value[]? r)
        {
            if ((l is null || (r is null && !outer[0])) && (r is null || (l is null && !outer[1])))
            {
                return null;
            }

            var combined = new Value[widths[0] + widths[1]];
            if (l is not null)
            {
                Array.Copy(l, combined, widths[0]);
            }

            if (r is not null)
            {
                Array.Copy(r, 0, combined, widths[0], widths[1]);
            }

            return combined;
        }

        Interlocked.Increment(ref _runningTransientQueries);
        try
        {
            long emitted = 0;
            var initial = rows[0].Keys.Concat(rows[1].Keys.Where(k => !rows[0].ContainsKey(k))).ToList();
            foreach (var key in initial)
            {
                if (Result(rows[0].GetValueOrDefault(key), rows[1].GetValueOrDefault(key)) is { } joined && Through(above, joined) is { } output)
                {
                    yield return WithOp(output, "insert");
                    if (above.Limit is { } limit && ++emitted >= limit)
                    {
                        yield break;
                    }
                }
            }

            await foreach (var (side, change) in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = KeyOf((change.After ?? change.Before)!, keys[side]);
                var other = rows[1 - side].GetValueOrDefault(key);
                var before = side == 0 ? Result(change.Before, other) : Result(other, change.Before);
                var after = side == 0 ? Result(change.After, other) : Result(other, change.After);
                if (change.After is null)
                {
                    rows[side].Remove(key);
                }
                else
                {
                    rows[side][key] = change.After;
                }

                var result = ChangeWithOp(before is null ? null : Through(above, before), after is null ? null : Through(above, after));
                if (result is not null)
                {
                    yield return result;
                    if (above.Limit is { } limit && ++emitted >= limit)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningTransientQueries);
        }
    }
}
