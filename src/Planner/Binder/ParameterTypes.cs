using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Parameter types while a statement is described: declared ones are kept, the others are inferred from where $n is used.</summary>
public sealed class ParameterTypes : IParameterSource
{
    private readonly List<SqlType?> _declared;
    private readonly List<ParameterSlot?> _slots = [];

    /// <param name="declared">Types the client declared, by position; null where it left the type to the server.</param>
    public ParameterTypes(IReadOnlyList<SqlType?> declared) => _declared = [.. declared];

    /// <summary>How many parameters the statement has: the declared ones or the highest $n used, whichever is more.</summary>
    public int Count => Math.Max(_declared.Count, _slots.Count);

    public BoundExpression Bind(ParameterReference parameter)
    {
        var i = parameter.Index - 1;
        if (i < _declared.Count && _declared[i] is { } declared)
        {
            return new BoundLiteral(null, declared);
        }

        while (_slots.Count <= i)
        {
            _slots.Add(null);
        }

        var slot = _slots[i] ??= new ParameterSlot(parameter.Index);
        return slot.Inferred is { } inferred ? new BoundLiteral(null, inferred) : new BoundLiteral(slot, SqlType.Unknown);
    }

    /// <summary>The type of every parameter: declared, else inferred, else null (the context did not say; PostgreSQL then uses text).</summary>
    public IReadOnlyList<SqlType?> Resolved()
    {
        var result = new SqlType?[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = i < _declared.Count && _declared[i] is { } d ? d : i < _slots.Count ? _slots[i]?.Inferred : null;
        }

        return result;
    }
}
