using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Explain;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>SHOW, DESCRIBE, EXPLAIN and session settings: statements answered from the catalog with a fixed set of rows.</summary>
public sealed partial class StreamEngine
{
    private RowsResult Show(ShowObjectsStatement show)
    {
        switch (show.What)
        {
            case ShowObjectKind.Streams:
                return Rows(
                    ["stream_name", "kafka_topic", "key_format", "value_format", "partitions"],
                    Catalog.Streams().Where(s => s.Kind == RelationKind.Stream)
                        .Select(s => Row(s.Name, s.Topic, s.KeyFormat.ToString().ToUpperInvariant(), s.ValueFormat.ToString().ToUpperInvariant(), s.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            case ShowObjectKind.Tables or ShowObjectKind.MaterializedViews:
                var kind = show.What == ShowObjectKind.Tables ? RelationKind.Table : RelationKind.MaterializedView;
                return Rows(
                    [(kind == RelationKind.Table ? "table" : "view") + "_name", "kafka_topic", "primary_key", "value_format", "partitions", "rows"],
                    Catalog.Streams().Where(s => s.Kind == kind)
                        .Select(s => Row(s.Name, s.Topic, string.Join(", ", s.PrimaryKey), s.ValueFormat.ToString().ToUpperInvariant(),
                            s.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture), TableRowCount(s))));
            case ShowObjectKind.Topics:
                return new RowsResult(
                    [new ColumnSchema("topic_name", SqlType.Varchar), new ColumnSchema("partitions", SqlType.Int), new ColumnSchema("records", SqlType.BigInt)],
                    ToAsync(Topics.List()
                        .Where(t => show.Extended || !t.Name.StartsWith("_streamsql", StringComparison.Ordinal))
                        .Select(t => new[]
                        {
                            Value.FromString(t.Name), Value.FromInt(t.PartitionCount),
                            Value.FromBigInt(Enumerable.Range(0, t.PartitionCount).Sum(p => t.EndOffset(p) - t.StartOffset(p))),
                        }).ToList()));
            case ShowObjectKind.Queries:
                var statuses = QueryStatuses().ToDictionary(s => s.Id);
                var queries = Catalog.Queries();
                return new RowsResult(
                    [
                        new ColumnSchema("query_id", SqlType.Varchar), new ColumnSchema("status", SqlType.Varchar), new ColumnSchema("sink", SqlType.Varchar),
                        new ColumnSchema("query", SqlType.Varchar), new ColumnSchema("records_in", SqlType.BigInt), new ColumnSchema("records_out", SqlType.BigInt),
                        new ColumnSchema("bad_records", SqlType.BigInt), new ColumnSchema("lag", SqlType.BigInt), new ColumnSchema("error", SqlType.Varchar),
                    ],
                    ToAsync(queries.Select(q =>
                    {
                        var s = statuses.GetValueOrDefault(q.Id);
                        return new[]
                        {
                            Value.FromString(q.Id), Value.FromString(s?.Status ?? "UNKNOWN"), Value.FromString(q.SinkName), Value.FromString(q.Sql),
                            Value.FromBigInt(s?.RecordsIn ?? 0), Value.FromBigInt(s?.RecordsOut ?? 0), Value.FromBigInt(s?.BadRecords ?? 0), Value.FromBigInt(s?.Lag ?? 0),
                            s?.Failure is { } failure ? Value.FromString(failure) : Value.Null,
                        };
                    }).ToList()));
            case ShowObjectKind.Functions:
                return Rows(["name", "kind", "aliases"], Planner.Functions.FunctionRegistry.All().Select(f => Row(f.Name, f.Kind, string.Join(", ", f.Aliases))));
            case ShowObjectKind.Properties:
                return Rows(["name", "value"], [Row("data_dir", Options.DataDirectory), .. Options.Properties.Select(p => Row(p.Name, p.Value))]);
            default:
                // Tables, views, sources and sinks arrive with later issues; until then there are none to list.
                return Rows([show.What.ToString().ToLowerInvariant().TrimEnd('s') + "_name"], []);
        }
    }

    private string TableRowCount(StreamDefinition table)
    {
        lock (_tables)
        {
            // Empty before the materialization starts (at the table's first reader): the rows are not counted anywhere yet.
            return _tables.TryGetValue(table.Name, out var state) && state.IsStarted ? state.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        }
    }

    private RowsResult Describe(DescribeStatement describe)
    {
        var stream = Catalog.GetStream(describe.Name.Name, describe.Name.Position);
        var rows = stream.Columns.Select(c => Row(c.Name, c.Type.SqlName, c.IsKey || stream.PrimaryKey.Contains(c.Name) ? (stream.Kind == RelationKind.Stream ? "KEY" : "PRIMARY KEY") : "")).ToList();
        if (describe.Extended)
        {
            rows.AddRange(Pseudocolumns.All.Select(c => Row(c.Name, c.Type.SqlName, "PSEUDOCOLUMN")));
            lock (_running)
            {
                if (stream.SourceQueryId is { } id && _running.TryGetValue(id, out var query))
                {
                    rows.Add(Row("(query)", id, query.Status));
                    rows.Add(Row("(records in)", query.Metrics.RecordsIn.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    rows.Add(Row("(records out)", query.Metrics.RecordsOut.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    rows.Add(Row("(bad records)", query.Metrics.BadRecords.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    rows.Add(Row("(expression errors)", query.Metrics.ExpressionErrors.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    rows.Add(Row("(lag)", query.Lag().Sum().ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    rows.Add(Row("(late records)", query.Metrics.LateRecords.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    if (query.State is not null)
                    {
                        rows.Add(Row("(state entries)", query.StateEntries.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                        rows.Add(Row("(state bytes)", query.StateBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                        rows.Add(Row("(checkpoints)", query.State.Checkpoints.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                        if (query.State.LastCheckpointAt is { } checkpointAt)
                        {
                            rows.Add(Row("(last checkpoint ms)", query.State.LastCheckpointMillis.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                            rows.Add(Row("(checkpoint age s)", Math.Max(0, (DateTimeOffset.UtcNow - checkpointAt).TotalSeconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), ""));
                        }

                        rows.Add(Row("(replayed at start)", query.ReplayedAtStart.ToString(System.Globalization.CultureInfo.InvariantCulture), ""));
                    }
                    if (query.Failure is { } failure)
                    {
                        rows.Add(Row("(failure)", failure.Message, failure.GetType().Name));
                    }

                    if ((query.Metrics.LastError ?? query.Failure?.Message) is { } lastError)
                    {
                        rows.Add(Row("(last error)", lastError, ""));
                    }
                }
            }

            if (stream.Kind != RelationKind.Stream && TryGetTableState(stream.Name) is { } table)
            {
                rows.Add(table.IsStarted
                    ? Row("(materialization replayed at start)", table.ReplayedAtStart.ToString(System.Globalization.CultureInfo.InvariantCulture), "")
                    : Row("(materialization)", "starts with the first query that reads the table", ""));
            }
        }

        return Rows(["column_name", "data_type", "key"], rows);
    }

    private RowsResult Explain(ExplainStatement explain, IParameterSource? parameters)
    {
        var query = ExplainedQuery(explain);
        var bound = BindAndOptimize(query, parameters);
        // Push and persistent queries run a stream–table join in the partition tasks; pull queries at the consumer.
        var continuous = query.Emit != EmitMode.None || explain.Statement is CreateRelationStatement;
        // A persistent Top-N is built by the stateful pipeline only: its physical steps are those below it, then the operator.
        IReadOnlyList<string> physical = explain.Statement is CreateRelationStatement && TopNOf(bound.Plan) is { } topN
            ? [.. Operators.PartitionPipeline.Build(topN.Input).Describe(),
                $"  → {nameof(Operators.TopNOperator)} ({topN.Limit} rows per partition in the state store, keyed by {(topN.RankOutput ? "partition and rank" : "row")})"]
            : Operators.PartitionPipeline.Build(bound.Plan, tables: continuous ? TableLookup : null).Describe();
        return Rows(["QUERY PLAN"], [.. PlanPrinter.Print(bound.Plan).Select(line => Row(line)), Row("Physical:"), .. physical.Select(line => Row("  " + line))]);
    }

    /// <summary>The query an EXPLAIN shows: a SELECT's, or a CREATE ... AS SELECT's.</summary>
    private static Query ExplainedQuery(ExplainStatement explain) => explain.Statement switch
    {
        SelectStatement select => select.Query,
        CreateRelationStatement { AsQuery: { } asQuery } => asQuery,
        _ => throw SqlException.NotSupported("EXPLAIN of " + explain.Statement.GetType().Name.Replace("Statement", "", StringComparison.Ordinal).ToUpperInvariant(), explain.Statement.Position),
    };

    private static RowsResult DescribeFunction(DescribeFunctionStatement describe)
    {
        var canonical = Planner.Functions.FunctionRegistry.Canonical(describe.Name);
        if (!Planner.Functions.FunctionRegistry.Exists(canonical))
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {describe.Name} does not exist", describe.Position);
        }

        if (Planner.Functions.FunctionRegistry.Find(canonical) is not { } overloads)
        {
            var kind = Planner.Functions.FunctionRegistry.IsAggregate(canonical) ? "aggregate" : "arguments of one common type";
            return Rows(["name", "arguments", "result"], [Row(canonical, kind, "")]);
        }

        return Rows(["name", "arguments", "result"],
            overloads.Select(f => Row(f.Name, string.Join(", ", f.Parameters.Select(p => p.DisplayName)) + (f.Variadic ? ", ..." : ""), f.Result.DisplayName)));
    }

    private static RowsResult ShowSetting(ShowSettingStatement show, SessionContext session)
    {
        if (show.Name is null)
        {
            return Rows(["name", "setting"], session.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => Row(s.Key, s.Value)), "SHOW");
        }

        var value = session.Get(show.Name)
            ?? throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{show.Name}\"", show.Position);
        return Rows([show.Name.ToLowerInvariant()], [Row(value)], "SHOW");
    }

    private static CommandResult SetSetting(SetStatement set, SessionContext session)
    {
        var name = set.Name.ToLowerInvariant();
        if (!SessionContext.Defaults.ContainsKey(name))
        {
            throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{set.Name}\"", set.Position);
        }

        if (SettingValues.ReadOnly.Contains(name))
        {
            throw new SqlException(SqlState.CantChangeRuntimeParam, $"parameter \"{name}\" cannot be changed", set.Position);
        }

        if (set.Value is null)
        {
            session.Reset(name);
            return new CommandResult("SET");
        }

        if (name == SessionContext.AutoOffsetReset && set.Value.ToLowerInvariant() is not ("earliest" or "latest"))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"{name}\": \"{set.Value}\"", set.Position,
                hint: "Available values: earliest, latest.");
        }

        session.Set(name, SettingValues.Normalize(name, set.Value, set.Position, session.Get(name)));
        return new CommandResult("SET");
    }

    private static CommandResult ResetSetting(ResetStatement reset, SessionContext session)
    {
        if (reset.Name is not null && !SessionContext.Defaults.ContainsKey(reset.Name.ToLowerInvariant()))
        {
            throw new SqlException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{reset.Name}\"", reset.Position);
        }

        session.Reset(reset.Name);
        return new CommandResult("RESET");
    }

    private static Value[] Row(params string[] values) => values.Select(Value.FromString).ToArray();

    private static RowsResult Rows(IReadOnlyList<string> columns, IEnumerable<Value[]> rows, string? tag = null) =>
        new(columns.Select(c => new ColumnSchema(c, SqlType.Varchar)).ToList(), ToAsync(rows.ToList()), tag);

    private static async IAsyncEnumerable<Value[]> ToAsync(IReadOnlyList<Value[]> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
