using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>Operators after binding; arithmetic and comparison operands already share one type.</summary>
public enum BoundOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Concat,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    IsDistinctFrom,
    IsNotDistinctFrom,
}
