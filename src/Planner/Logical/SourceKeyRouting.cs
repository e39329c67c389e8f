using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Logical;

/// <summary>
/// Whether rows grouped (or ranked) by some keys already meet in one partition of a source partitioned by its key column:
/// true when one key's value determines the key column's value, so rows with equal keys have equal source keys. Then no
/// repartition is needed. Recognised: the key column itself, an integer key column as text, and the composite-key idiom
/// of a table whose key is one column, an integer key column as text followed by a constant that starts with a non-digit
/// (<c>CAST(id AS VARCHAR) || '@' || ...</c>: the digits before the constant are the id).
/// </summary>
public static class SourceKeyRouting
{
    public static bool KeepsSourcePartitioning(IReadOnlyList<BoundExpression> keys, int keyIndex)
    {
        if (keyIndex < 0)
        {
            return false;
        }

        foreach (var key in keys)
        {
            if (Determines(key, keyIndex))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Determines(BoundExpression key, int keyIndex)
    {
        if (key is BoundColumn c && c.Index == keyIndex)
        {
            return true;
        }

        if (IntegerKeyAsText(key, keyIndex))
        {
            return true;
        }

        var parts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(key, BinaryOperator.Concat, parts);
        return parts.Count >= 2 && IntegerKeyAsText(parts[0], keyIndex) && StartsWithNonDigit(parts[1]);
    }

    /// <summary>An integer key column, cast to text or as the operand of || (whose text form is the same).</summary>
    private static bool IntegerKeyAsText(BoundExpression expression, int keyIndex) => expression switch
    {
        BoundCast { Operand: BoundColumn c, Type.Kind: SqlTypeKind.Varchar } => c.Index == keyIndex && c.Type.IsInteger,
        BoundColumn c => c.Index == keyIndex && c.Type.IsInteger,
        _ => false,
    };

    private static bool StartsWithNonDigit(BoundExpression expression) => expression switch
    {
        BoundLiteral { Value: string s } => s.Length > 0 && !char.IsAsciiDigit(s[0]),
        BoundCast { Operand: BoundLiteral { Value: string s } } => s.Length > 0 && !char.IsAsciiDigit(s[0]),
        _ => false,
    };
}
