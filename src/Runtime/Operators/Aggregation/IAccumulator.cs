using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>The running state of one aggregate for one group: fed input values, asked for the result.</summary>
public interface IAccumulator
{
    void Add(Value[] arguments);

    Value Result();
}
