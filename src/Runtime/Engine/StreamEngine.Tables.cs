using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>Tables' materialized state: one <see cref="TableState"/> per table, fed by its changelog topic.</summary>
public sealed partial class StreamEngine
{
    /// <summary>
    /// Registers a table's materialization. A table the engine derives (a query's output) starts materializing on first
    /// use (a pull or push query, a join over tables, a write, FLUSH of a started one): an intermediate table that is
    /// never queried costs no copy of its rows, no store and no reading of its changelog (Nexmark q8: 15-20% of the work).
    /// Only over the embedded log, which keeps every record: a Kafka topic's retention could delete records before a
    /// late first use, so there every table starts at once, as do tables declared over topics.
    /// </summary>
    private TableState StartTable(StreamDefinition table, ITopicLog topic, bool derived = false)
    {
        var state = new TableState(table, topic, StateStores, "tables/" + table.Name, TableManifestDirectory(table.Name), Options.CheckpointInterval);
        lock (_tables)
        {
            _tables[table.Name] = state;
        }

        if (!derived || Options.KafkaBootstrapServers is not null)
        {
            state.Start();
        }

        return state;
    }

    private async Task StopTableAsync(string name)
    {
        TableState? state;
        lock (_tables)
        {
            _tables.Remove(name, out state);
        }

        if (state is not null)
        {
            await state.DisposeAsync().ConfigureAwait(false);
            StateStores.Delete("tables/" + name);
            if (Directory.Exists(TableManifestDirectory(name)))
            {
                Directory.Delete(TableManifestDirectory(name), recursive: true);
            }
        }
    }

    /// <summary>Where a table's materialization keeps its checkpoint manifests: &lt;data-dir&gt;/tables/&lt;name&gt; (hex when the name is not a safe file name).</summary>
    private string TableManifestDirectory(string table)
    {
        var safe = table.Length is > 0 and <= 100 && table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? table
            : "x" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(table));
        return Path.Combine(Options.DataDirectory, "tables", safe);
    }

    /// <summary>The materialized rows of a table (or materialized view), started and caught up with what its changelog held at its start.</summary>
    public async Task<TableState> MaterializedTableAsync(StreamDefinition table, CancellationToken cancellationToken)
    {
        var state = GetTableState(table);
        await state.StartedAsync(cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>The materialized rows of a table (or materialized view); its materialization may not have started (see StartTable).</summary>
    public TableState GetTableState(StreamDefinition table)
    {
        lock (_tables)
        {
            return _tables.GetValueOrDefault(table.Name)
                ?? throw new SqlException(SqlState.ObjectInUse, $"table \"{table.Name}\" is not materialized");
        }
    }

    private TableState? TryGetTableState(string name)
    {
        lock (_tables)
        {
            return _tables.GetValueOrDefault(name);
        }
    }

    private List<TableState> AllTables()
    {
        lock (_tables)
        {
            return [.. _tables.Values];
        }
    }
}
