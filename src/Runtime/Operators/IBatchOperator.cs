namespace StreamSql.Runtime.Operators;

/// <summary>A stateless step of a partition pipeline that rewrites a batch in place.</summary>
public interface IBatchOperator
{
    void Process(RowBatch batch);
}
