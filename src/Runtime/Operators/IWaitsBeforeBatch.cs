namespace StreamSql.Runtime.Operators;

/// <summary>An operator that must wait for something (a table catching up) after a batch is read and before it is processed.</summary>
public interface IWaitsBeforeBatch
{
    ValueTask BeforeBatchAsync(CancellationToken cancellationToken);
}
