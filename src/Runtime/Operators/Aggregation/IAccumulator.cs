using System.Buffers;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>The running state of one aggregate for one group: fed input values, asked for the result.</summary>
public interface IAccumulator
{
    void Add(Value[] arguments);

    /// <summary>
    /// Retracts one earlier <see cref="Add"/> of the same arguments (a table row's old value when the row changes or goes).
    /// Returns false, changing nothing, when this accumulator cannot retract (min, max, string_agg, ...): build it with
    /// <see cref="Accumulators.Factory(StreamSql.Planner.Bound.BoundAggregate, bool)"/> and retractable: true instead.
    /// </summary>
    bool Remove(Value[] arguments);

    Value Result();

    /// <summary>Writes the accumulator's state; <see cref="Load"/> on a fresh accumulator from the same factory restores it.</summary>
    void Save(IBufferWriter<byte> output);

    /// <summary>Restores what <see cref="Save"/> wrote, into a fresh accumulator from the same factory.</summary>
    void Load(ref StateReader reader);

    /// <summary>Makes this accumulator as its factory makes a fresh one, if it can (then it may be reused for another group).</summary>
    bool TryReset() => false;

    /// <summary>
    /// Whether <see cref="Merge"/> folds in another accumulator from the same factory, giving what adding its inputs one
    /// by one would (in any order: the aggregate does not depend on its inputs' order).
    /// </summary>
    bool CanMerge => false;

    /// <summary>Adds what another accumulator from the same factory has taken (only where <see cref="CanMerge"/>).</summary>
    void Merge(IAccumulator other) => throw new NotSupportedException($"{GetType().Name} cannot merge");
}
