using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>
/// Windows in queries: ksqlDB's WINDOW clause and the window table functions (TUMBLE, HOP, CUMULATE) both become a
/// <see cref="LogicalWindowAssign"/> under the aggregate, which then groups by window_start and window_end.
/// </summary>
public static class WindowColumns
{
    public const string Start = "window_start";
    public const string End = "window_end";

    /// <summary>Records later than a window's end plus this still count, unless a GRACE PERIOD says otherwise (ksqlDB's default).</summary>
    public static readonly long DefaultGraceMicros = 24L * 3600 * 1_000_000;

    /// <summary>WINDOWSTART/WINDOWEND (ksqlDB) are window_start/window_end.</summary>
    public static QuerySpecification RenameKsqlBounds(QuerySpecification spec)
    {
        Expression Rename(Expression e) => AstExpressionRewriter.Rewrite(e, x => x switch
        {
            ColumnReference { Name: "windowstart" } c => c with { Name = Start },
            ColumnReference { Name: "windowend" } c => c with { Name = End },
            _ => null,
        });

        return spec with
        {
            // The output column keeps the name the user wrote.
            Items = spec.Items.Select(i => i is SelectExpression e
                ? e with { Expression = Rename(e.Expression), Alias = e.Alias ?? (e.Expression is ColumnReference { Name: "windowstart" or "windowend" } c ? c.Name : null) }
                : i).ToList(),
            Having = spec.Having is null ? null : Rename(spec.Having),
            GroupBy = spec.GroupBy.Select(Rename).ToList(),
        };
    }

    /// <summary>WINDOW TUMBLING/HOPPING: windows over the record's event time (ROWTIME); the bounds are hidden columns.</summary>
    public static (LogicalPlan Plan, BindScope Scope) AssignForClause(WindowSpec window, LogicalPlan input, BindScope scope)
    {
        int? rowTime;
        if (scope.Parts is not null)
        {
            // Over a stream–table join the windows follow the stream's event time (the joined row's time, as in ksqlDB):
            // the stream's columns come first in the joined row.
            rowTime = StreamSide(input) is { } stream
                ? IndexOf(stream.Schema, Pseudocolumns.RowTime)
                : throw SqlException.NotSupported("WINDOW over a join other than a stream-table join", window.Position);
        }
        else
        {
            rowTime = IndexOf(scope.Columns, Pseudocolumns.RowTime);
        }

        rowTime = rowTime
            ?? throw new SqlException(SqlState.FeatureNotSupported, "WINDOW needs a stream in FROM (its ROWTIME is the event time)", window.Position);
        var size = Micros(window.Size);
        var step = window.Kind == WindowKind.Hopping ? Micros(window.Advance ?? throw new SqlException(SqlState.SyntaxError, "WINDOW HOPPING needs ADVANCE BY", window.Position)) : size;
        var function = window.Kind switch
        {
            WindowKind.Hopping => WindowFunction.Hop,
            WindowKind.Session => WindowFunction.Session,
            WindowKind.Sliding => WindowFunction.Sliding,
            _ => WindowFunction.Tumble,
        };
        Validate(function, size, step, window.Position);
        var columns = new List<ColumnSchema>(input.Schema)
        {
            new(Start, SqlType.Timestamp, Hidden: true),
            new(End, SqlType.Timestamp, Hidden: true),
        };
        var plan = new LogicalWindowAssign(input, function, new BoundColumn(rowTime.Value, Pseudocolumns.RowTime, SqlType.Timestamp), size, step, columns);
        return (plan, scope with { Columns = [.. scope.Columns, columns[^2], columns[^1]] });
    }

    /// <summary>The stream side of a stream–table join under WHERE filters, or null when the input is not such a join.</summary>
    private static LogicalPlan? StreamSide(LogicalPlan input) => input switch
    {
        LogicalLookupJoin join => join.Left,
        LogicalFilter filter => StreamSide(filter.Input),
        _ => null,
    };

    /// <summary>TUMBLE(src, col, size), HOP(src, col, slide, size), CUMULATE(src, col, step, max): src's columns plus window_start and window_end.</summary>
    public static (LogicalPlan Plan, BindScope Scope) AssignForFunction(TableFunctionRelation function, LogicalPlan input, BindScope scope, ExpressionBinder binder)
    {
        var name = function.Name.ToLowerInvariant();
        var (kind, arity) = name switch
        {
            "tumble" => (WindowFunction.Tumble, 3),
            "hop" => (WindowFunction.Hop, 4),
            "cumulate" => (WindowFunction.Cumulate, 4),
            "session" => (WindowFunction.Session, 3),
            _ => throw new SqlException(SqlState.UndefinedFunction, $"table function {function.Name} does not exist", function.Position),
        };
        if (function.Arguments.Count != arity)
        {
            throw new SqlException(SqlState.UndefinedFunction,
                $"{name.ToUpperInvariant()} takes {arity} arguments: " + (kind == WindowFunction.Session ? "(source, time column, gap)" : arity == 3 ? "(source, time column, size)" : kind == WindowFunction.Hop ? "(source, time column, slide, size)" : "(source, time column, step, max size)"),
                function.Position);
        }

        var time = ExpressionBinder.Resolve(binder.Bind(function.Arguments[1]), function.Arguments[1].Position);
        if (time.Type.Kind is not (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz))
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"the time column of {name.ToUpperInvariant()} must be a timestamp, not {time.Type.DisplayName}", function.Arguments[1].Position);
        }

        var first = IntervalArgument(function.Arguments[2], binder);
        var (size, step) = kind switch
        {
            WindowFunction.Tumble or WindowFunction.Session => (first, first),
            WindowFunction.Hop => (IntervalArgument(function.Arguments[3], binder), first),
            _ => (IntervalArgument(function.Arguments[3], binder), first),
        };
        Validate(kind, size, step, function.Position);
        var columns = new List<ColumnSchema>(input.Schema)
        {
            new(Start, SqlType.Timestamp),
            new(End, SqlType.Timestamp),
        };
        var plan = new LogicalWindowAssign(input, kind, time, size, step, columns);
        return (plan, scope with { Columns = [.. scope.Columns, columns[^2], columns[^1]] });
    }

    /// <summary>Marks an aggregate as windowed when it groups by both bounds of a window assignment below it.</summary>
    /// <param name="watermarkDelay">The source's WATERMARK delay: the grace period when the query gives none.</param>
    public static LogicalAggregate MarkWindow(LogicalAggregate aggregate, WindowSpec? clause, long? watermarkDelay = null)
    {
        var assign = FindAssign(aggregate.Input);
        if (assign is null)
        {
            return aggregate;
        }

        var start = aggregate.Keys.ToList().FindIndex(k => k is BoundColumn c && c.Index == assign.StartIndex);
        var end = aggregate.Keys.ToList().FindIndex(k => k is BoundColumn c && c.Index == assign.StartIndex + 1);
        if (start < 0 || end < 0)
        {
            return aggregate;
        }

        var grace = clause?.Grace is { } g ? Micros(g) : watermarkDelay ?? DefaultGraceMicros;
        var description = assign.Function switch
        {
            WindowFunction.Tumble => $"TUMBLING {Seconds(assign.SizeMicros)}",
            WindowFunction.Hop => $"HOPPING {Seconds(assign.SizeMicros)} advance {Seconds(assign.StepMicros)}",
            WindowFunction.Session => $"SESSION gap {Seconds(assign.SizeMicros)}",
            WindowFunction.Sliding => $"SLIDING {Seconds(assign.SizeMicros)}",
            _ => $"CUMULATE {Seconds(assign.StepMicros)} up to {Seconds(assign.SizeMicros)}",
        };
        return aggregate with
        {
            Window = new AggregateWindow(start, end, grace, description,
                SessionGapMicros: assign.Function == WindowFunction.Session ? assign.SizeMicros : 0,
                SlidingSizeMicros: assign.Function == WindowFunction.Sliding ? assign.SizeMicros : 0,
                RetentionMicros: clause?.Retention is { } r ? Micros(r) : null),
        };
    }

    /// <summary>The aggregate a query's plan ends in (under HAVING, the SELECT list, DISTINCT, ORDER BY, LIMIT), if any.</summary>
    public static LogicalAggregate? FindAggregate(LogicalPlan plan) => plan switch
    {
        LogicalAggregate a => a,
        LogicalProject or LogicalFilter or LogicalLimit or LogicalSort or LogicalDistinct or LogicalOffset => FindAggregate(plan.Inputs[0]),
        _ => null,
    };

    private static LogicalWindowAssign? FindAssign(LogicalPlan plan) => plan switch
    {
        LogicalWindowAssign w => w,
        LogicalFilter or LogicalProject => FindAssign(plan.Inputs[0]),
        _ => null,
    };

    private static string Seconds(long micros) => micros % 1_000_000 == 0 ? $"{micros / 1_000_000} s" : $"{micros / 1000} ms";

    private static void Validate(WindowFunction kind, long size, long step, int position)
    {
        if (size <= 0 || step <= 0)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "window size and advance must be positive", position);
        }

        if (kind == WindowFunction.Hop && step > size)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "a hopping window's advance cannot be larger than its size", position);
        }

        if (kind == WindowFunction.Cumulate && size % step != 0)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "CUMULATE's max size must be a multiple of its step", position);
        }
    }

    private static long Micros(Duration duration) => duration.Value.Ticks / 10;

    private static long IntervalArgument(Expression argument, ExpressionBinder binder)
    {
        var bound = binder.Bind(argument);
        if (bound is BoundLiteral { Value: Interval interval } && interval.Months == 0)
        {
            return (interval.Days * Interval.MicrosPerDay) + interval.Micros;
        }

        throw new SqlException(SqlState.InvalidParameterValue, "a window size must be a constant INTERVAL of days, hours, minutes or seconds", argument.Position);
    }

    private static int? IndexOf(IReadOnlyList<ColumnSchema> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        return null;
    }
}
