using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>UPDATE and DELETE on tables: computed over the current rows, written to the changelog as upserts and tombstones.</summary>
public sealed partial class StreamEngine
{
    private async Task<StatementResult> UpdateAsync(UpdateStatement update, ParameterValues? parameters, CancellationToken cancellationToken)
    {
        var (table, plan) = TableWriteBinder.BindUpdate(update, Catalog, new SubqueryRunner(this, parameters), parameters);
        var rows = await CollectAsync(PlanOptimizer.Optimize(plan), cancellationToken).ConfigureAwait(false);
        var codec = new RowCodec(table);
        var keyFormat = new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new List<ProducedRecord>();
        foreach (var row in rows)
        {
            var values = row[1..];
            var newKey = values[table.KeyIndex];
            if (newKey.IsNull)
            {
                throw new SqlException(SqlState.NotNullViolation,
                    $"null value in column \"{table.Columns[table.KeyIndex].Name}\" of relation \"{table.Name}\" violates not-null constraint", update.Position);
            }

            if (!newKey.Equals(row[0]))
            {
                // The key changed: the old row goes away and the new key gets the row.
                records.Add(new ProducedRecord(keyFormat.Serialize(row[0]), null, now));
            }

            records.Add(codec.Encode(values, now));
        }

        await AppendByKeyAsync(table, records, cancellationToken).ConfigureAwait(false);
        return new CommandResult($"UPDATE {rows.Count}");
    }

    private async Task<StatementResult> DeleteAsync(DeleteStatement delete, ParameterValues? parameters, CancellationToken cancellationToken)
    {
        var (table, plan) = TableWriteBinder.BindDelete(delete, Catalog, new SubqueryRunner(this, parameters), parameters);
        var rows = await CollectAsync(PlanOptimizer.Optimize(plan), cancellationToken).ConfigureAwait(false);
        var keyFormat = new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new List<ProducedRecord>(rows.Count);
        foreach (var row in rows)
        {
            records.Add(new ProducedRecord(keyFormat.Serialize(row[0]), null, now));
        }

        await AppendByKeyAsync(table, records, cancellationToken).ConfigureAwait(false);
        return new CommandResult($"DELETE {rows.Count}");
    }

    private async Task<List<Value[]>> CollectAsync(LogicalPlan plan, CancellationToken cancellationToken)
    {
        var rows = new List<Value[]>();
        await foreach (var row in Execute(plan, push: false, fromLatest: false, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Appends keyed records to their partitions (in order within each) and waits until the table has applied them.</summary>
    private async Task AppendByKeyAsync(StreamDefinition table, List<ProducedRecord> records, CancellationToken cancellationToken)
    {
        var topic = Topics.Find(table.Topic) ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{table.Topic}\" does not exist");
        var byPartition = new List<ProducedRecord>?[topic.PartitionCount];
        foreach (var record in records)
        {
            (byPartition[Partitioner.ForKey(record.Key, topic.PartitionCount)] ??= []).Add(record);
        }

        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } list)
            {
                await topic.AppendAsync(p, list, cancellationToken).ConfigureAwait(false);
            }
        }

        // Read-your-writes: a SELECT right after UPDATE/DELETE sees its effect.
        await GetTableState(table).CatchUpAsync(cancellationToken).ConfigureAwait(false);
    }
}
