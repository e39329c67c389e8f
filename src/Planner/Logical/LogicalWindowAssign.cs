using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// Puts each row into the windows its event time falls in and appends window_start and window_end: one row per window
/// (TUMBLE: one; HOP: size/advance; CUMULATE: one per step that has not ended before the row). Stateless; the aggregate
/// above groups by the two columns.
/// </summary>
public sealed record LogicalWindowAssign(LogicalPlan Input, WindowFunction Function, BoundExpression Time, long SizeMicros, long StepMicros, IReadOnlyList<ColumnSchema> Columns)
    : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    /// <summary>Index of window_start in the output row (window_end follows).</summary>
    public int StartIndex => Input.Schema.Count;
}

/// <summary>The window assignments LogicalWindowAssign knows.</summary>
public enum WindowFunction
{
    Tumble,
    Hop,
    Cumulate,

    /// <summary>Each row gets the point window [time, time]; the session aggregate merges windows less than the gap apart.</summary>
    Session,

    /// <summary>Each row gets the point window [time, time]; the sliding aggregate makes the windows of size d its records define.</summary>
    Sliding,
}
