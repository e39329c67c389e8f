using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Explain;

/// <summary>Renders a logical plan as an indented tree, one node per line (EXPLAIN output).</summary>
public static class PlanPrinter
{
    public static IReadOnlyList<string> Print(LogicalPlan plan)
    {
        var lines = new List<string>();
        Print(plan, 0, lines);
        return lines;
    }

    private static void Print(LogicalPlan plan, int depth, List<string> lines)
    {
        var indent = depth == 0 ? "" : new string(' ', (depth - 1) * 2) + "└─";
        lines.Add(indent + plan switch
        {
            LogicalScan s => $"Scan {s.Source.Name} (topic {s.Source.Topic}, {s.Source.Partitions} partitions"
                + (s.ReadColumns is null ? ")" : $", reads {string.Join(", ", s.ReadColumns.Select(i => s.Source.RowSchema[i].Name))})"),
            LogicalValues v => $"Values ({v.Rows.Count} rows)",
            LogicalFilter f => $"Filter {Render(f.Predicate, f.Input)}",
            LogicalProject p => "Project " + string.Join(", ", p.Expressions.Select((e, i) => $"{Render(e, p.Input)} AS {p.Columns[i].Name}")),
            LogicalLimit l => $"Limit {l.Count}",
            LogicalOffset o => $"Offset {o.Count}",
            LogicalDistinct => "Distinct",
            LogicalSort s => "Sort " + string.Join(", ", s.Keys.Select(k => Render(k.Expression, s.Input) + (k.Descending ? " DESC" : "") + (k.NullsFirst != k.Descending ? (k.NullsFirst ? " NULLS FIRST" : " NULLS LAST") : ""))),
            LogicalSetOperation u => u.Operator.ToString() + (u.All ? " ALL" : ""),
            LogicalLookupJoin j => (j.Kind == Parser.Ast.JoinKind.Left ? "LeftLookupJoin" : "LookupJoin") + $" {j.Table.Name} ON {j.Table.Columns[j.Table.KeyIndex].Name} = {Render(j.LeftKey, j.Left)}"
                + (j.Residual is null ? "" : " AND " + Render(j.Residual, j)),
            LogicalStreamJoin j => $"StreamJoin {j.Kind.ToString().ToUpperInvariant()} ON {Render(j.LeftKey, j.Left)} = {Render(j.RightKey, j.Right)}"
                + (j.Residual is null ? "" : " AND " + Render(j.Residual, j))
                + $" WITHIN ({j.BeforeMicros / 1_000_000} s, {j.AfterMicros / 1_000_000} s) GRACE {j.GraceMicros / 1_000_000} s"
                + (j.LeftFilter is null ? "" : " LEFT WHERE " + Render(j.LeftFilter, j.Left))
                + (j.RightFilter is null ? "" : " RIGHT WHERE " + Render(j.RightFilter, j.Right)),
            LogicalTableJoin j => $"TableJoin {j.Kind.ToString().ToUpperInvariant()} ON {Render(j.Condition, j)}",
            LogicalJoin j => (j.Kind == Parser.Ast.JoinKind.Left ? "LeftJoin" : "Join") + (j.Condition is null ? "" : " ON " + Render(j.Condition, j)),
            LogicalAggregate a => "Aggregate" + (a.Keys.Count == 0 ? "" : " by " + string.Join(", ", a.Keys.Select(k => Render(k, a.Input))))
                + ": " + string.Join(", ", a.Aggregates.Select(g => $"{g.Name}({(g.Star ? "*" : (g.Distinct ? "DISTINCT " : "") + string.Join(", ", g.Arguments.Select(x => Render(x, a.Input))))})"))
                + (a.Window is { } w ? $" (window {w.Description}, grace {w.GraceMicros / 1_000_000} s)" : ""),
            LogicalTopN t => $"TopN {t.Limit}" + (t.PartitionKeys.Count == 0 ? "" : " by " + string.Join(", ", t.PartitionKeys.Select(k => Render(k, t.Input))))
                + (t.SortKeys.Count == 0 ? "" : " order " + string.Join(", ", t.SortKeys.Select(k => Render(k.Expression, t.Input) + (k.Descending ? " DESC" : "") + (k.NullsFirst != k.Descending ? (k.NullsFirst ? " NULLS FIRST" : " NULLS LAST") : ""))))
                + (t.RankOutput ? $" (rank as {t.RankName})" : " (rank not selected)"),
            LogicalWindowAssign w => $"WindowAssign {w.Function.ToString().ToUpperInvariant()} on {Render(w.Time, w.Input)} (size {w.SizeMicros / 1_000_000} s"
                + (w.Function == WindowFunction.Tumble ? ")" : $", {(w.Function == WindowFunction.Hop ? "advance" : "step")} {w.StepMicros / 1_000_000} s)"),
            _ => plan.GetType().Name,
        });
        foreach (var input in plan.Inputs)
        {
            Print(input, depth + 1, lines);
        }
    }

    public static string Render(BoundExpression expression, LogicalPlan input) => expression switch
    {
        BoundColumn c => c.Name,
        BoundLiteral { Value: null } => "NULL",
        BoundLiteral { Value: string s } => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        BoundLiteral { Value: bool b } => b ? "true" : "false",
        BoundLiteral l => Binder.Coercion.FormatConstant(l.Value!, l.Type),
        BoundBinary b => $"({Render(b.Left, input)} {b.Operator.ToSql()} {Render(b.Right, input)})",
        BoundNegate n => $"(- {Render(n.Operand, input)})",
        BoundNot n => $"(NOT {Render(n.Operand, input)})",
        BoundIsNull n => $"({Render(n.Operand, input)} IS {(n.Negated ? "NOT " : "")}NULL)",
        BoundIsBoolean b => $"({Render(b.Operand, input)} IS {(b.Negated ? "NOT " : "")}{(b.Value ? "TRUE" : "FALSE")})",
        BoundLike l => $"({Render(l.Operand, input)} {(l.Negated ? "NOT " : "")}{(l.CaseInsensitive ? "ILIKE" : "LIKE")} {Render(l.Pattern, input)})",
        BoundInList i => $"({Render(i.Operand, input)} {(i.Negated ? "NOT " : "")}IN ({string.Join(", ", i.Values.Select(v => Render(v, input)))}))",
        BoundCase c => "CASE " + string.Join(" ", c.Whens.Select(w => $"WHEN {Render(w.Condition, input)} THEN {Render(w.Result, input)}")) + (c.Else is null ? "" : $" ELSE {Render(c.Else, input)}") + " END",
        BoundCast c => $"CAST({Render(c.Operand, input)} AS {c.Type.SqlName})",
        BoundFunctionCall { Name: Binder.ExpressionBinder.ArrayConstructorFunction } f => $"ARRAY[{string.Join(", ", f.Arguments.Select(a => Render(a, input)))}]",
        BoundFunctionCall { Name: Binder.ExpressionBinder.ArraySubscriptFunction, Arguments: [var array, var index] } => $"{Render(array, input)}[{Render(index, input)}]",
        BoundFunctionCall { Name: Binder.ExpressionBinder.MapConstructorFunction } f =>
            $"MAP({string.Join(", ", f.Arguments.Chunk(2).Select(e => $"{Render(e[0], input)} := {Render(e[1], input)}"))})",
        BoundFunctionCall { Name: Binder.ExpressionBinder.StructConstructorFunction } f =>
            $"STRUCT({string.Join(", ", f.Arguments.Select((a, i) => $"{f.Type.Fields![i].Name} := {Render(a, input)}"))})",
        BoundFunctionCall { Name: Binder.ExpressionBinder.MapSubscriptFunction, Arguments: [var map, var key] } => $"{Render(map, input)}[{Render(key, input)}]",
        BoundFunctionCall { Name: Binder.ExpressionBinder.StructFieldFunction, Arguments: [var st, BoundLiteral { Value: int field }] } => $"{Render(st, input)}->{st.Type.Fields![field].Name}",
        BoundFunctionCall f => $"{f.Name}({string.Join(", ", f.Arguments.Select(a => Render(a, input)))})",
        _ => expression.GetType().Name,
    };
}
