using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Expressions;

namespace StreamSql.Runtime.Operators;

/// <summary>The physical form of a stateless query: the source stream and the operators each partition task applies, compiled once.</summary>
public sealed class PartitionPipeline
{
    private PartitionPipeline(StreamDefinition source, IReadOnlyList<IBatchOperator> operators, long? limit, IReadOnlyList<ColumnSchema> output)
    {
        Source = source;
        Operators = operators;
        Limit = limit;
        OutputSchema = output;
    }

    public StreamDefinition Source { get; }

    public IReadOnlyList<IBatchOperator> Operators { get; }

    /// <summary>LIMIT applies across partitions, so the consumer enforces it.</summary>
    public long? Limit { get; }

    public IReadOnlyList<ColumnSchema> OutputSchema { get; }

    /// <param name="carryRowTime">Append the input's ROWTIME after the output columns, so a sink can stamp output records with it.</param>
    public static PartitionPipeline Build(LogicalPlan plan, bool carryRowTime = false)
    {
        var operators = new List<IBatchOperator>();
        long? limit = null;
        var source = Visit(plan, operators, ref limit, carryRowTime);
        return new PartitionPipeline(source, operators, limit, plan.Schema);
    }

    private static StreamDefinition Visit(LogicalPlan plan, List<IBatchOperator> operators, ref long? limit, bool carryRowTime)
    {
        switch (plan)
        {
            case LogicalScan scan:
                return scan.Source;
            case LogicalFilter filter:
                var source = Visit(filter.Input, operators, ref limit, carryRowTime);
                operators.Add(new FilterOperator(ExpressionCompiler.CompilePredicate(filter.Predicate)));
                return source;
            case LogicalProject project:
                var s = Visit(project.Input, operators, ref limit, carryRowTime);
                var expressions = project.Expressions.Select(ExpressionCompiler.Compile).ToList();
                if (carryRowTime)
                {
                    var rowTime = s.Columns.Count;
                    expressions.Add(row => row[rowTime]);
                }

                operators.Add(new ProjectOperator([.. expressions]));
                return s;
            case LogicalLimit l:
                var src = Visit(l.Input, operators, ref limit, carryRowTime);
                limit = l.Count;
                return src;
            default:
                throw SqlException.NotSupported(plan.GetType().Name);
        }
    }

    public void Process(RowBatch batch)
    {
        for (var i = 0; i < Operators.Count && batch.Count > 0; i++)
        {
            Operators[i].Process(batch);
        }
    }
}
