using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>Tables' materialized state: one <see cref="TableState"/> per table, fed by its changelog topic.</summary>
public sealed partial class StreamEngine
{
    private TableState StartTable(StreamDefinition table, ITopicLog topic)
    {
        var state = new TableState(table, topic, StateStores, "tables/" + table.Name, TableManifestDirectory(table.Name), Options.CheckpointInterval);
        lock (_tables)
        {
            _tables[table.Name] = state;
        }

        state.Start();
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

    /// <summary>The materialized rows of a table (or materialized view).</summary>
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
