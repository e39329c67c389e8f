using System.Runtime.CompilerServices;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>Joins in pull queries: a nested loop over the whole right input, run at the consumer like ORDER BY.</summary>
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
        await foreach (var l in left.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var matched = false;
            foreach (var r in rightRows)
            {
                var combined = new Value[leftWidth + rightWidth];
                Array.Copy(l, combined, leftWidth);
                Array.Copy(r, 0, combined, leftWidth, rightWidth);
                if (condition is null || condition(combined))
                {
                    matched = true;
                    yield return combined;
                }
            }

            if (!matched && join.Kind == JoinKind.Left)
            {
                var padded = new Value[leftWidth + rightWidth];
                Array.Copy(l, padded, leftWidth);
                yield return padded;
            }
        }
    }
}
