namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// An aggregation that can take one batch's input in parts: <see cref="BeginBatch"/>, <see cref="Accumulate"/> per part,
/// then <see cref="EndBatch"/>, with the same result as one <see cref="IBatchOperator.Process"/> of all the parts.
/// </summary>
public interface IAggregatesInParts : IBatchOperator
{
    void BeginBatch();

    /// <summary>Adds one part of the batch's input; rows emitted before the batch ends go to output.</summary>
    void Accumulate(RowBatch input, RowBatch output);

    /// <summary>
    /// Whether the operator holds on to input row arrays after Accumulate returns. When it does not, the caller may decode
    /// the next part into the same arrays.
    /// </summary>
    bool KeepsInputRows { get; }

    /// <summary>Saves what the batch changed and emits its remaining output.</summary>
    void EndBatch(RowBatch output);
}
