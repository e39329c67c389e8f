using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>A parameter of not-yet-known type while a statement is described; coercion to a type infers that type (PostgreSQL's variable parameters).</summary>
public sealed class ParameterSlot
{
    public ParameterSlot(int index) => Index = index;

    /// <summary>1-based, as in $n.</summary>
    public int Index { get; }

    /// <summary>The type deduced from the context, or null while none was.</summary>
    public SqlType? Inferred { get; private set; }

    /// <summary>Records the type the context wants; a second, different deduction is PostgreSQL's 42P08.</summary>
    public void Infer(SqlType type, int? position)
    {
        if (type.Kind == SqlTypeKind.Unknown)
        {
            return;
        }

        if (Inferred is not null && Inferred != type)
        {
            throw new SqlException(SqlState.AmbiguousParameter, $"inconsistent types deduced for parameter ${Index}", position,
                detail: $"{Inferred.DisplayName} versus {type.DisplayName}");
        }

        Inferred = type;
    }
}
