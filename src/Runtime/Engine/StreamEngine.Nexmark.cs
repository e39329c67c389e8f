using System.Buffers;
using System.Text.Json;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Nexmark;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// Streams filled by the built-in Nexmark generator: CREATE STREAM bid (...) WITH (connector='nexmark', nexmark_table='bid',
/// events=N). On creation the generated events of that table are written to the stream's (empty) topic as JSON records.
/// </summary>
public sealed partial class StreamEngine
{
    private const int NexmarkChunk = 4096;

    /// <summary>
    /// For benchmarks: binds and optimizes a stateless query (filters, projections over one stream) and compiles the
    /// pipeline its partition tasks run, so rows produced in process (the Nexmark generator) go through the engine's
    /// operators without a topic. Rows given to the pipeline have the stream's row layout (declared columns, ROWTIME,
    /// ROWPARTITION, ROWOFFSET).
    /// </summary>
    public CompiledStatelessQuery CompileStatelessQuery(Query query)
    {
        var bound = BindAndOptimize(query);
        var pipeline = Operators.PartitionPipeline.Build(bound.Plan);
        if (pipeline.Leaf is not Planner.Logical.LogicalScan || pipeline.Limit is not null)
        {
            throw SqlException.NotSupported("a query other than filters and projections over one stream, in process", query.Position);
        }

        return new CompiledStatelessQuery(pipeline.Source, pipeline, bound.Columns);
    }

    /// <summary>Checks a Nexmark stream's columns against its table: every declared column must be a field, of the field's type.</summary>
    private static void ValidateNexmark(StreamDefinition stream, NexmarkSourceOptions options, CreateRelationStatement create)
    {
        var fields = NexmarkTables.Fields(NexmarkTables.Parse(options.Table)!.Value);
        foreach (var column in stream.Columns)
        {
            var field = fields.FirstOrDefault(f => f.Name == column.Name)
                ?? throw new SqlException(SqlState.UndefinedColumn,
                    $"Nexmark table \"{options.Table}\" has no field \"{column.Name}\"", create.Position,
                    hint: "Its fields: " + string.Join(", ", fields.Select(f => $"{f.Name} {f.Type.ToString().ToUpperInvariant()}")));
            if (field.Type != column.Type.Kind)
            {
                throw new SqlException(SqlState.DatatypeMismatch,
                    $"field \"{field.Name}\" of Nexmark table \"{options.Table}\" is {field.Type.ToString().ToUpperInvariant()}, not {column.Type.DisplayName}", create.Position);
            }
        }
    }

    /// <summary>
    /// Writes the table's events of the first options.Events events of the timeline, unless the topic already holds
    /// records: keyed by the stream's KEY column (partitioned by its hash, as any keyed record), else round-robin.
    /// </summary>
    private static async Task FillNexmarkAsync(NexmarkSourceOptions options, StreamDefinition stream, ITopicLog topic, CancellationToken cancellationToken)
    {
        for (var p = 0; p < topic.PartitionCount; p++)
        {
            if (topic.EndOffset(p) > 0)
            {
                return;
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var table = NexmarkTables.Parse(options.Table)!.Value;
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = options.Events, Seed = options.Seed, EventRate = options.EventRate });
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer);
        var pending = new List<ProducedRecord>[topic.PartitionCount];
        for (var p = 0; p < pending.Length; p++)
        {
            pending[p] = new List<ProducedRecord>(NexmarkChunk);
        }

        var placement = new NexmarkPlacement(stream, table, pending.Length);
        long written = 0;
        for (var n = 0L; n < options.Events; n++)
        {
            if (generator.TypeOf(n) != table)
            {
                continue;
            }

            var e = NexmarkTables.Event(generator, table, n);
            var key = placement.KeyOf(e);
            var partition = placement.PartitionOf(key, written++);
            pending[partition].Add(new ProducedRecord(key, NexmarkTables.ToJson(e, buffer, writer), NexmarkTables.DateTimeOf(e)));
            if (pending[partition].Count == NexmarkChunk)
            {
                await topic.AppendAsync(partition, pending[partition], cancellationToken).ConfigureAwait(false);
                pending[partition].Clear();
            }
        }

        for (var p = 0; p < pending.Length; p++)
        {
            if (pending[p].Count > 0)
            {
                await topic.AppendAsync(p, pending[p], cancellationToken).ConfigureAwait(false);
            }
        }

        Log.Information("Nexmark: wrote {Records} {Table} records of {Events} events to topic {Topic} in {Seconds:F2} s",
            written, options.Table, options.Events, topic.Name, started.Elapsed.TotalSeconds);
    }
}

/// <summary>A stateless query compiled for rows produced in process: the stream it reads, its pipeline and its output columns.</summary>
public sealed record CompiledStatelessQuery(StreamDefinition Source, Operators.PartitionPipeline Pipeline, IReadOnlyList<ColumnSchema> Columns);
