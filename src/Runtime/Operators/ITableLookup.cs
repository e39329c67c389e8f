using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>The current rows of a table, by primary key, as a join operator sees them (the engine's materialized tables).</summary>
public interface ITableLookup
{
    /// <summary>The row of a key (the table's columns and pseudocolumns), or null when the table has none.</summary>
    Value[]? Lookup(Value key);

    /// <summary>Completes once the table has applied every record its topic held when called.</summary>
    ValueTask CatchUpAsync(CancellationToken cancellationToken);
}
