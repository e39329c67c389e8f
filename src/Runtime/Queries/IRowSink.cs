using StreamSql.Runtime.Operators;

namespace StreamSql.Runtime.Queries;

/// <summary>Where a partition task delivers processed batches: a push query's client or a persistent query's topic.</summary>
public interface IRowSink
{
    /// <summary>Delivers the batch's rows; a sink may clear them (not the batch's partition and offsets) once it has taken them.</summary>
    ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken);

    /// <summary>Whether each write commits (a persistent query's output and offsets); a client's query commits nothing.</summary>
    bool CommitsPerBatch => true;

    /// <summary>
    /// Whether the sink is done with the batch's rows when WriteAsync returns, even while the write itself is still in
    /// progress (the task may then fill other rows before awaiting it).
    /// </summary>
    bool TakesRowsWhenCalled => false;
}
