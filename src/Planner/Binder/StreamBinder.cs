using System.Globalization;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Binds CREATE STREAM (a source over a topic) and CREATE STREAM AS SELECT (a persistent query's sink).</summary>
public static class StreamBinder
{
    private static readonly HashSet<string> KnownProperties =
        ["kafka_topic", "value_format", "key_format", "format", "partitions", "timestamp", "value_delimiter", "replicas", "timestamp_format",
         "connector", "nexmark_table", "events", "seed", "event_rate", "nexmark_storage", Consolidate];

    /// <summary>
    /// consolidate='batch' on CREATE TABLE/MATERIALIZED VIEW ... AS SELECT ... GROUP BY: the changelog carries each group's
    /// latest row once per input batch instead of every intermediate update (as ksqlDB's record cache and Flink's
    /// mini-batch do); 'none', the default, keeps every update.
    /// </summary>
    public const string Consolidate = "consolidate";

    /// <summary>Whether a persistent aggregation's properties ask for consolidate='batch' (checked: 'batch' or 'none').</summary>
    public static bool BindConsolidate(IReadOnlyList<Property> withProperties)
    {
        var property = withProperties.FirstOrDefault(p => p.Name == Consolidate);
        return property?.Value.ToLowerInvariant() switch
        {
            null or "none" => false,
            "batch" => true,
            _ => throw new SqlException(SqlState.InvalidParameterValue, $"consolidate must be 'batch' or 'none', not \"{property.Value}\"", property.Position),
        };
    }

    /// <summary>
    /// The generator behind CREATE STREAM ... WITH (connector='nexmark', nexmark_table='bid', events=N [, seed=S] [, event_rate=R]),
    /// or null for a plain stream. The generator properties need connector='nexmark'.
    /// </summary>
    public static NexmarkSourceOptions? BindNexmark(CreateRelationStatement create)
    {
        var properties = Properties(create.Properties);
        if (!properties.TryGetValue("connector", out var connector))
        {
            foreach (var name in (string[])["nexmark_table", "events", "seed", "event_rate", "nexmark_storage"])
            {
                if (properties.TryGetValue(name, out var stray))
                {
                    throw new SqlException(SqlState.InvalidParameterValue, $"property \"{name}\" needs connector='nexmark'", stray.Position);
                }
            }

            return null;
        }

        if (!connector.Value.Equals("nexmark", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"unknown connector \"{connector.Value}\"; the only connector is 'nexmark'", connector.Position);
        }

        if (create.Kind != RelationKind.Stream || create.AsQuery is not null)
        {
            throw SqlException.NotSupported("connector='nexmark' outside CREATE STREAM with a column list", connector.Position);
        }

        if (!properties.TryGetValue("nexmark_table", out var table) || table.Value.ToLowerInvariant() is not ("person" or "auction" or "bid"))
        {
            throw new SqlException(SqlState.InvalidParameterValue, "connector='nexmark' needs nexmark_table='person', 'auction' or 'bid'", table?.Position ?? connector.Position);
        }

        long events = 10_000;
        if (properties.TryGetValue("events", out var e)
            && (!long.TryParse(e.Value, NumberStyles.None, CultureInfo.InvariantCulture, out events) || events is < 0 or > 1_000_000_000))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"events must be an integer between 0 and 1000000000, not \"{e.Value}\"", e.Position);
        }

        long seed = 0;
        if (properties.TryGetValue("seed", out var s) && !long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"seed must be an integer, not \"{s.Value}\"", s.Position);
        }

        double rate = 10_000;
        if (properties.TryGetValue("event_rate", out var r)
            && (!double.TryParse(r.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) || !double.IsFinite(rate) || rate <= 0))
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"event_rate must be a positive number of events per second, not \"{r.Value}\"", r.Position);
        }

        var stored = true;
        if (properties.TryGetValue("nexmark_storage", out var storage))
        {
            stored = storage.Value.ToLowerInvariant() switch
            {
                "topic" => true,
                "none" => false,
                _ => throw new SqlException(SqlState.InvalidParameterValue, $"nexmark_storage must be 'topic' or 'none', not \"{storage.Value}\"", storage.Position),
            };
        }

        return new NexmarkSourceOptions(table.Value.ToLowerInvariant(), events, seed, rate, connector.Position) { Stored = stored };
    }

    public static StreamDefinition BindSource(CreateRelationStatement create)
    {
        var isTable = create.Kind == RelationKind.Table;

        if (create.PrimaryKey.Count > 0 && !isTable)
        {
            throw new SqlException(SqlState.SyntaxError, "a stream has no PRIMARY KEY; use KEY", create.Position);
        }

        if (create.Columns.Count == 0)
        {
            throw new SqlException(SqlState.SyntaxError, $"CREATE {(isTable ? "TABLE" : "STREAM")} needs a column list (or AS SELECT)", create.Name.Position);
        }

        var columns = new List<ColumnSchema>();
        foreach (var column in create.Columns)
        {
            if (columns.Any(c => c.Name == column.Name) || Pseudocolumns.All.Any(p => p.Name == column.Name))
            {
                throw new SqlException(SqlState.DuplicateObject, $"column \"{column.Name}\" specified more than once", column.Position);
            }

            if (column.IsPrimaryKey && !isTable)
            {
                throw new SqlException(SqlState.SyntaxError, "a stream has no PRIMARY KEY; use KEY", column.Position);
            }

            if (column.IsKey && !column.IsPrimaryKey && isTable)
            {
                throw new SqlException(SqlState.SyntaxError, "a table has a PRIMARY KEY, not a KEY column", column.Position);
            }

            columns.Add(new ColumnSchema(column.Name, TypeResolver.Resolve(column.Type), column.IsKey || create.PrimaryKey.Contains(column.Name)));
        }

        foreach (var name in create.PrimaryKey)
        {
            if (!columns.Any(c => c.Name == name))
            {
                throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" named in key does not exist", create.Position);
            }
        }

        if (columns.Count(c => c.IsKey) > 1)
        {
            throw SqlException.NotSupported(isTable ? "a PRIMARY KEY of more than one column" : "more than one KEY column", create.Position);
        }

        if (isTable && !columns.Any(c => c.IsKey))
        {
            throw new SqlException(SqlState.InvalidTableDefinition, $"table \"{create.Name.Name}\" needs a PRIMARY KEY", create.Name.Position,
                hint: "A table is a changelog: each record upserts the row of its key. Declare the key with PRIMARY KEY.");
        }

        var properties = Properties(create.Properties);
        long? watermarkDelay = null;
        if (create.Watermark is { } watermark)
        {
            watermarkDelay = WatermarkDelay(watermark, columns);
            if (properties.TryGetValue("timestamp", out var ts) && ts.Value.ToLowerInvariant() != watermark.Column)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"the WATERMARK is on \"{watermark.Column}\" but the timestamp column is \"{ts.Value}\"", watermark.Position);
            }

            // The watermark's column is the event time.
            properties["timestamp"] = new Property(watermark.Position, "timestamp", watermark.Column);
        }

        var definition = Build(create.Name.Name, columns, properties, defaultPartitions: 1, defaultValueFormat: SourceFormat.Json, defaultDelimiter: ",", sourceQueryId: null)
            with { WatermarkDelayMicros = watermarkDelay };
        return isTable ? definition with { Kind = RelationKind.Table, PrimaryKey = [columns.First(c => c.IsKey).Name] } : definition;
    }

    /// <summary>The sink of CREATE STREAM AS SELECT: columns from the projection, formats and partitions from the source unless WITH overrides.</summary>
    public static StreamDefinition BindSink(CreateRelationStatement create, BoundQuery query, string queryId)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var source = query.Source ?? throw new SqlException(SqlState.FeatureNotSupported, "a persistent query must read a stream", create.AsQuery!.Position);
        var project = (Logical.LogicalProject)(query.Plan is Logical.LogicalLimit l ? l.Input : query.Plan);
        var columns = new List<ColumnSchema>();
        var keyTaken = false;
        for (var i = 0; i < project.Columns.Count; i++)
        {
            var column = project.Columns[i];
            if (!names.Add(column.Name))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"column \"{column.Name}\" specified more than once", create.AsQuery!.Position);
            }

            // The source's key stays the key when it is selected as a plain column reference (a stream joined with a table keeps its key).
            var isKey = !keyTaken && project.Expressions[i] is Bound.BoundColumn bc && project.Input is Logical.LogicalScan or Logical.LogicalFilter { Input: Logical.LogicalScan }
                or Logical.LogicalLookupJoin or Logical.LogicalFilter { Input: Logical.LogicalLookupJoin } && bc.Index == source.KeyIndex;
            keyTaken |= isKey;
            columns.Add(new ColumnSchema(column.Name, column.Type, isKey));
        }

        var properties = Properties(create.Properties);
        if (properties.ContainsKey("timestamp") && !columns.Any(c => c.Name == properties["timestamp"].Value))
        {
            throw new SqlException(SqlState.UndefinedColumn, $"timestamp column \"{properties["timestamp"].Value}\" does not exist", properties["timestamp"].Position);
        }

        return Build(create.Name.Name, columns, properties, source.Partitions, source.ValueFormat, source.ValueDelimiter, queryId);
    }

    /// <summary>WATERMARK FOR col AS col [- INTERVAL d]: how far the watermark trails the event time (a constant, as in Flink's bounded out-of-orderness).</summary>
    private static long WatermarkDelay(WatermarkDefinition watermark, List<ColumnSchema> columns)
    {
        var column = columns.FirstOrDefault(c => c.Name == watermark.Column)
            ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{watermark.Column}\" does not exist", watermark.Position);
        if (column.Type.Kind != SqlTypeKind.Timestamp)
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"a WATERMARK needs a TIMESTAMP column, and \"{column.Name}\" is {column.Type.DisplayName}", watermark.Position);
        }

        switch (watermark.Expression)
        {
            case ColumnReference c when c.Name == column.Name:
                return 0;
            case BinaryExpression { Operator: BinaryOperator.Subtract, Left: ColumnReference c, Right: IntervalLiteral interval } when c.Name == column.Name:
                var delay = Interval.Parse(interval.Value, interval.Unit, interval.Position);
                if (delay.Months != 0 || delay.Days < 0 || delay.Micros < 0)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, "a WATERMARK delay must be a non-negative interval of days, hours, minutes or seconds", interval.Position);
                }

                return (delay.Days * Interval.MicrosPerDay) + delay.Micros;
            default:
                throw SqlException.NotSupported($"WATERMARK FOR {column.Name} AS other than {column.Name} - INTERVAL '...'", watermark.Expression.Position);
        }
    }

    /// <summary>A table's columns are the SELECT list's: each name once.</summary>
    private static void RejectDuplicateColumns(Logical.LogicalProject project, int position)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in project.Columns)
        {
            if (!names.Add(column.Name))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"column \"{column.Name}\" specified more than once", position);
            }
        }
    }

    /// <summary>
    /// The table a persistent aggregation (CREATE TABLE/MATERIALIZED VIEW AS SELECT ... GROUP BY) writes: the projection's
    /// columns, keyed by the grouping columns (and the window bounds), which must all be selected.
    /// </summary>
    public static StreamDefinition BindTableSink(string name, RelationKind kind, IReadOnlyList<Property> withProperties, Logical.LogicalProject project,
        Logical.LogicalAggregate aggregate, StreamDefinition source, string queryId, int position)
    {
        RejectDuplicateColumns(project, position);

        var keyColumns = new List<int>();
        for (var k = 0; k < aggregate.Keys.Count; k++)
        {
            var index = -1;
            for (var j = 0; j < project.Expressions.Count && index < 0; j++)
            {
                if (project.Expressions[j] is Bound.BoundColumn c && c.Index == k)
                {
                    index = j;
                }
            }

            if (index < 0)
            {
                var text = Explain.PlanPrinter.Render(aggregate.Keys[k], aggregate.Input);
                throw new SqlException(SqlState.GroupingError, $"the grouping expression {text} must be selected: it is part of the key of \"{name}\"", position,
                    hint: $"Add {text} to the SELECT list.");
            }

            keyColumns.Add(index);
        }

        var single = keyColumns.Count == 1;
        var columns = project.Columns.Select((c, i) => new ColumnSchema(c.Name, c.Type, IsKey: single && keyColumns[0] == i)).ToList();
        var properties = Properties(withProperties);
        var definition = Build(name, columns, properties, source.Partitions, source.ValueFormat, source.ValueDelimiter, queryId, consolidates: true);
        return definition with { Kind = kind, PrimaryKey = keyColumns.Select(i => columns[i].Name).ToList() };
    }

    /// <summary>
    /// The table a persistent table–table join writes: its primary key has a column per key column of the join (keyPairs:
    /// for each, the indexes in the join's rows of the left and the right table's column), the first selected column of
    /// each pair; all must be selected.
    /// </summary>
    public static StreamDefinition BindTableJoinSink(string name, RelationKind kind, IReadOnlyList<Property> withProperties, Logical.LogicalProject project,
        IReadOnlyList<IReadOnlyList<int>> keyPairs, StreamDefinition source, string queryId, int position)
    {
        RejectDuplicateColumns(project, position);

        var keyColumns = new List<int>();
        foreach (var pair in keyPairs)
        {
            var key = -1;
            for (var j = 0; j < project.Expressions.Count && key < 0; j++)
            {
                if (project.Expressions[j] is Bound.BoundColumn c && pair.Contains(c.Index))
                {
                    key = j;
                }
            }

            if (key < 0)
            {
                throw new SqlException(SqlState.InvalidColumnReference,
                    keyPairs.Count == 1 ? $"the join key must be selected: it is the primary key of \"{name}\""
                        : $"every join key column must be selected: together they are the primary key of \"{name}\"", position,
                    hint: keyPairs.Count == 1 ? "Add the key column of either table to the SELECT list." : "Add each key column of either table to the SELECT list.");
            }

            keyColumns.Add(key);
        }

        var single = keyColumns.Count == 1;
        var columns = project.Columns.Select((c, i) => new ColumnSchema(c.Name, c.Type, IsKey: single && i == keyColumns[0])).ToList();
        var definition = Build(name, columns, Properties(withProperties), source.Partitions, source.ValueFormat, source.ValueDelimiter, queryId);
        return definition with { Kind = kind, PrimaryKey = keyColumns.Select(i => columns[i].Name).ToList() };
    }

    /// <summary>
    /// The table a persistent Top-N writes. With the rank selected it is keyed by the PARTITION BY columns and the rank (one
    /// row per slot); without it by every column (the rows themselves come and go). PARTITION BY columns must be selected.
    /// </summary>
    public static StreamDefinition BindTopNSink(string name, RelationKind kind, IReadOnlyList<Property> withProperties, Logical.LogicalProject project,
        Logical.LogicalTopN topN, StreamDefinition source, string queryId, int position)
    {
        RejectDuplicateColumns(project, position);

        var keyColumns = new List<int>();
        if (topN.RankOutput)
        {
            foreach (var key in topN.PartitionKeys)
            {
                var index = key is Bound.BoundColumn k ? project.Expressions.ToList().FindIndex(e => e is Bound.BoundColumn c && c.Index == k.Index) : -1;
                if (index < 0)
                {
                    var text = Explain.PlanPrinter.Render(key, topN.Input);
                    throw new SqlException(SqlState.FeatureNotSupported, $"the PARTITION BY expression {text} must be selected as a column: with the rank it is the key of \"{name}\"", position,
                        hint: $"Add {text} to both SELECT lists.");
                }

                keyColumns.Add(index);
            }

            keyColumns.Add(project.Expressions.ToList().FindIndex(e => e is Bound.BoundColumn c && c.Index == topN.RankIndex));
        }
        else
        {
            keyColumns.AddRange(Enumerable.Range(0, project.Columns.Count));
        }

        var single = keyColumns.Count == 1;
        var columns = project.Columns.Select((c, i) => new ColumnSchema(c.Name, c.Type, IsKey: single && keyColumns[0] == i)).ToList();
        var definition = Build(name, columns, Properties(withProperties), source.Partitions, source.ValueFormat, source.ValueDelimiter, queryId);
        return definition with { Kind = kind, PrimaryKey = keyColumns.Select(i => columns[i].Name).ToList() };
    }

    private static Dictionary<string, Property> Properties(IReadOnlyList<Property> properties)
    {
        var result = new Dictionary<string, Property>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            if (!KnownProperties.Contains(property.Name))
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"unrecognized property \"{property.Name}\"", property.Position,
                    hint: "Known properties: " + string.Join(", ", KnownProperties.Order()));
            }

            if (!result.TryAdd(property.Name, property))
            {
                throw new SqlException(SqlState.SyntaxError, $"property \"{property.Name}\" specified more than once", property.Position);
            }
        }

        return result;
    }

    private static StreamDefinition Build(string name, List<ColumnSchema> columns, Dictionary<string, Property> properties, int defaultPartitions,
        SourceFormat defaultValueFormat, string defaultDelimiter, string? sourceQueryId, bool consolidates = false)
    {
        if (!consolidates && properties.TryGetValue(Consolidate, out var consolidate))
        {
            throw SqlException.NotSupported("property \"consolidate\" outside CREATE TABLE or CREATE MATERIALIZED VIEW ... AS SELECT ... GROUP BY", consolidate.Position);
        }

        var topic = properties.TryGetValue("kafka_topic", out var t) ? t.Value : name;
        var partitions = defaultPartitions;
        if (properties.TryGetValue("partitions", out var p))
        {
            if (!int.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out partitions) || partitions is < 1 or > 1024)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"partitions must be an integer between 1 and 1024, not \"{p.Value}\"", p.Position);
            }
        }

        var valueFormat = defaultValueFormat;
        var keyFormat = SourceFormat.Kafka;
        if (properties.TryGetValue("format", out var f))
        {
            valueFormat = ParseFormat(f);
            keyFormat = valueFormat == SourceFormat.Delimited ? SourceFormat.Delimited : valueFormat;
        }

        if (properties.TryGetValue("value_format", out var vf))
        {
            valueFormat = ParseFormat(vf);
        }

        if (properties.TryGetValue("key_format", out var kf))
        {
            keyFormat = ParseFormat(kf);
        }

        if (valueFormat == SourceFormat.Kafka)
        {
            // Kafka's primitive serdes hold one value: the stream must have exactly one non-key column of a supported type.
            var valueColumns = columns.Where(c => !c.IsKey).ToList();
            if (valueColumns.Count != 1 || valueColumns[0].Type.Kind is not (SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt or SqlTypeKind.Real or SqlTypeKind.Double or SqlTypeKind.Varchar or SqlTypeKind.Bytea))
            {
                throw new SqlException(SqlState.InvalidParameterValue,
                    "value_format 'KAFKA' needs exactly one value column of type SMALLINT, INT, BIGINT, REAL, DOUBLE, VARCHAR or BYTES", vf?.Position ?? f?.Position);
            }
        }

        if (columns.FirstOrDefault(c => c.IsKey && c.Type.Kind is SqlTypeKind.Array or SqlTypeKind.Map or SqlTypeKind.Struct) is { } collectionKey)
        {
            throw SqlException.NotSupported($"KEY column \"{collectionKey.Name}\" of type {collectionKey.Type.SqlName} (keys are primitive types)");
        }

        if (valueFormat == SourceFormat.Delimited && columns.FirstOrDefault(c => !c.IsKey && c.Type.IsComposite) is { } composite)
        {
            // DELIMITED carries arrays in PostgreSQL's text form ({a,b}); maps and structs have no delimited form (ksqlDB has none either).
            throw SqlException.NotSupported($"column \"{composite.Name}\" of type {composite.Type.SqlName} in value_format 'DELIMITED' (use JSON)", vf?.Position ?? f?.Position);
        }

        if (keyFormat is SourceFormat.Json or SourceFormat.Delimited)
        {
            // A single key column: JSON/DELIMITED keys hold the bare value, as ksqlDB writes them.
        }

        string? timestamp = null;
        if (properties.TryGetValue("timestamp", out var ts))
        {
            var column = columns.FirstOrDefault(c => c.Name == ts.Value.ToLowerInvariant() || c.Name == ts.Value)
                ?? throw new SqlException(SqlState.UndefinedColumn, $"timestamp column \"{ts.Value}\" does not exist", ts.Position);
            if (column.Type.Kind is not (SqlTypeKind.Timestamp or SqlTypeKind.BigInt))
            {
                throw new SqlException(SqlState.DatatypeMismatch, $"timestamp column \"{column.Name}\" must be TIMESTAMP or BIGINT (epoch milliseconds), not {column.Type.DisplayName}", ts.Position);
            }

            timestamp = column.Name;
        }

        var delimiter = properties.TryGetValue("value_delimiter", out var d) ? ParseDelimiter(d) : defaultDelimiter;
        var keyColumns = columns.Count(c => c.IsKey);
        if (keyColumns == 0)
        {
            keyFormat = SourceFormat.None;
        }

        return new StreamDefinition(name, RelationKind.Stream, columns, topic, partitions, keyFormat, valueFormat, timestamp, delimiter, sourceQueryId);
    }

    private static SourceFormat ParseFormat(Property property) => property.Value.ToUpperInvariant() switch
    {
        "JSON" => SourceFormat.Json,
        "DELIMITED" or "CSV" => SourceFormat.Delimited,
        "KAFKA" => SourceFormat.Kafka,
        "NONE" => SourceFormat.None,
        "AVRO" or "PROTOBUF" or "JSON_SR" => throw SqlException.NotSupported($"format '{property.Value}'", property.Position),
        _ => throw new SqlException(SqlState.InvalidParameterValue, $"unknown format \"{property.Value}\"; expected JSON, DELIMITED or KAFKA", property.Position),
    };

    private static string ParseDelimiter(Property property) => property.Value.ToUpperInvariant() switch
    {
        "TAB" => "\t",
        "SPACE" => " ",
        "COMMA" => ",",
        _ when property.Value.Length == 1 => property.Value,
        _ => throw new SqlException(SqlState.InvalidParameterValue, $"value_delimiter must be one character, TAB or SPACE, not \"{property.Value}\"", property.Position),
    };
}
