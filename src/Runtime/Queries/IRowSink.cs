using StreamSql.Runtime.Operators;

namespace StreamSql.Runtime.Queries;

/// <summary>Where a partition task delivers processed batches: a push query's client or a persistent query's topic.</summary>
public interface IRowSink
{
    ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken);
}
