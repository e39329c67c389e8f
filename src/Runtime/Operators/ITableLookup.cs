using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>The current rows of a table, by primary key, as a join operator sees them (the engine's materialized tables).</summary>
public interface ITableLookup
{
    /// <summary>
    /// The row of a key (the table's columns and pseudocolumns), or null when the table has none: as of the event time
    /// (microseconds) of the stream row asking when the table keeps versions, else its current row.
    /// </summary>
    Value[]? Lookup(Value key, long time);

    /// <summary>Completes once the table has applied every record its topic held when called.</summary>
    ValueTask CatchUpAsync(CancellationToken cancellationToken);
}
