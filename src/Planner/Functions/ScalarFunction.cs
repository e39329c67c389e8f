using StreamSql.Planner.Types;

namespace StreamSql.Planner.Functions;

/// <summary>A scalar function's signature: accepted argument types (after coercion) and its result type.</summary>
public sealed record ScalarFunction(string Name, IReadOnlyList<SqlType> Parameters, SqlType Result, bool Variadic = false);
