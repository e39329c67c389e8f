using System.Runtime.CompilerServices;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>Steps that need the whole input of a pull query: ORDER BY, DISTINCT, set operations; and LIMIT/OFFSET, which also stream.</summary>
public sealed partial class StreamEngine
{
    private static async IAsyncEnumerable<Value[]> LimitAsync(IAsyncEnumerable<Value[]> rows, long limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            yield break;
        }

        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return row;
            if (++count >= limit)
            {
                yield break;
            }
        }
    }

    private static async IAsyncEnumerable<Value[]> OffsetAsync(IAsyncEnumerable<Value[]> rows, long offset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long seen = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (seen++ >= offset)
            {
                yield return row;
            }
        }
    }

    private static async IAsyncEnumerable<Value[]> SortAsync(IAsyncEnumerable<Value[]> rows, LogicalSort sort, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = sort.Keys.Select(k => ExpressionCompiler.Compile(k.Expression)).ToArray();
        var kinds = sort.Keys.Select(k => k.Expression.Type.Kind).ToArray();
        var entries = new List<(Value[] Key, Value[] Row)>();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            entries.Add((keys.Select(k => k(row)).ToArray(), row));
        }

        // List.Sort is not stable; the index keeps equal keys in arrival order.
        var indexed = entries.Select((e, i) => (e.Key, e.Row, Index: i)).ToList();
        indexed.Sort((a, b) =>
        {
            for (var k = 0; k < keys.Length; k++)
            {
                var c = CompareForSort(a.Key[k], b.Key[k], kinds[k], sort.Keys[k]);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.Index.CompareTo(b.Index);
        });
        foreach (var entry in indexed)
        {
            yield return entry.Row;
        }
    }

    private static int CompareForSort(Value a, Value b, Planner.Types.SqlTypeKind kind, SortKey key)
    {
        if (a.IsNull || b.IsNull)
        {
            if (a.IsNull && b.IsNull)
            {
                return 0;
            }

            return a.IsNull == key.NullsFirst ? -1 : 1;
        }

        var c = ValueOrdering.Compare(a, b, kind);
        return key.Descending ? -c : c;
    }

    private static async IAsyncEnumerable<Value[]> DistinctAsync(IAsyncEnumerable<Value[]> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<RowKey>();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(new RowKey(row)))
            {
                yield return row;
            }
        }
    }

    /// <summary>UNION ALL concatenates; INTERSECT/EXCEPT count rows of the right side (ALL keeps multiplicities).</summary>
    private static async IAsyncEnumerable<Value[]> SetOperationAsync(LogicalSetOperation set, IAsyncEnumerable<Value[]> left, IAsyncEnumerable<Value[]> right,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (set.Operator == SetOperator.Union)
        {
            var union = Concat(left, right, cancellationToken);
            await foreach (var row in (set.All ? union : DistinctAsync(union, cancellationToken)).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }

            yield break;
        }

        var counts = new Dictionary<RowKey, int>();
        await foreach (var row in right.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            counts[new RowKey(row)] = counts.GetValueOrDefault(new RowKey(row)) + 1;
        }

        var emitted = new HashSet<RowKey>();
        await foreach (var row in left.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var key = new RowKey(row);
            var inRight = counts.GetValueOrDefault(key);
            var keep = set.Operator == SetOperator.Intersect ? inRight > 0 : inRight == 0;
            if (set.All && inRight > 0)
            {
                counts[key] = inRight - 1;
                keep = set.Operator == SetOperator.Intersect;
            }

            if (keep && (set.All || emitted.Add(key)))
            {
                yield return row;
            }
        }
    }

    private static async IAsyncEnumerable<Value[]> Concat(IAsyncEnumerable<Value[]> first, IAsyncEnumerable<Value[]> second, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in first.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }

        await foreach (var row in second.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }
}
