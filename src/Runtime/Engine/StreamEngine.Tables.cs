using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>Tables' materialized state: one <see cref="TableState"/> per table, fed by its changelog topic.</summary>
public sealed partial class StreamEngine
{
    private void StartTable(StreamDefinition table, ITopicLog topic)
    {
        var state = new TableState(table, topic, StateStores, "tables/" + table.Name);
        lock (_tables)
        {
            _tables[table.Name] = state;
        }

        state.Start();
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
        }
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

    private List<TableState> AllTables()
    {
        lock (_tables)
        {
            return [.. _tables.Values];
        }
    }
}
