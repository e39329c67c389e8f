namespace StreamSql.Parser.Ast;

/// <summary>How each binary operator is written in SQL (used in error messages and EXPLAIN).</summary>
public static class BinaryOperatorText
{
    public static string ToSql(this BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Concat => "||",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "<>",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.And => "AND",
        BinaryOperator.Or => "OR",
        BinaryOperator.IsDistinctFrom => "IS DISTINCT FROM",
        BinaryOperator.IsNotDistinctFrom => "IS NOT DISTINCT FROM",
        BinaryOperator.JsonField => "->",
        _ => "->>",
    };
}
