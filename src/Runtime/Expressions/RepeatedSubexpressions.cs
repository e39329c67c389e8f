using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;
using L = System.Linq.Expressions.Expression;

namespace StreamSql.Runtime.Expressions;

/// <summary>
/// The subexpressions (operators, function calls, casts) that occur more than once in one compiled expression, e.g. the
/// two <c>0.908 * price</c> of <c>WHERE 0.908 * price &gt; 1 AND 0.908 * price &lt; 5</c> or the repeated
/// <c>extract(hour FROM date_time)</c> of a CASE. Each is computed at its first use in a row and reused after that: lazily,
/// so one inside a CASE branch or COALESCE argument is still computed only where the original would have been (an error it
/// raises, e.g. a division by zero, is raised at the same point). Only deterministic scalar subexpressions are shared;
/// anything else (composite types, volatile functions, node kinds not listed here) is compiled as it is.
/// </summary>
internal sealed class RepeatedSubexpressions
{
    private readonly Dictionary<BoundExpression, string?> _fingerprints = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ParameterExpression Value, ParameterExpression Done)> _slots = new(StringComparer.Ordinal);

    public RepeatedSubexpressions(BoundExpression expression) => Count(expression);

    /// <summary>The compiled form of a node: shared when it repeats, else what <paramref name="build"/> makes.</summary>
    public L Build(BoundExpression node, Func<L> build)
    {
        if (!IsShareable(node) || _fingerprints.GetValueOrDefault(node) is not { } fingerprint || _counts.GetValueOrDefault(fingerprint) < 2)
        {
            return build();
        }

        if (!_slots.TryGetValue(fingerprint, out var slot))
        {
            slot = (L.Variable(typeof(Value), "shared"), L.Variable(typeof(bool), "computed"));
            _slots[fingerprint] = slot;
        }

        // computed ? shared : (shared = <node>, computed = true, shared)
        return L.Condition(slot.Done, slot.Value,
            L.Block(L.Assign(slot.Value, build()), L.Assign(slot.Done, L.Constant(true)), slot.Value));
    }

    /// <summary>The body with its shared values' variables declared and reset (once per row).</summary>
    public L Wrap(L body)
    {
        if (_slots.Count == 0)
        {
            return body;
        }

        var variables = new List<ParameterExpression>();
        var statements = new List<L>();
        foreach (var (value, done) in _slots.Values)
        {
            variables.Add(value);
            variables.Add(done);
            statements.Add(L.Assign(done, L.Constant(false)));
        }

        statements.Add(body);
        return L.Block(body.Type, variables, statements);
    }

    private static bool IsShareable(BoundExpression node) =>
        node is BoundBinary or BoundCast or BoundFunctionCall { Name: not ("coalesce" or "array" or "map" or "struct") };

    private void Count(BoundExpression node)
    {
        foreach (var child in BoundExpressionRewriter.Children(node))
        {
            Count(child);
        }

        if (IsShareable(node) && Fingerprint(node) is { } fingerprint)
        {
            _counts[fingerprint] = _counts.GetValueOrDefault(fingerprint) + 1;
        }
    }

    /// <summary>A string that is equal for two nodes exactly when they compute the same value from a row; null when not shareable.</summary>
    private string? Fingerprint(BoundExpression node)
    {
        if (_fingerprints.TryGetValue(node, out var known))
        {
            return known;
        }

        var text = new StringBuilder();
        var fingerprint = Append(node, text) ? text.ToString() : null;
        _fingerprints[node] = fingerprint;
        return fingerprint;
    }

    private bool Append(BoundExpression node, StringBuilder text)
    {
        if (node.Type.Kind is SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct or SqlTypeKind.Unknown)
        {
            return false;
        }

        text.Append('(').Append(node.Type).Append(' ');
        switch (node)
        {
            case BoundColumn c:
                text.Append("col ").Append(c.Index);
                break;
            case BoundLiteral l:
                if (!AppendLiteral(l.Value, text))
                {
                    return false;
                }

                break;
            case BoundBinary b:
                text.Append(b.Operator).Append(' ');
                if (!Nested(b.Left, text) || !Nested(b.Right, text))
                {
                    return false;
                }

                break;
            case BoundNegate n:
                text.Append("neg ");
                if (!Nested(n.Operand, text))
                {
                    return false;
                }

                break;
            case BoundCast c:
                text.Append("cast ");
                if (!Nested(c.Operand, text))
                {
                    return false;
                }

                break;
            case BoundFunctionCall f when !Planner.Functions.FunctionRegistry.Volatile.Contains(f.Name):
                text.Append("fn ").Append(f.Name).Append(' ').Append(f.Arguments.Count);
                foreach (var argument in f.Arguments)
                {
                    if (!Nested(argument, text))
                    {
                        return false;
                    }
                }

                break;
            default:
                return false;
        }

        text.Append(')');
        return true;
    }

    private bool Nested(BoundExpression node, StringBuilder text)
    {
        if (Fingerprint(node) is not { } fingerprint)
        {
            return false;
        }

        text.Append(fingerprint);
        return true;
    }

    private static bool AppendLiteral(object? value, StringBuilder text)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                return true;
            case string s:
                // Length-prefixed, so no text inside a literal can look like the fingerprint's own punctuation.
                text.Append("text ").Append(s.Length).Append(':').Append(s);
                return true;
            case bool b:
                text.Append(b ? "true" : "false");
                return true;
            case long or int or short or decimal or double or float:
                text.Append(value.GetType().Name).Append(' ').Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                return true;
            default:
                return false;
        }
    }
}
