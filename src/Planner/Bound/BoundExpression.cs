using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>A type-checked expression over the columns of an input row; compiled by the runtime into a delegate.</summary>
public abstract record BoundExpression(SqlType Type);
