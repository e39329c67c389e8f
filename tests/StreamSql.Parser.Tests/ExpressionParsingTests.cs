using StreamSql.Parser;
using StreamSql.Parser.Ast;

namespace StreamSql.Parser.Tests;

public sealed class ExpressionParsingTests
{
    private static Expression Parse(string expression) =>
        ((SelectExpression)((SelectStatement)SqlParser.ParseOne("SELECT " + expression + " FROM t")).Query.Spec().Items[0]).Expression;

    [Fact]
    public void MultiplicationBindsTighterThanAddition()
    {
        var e = (BinaryExpression)Parse("1 + 2 * 3");

        Assert.Equal(BinaryOperator.Add, e.Operator);
        Assert.Equal(BinaryOperator.Multiply, ((BinaryExpression)e.Right).Operator);
    }

    [Fact]
    public void AndBindsTighterThanOrAndNotTighterThanAnd()
    {
        var e = (BinaryExpression)Parse("NOT a OR b AND c");

        Assert.Equal(BinaryOperator.Or, e.Operator);
        Assert.IsType<NotExpression>(e.Left);
        Assert.Equal(BinaryOperator.And, ((BinaryExpression)e.Right).Operator);
    }

    [Fact]
    public void BetweenTakesItsOwnAnd()
    {
        var e = (BinaryExpression)Parse("x BETWEEN 1 AND 2 AND y");

        Assert.Equal(BinaryOperator.And, e.Operator);
        Assert.IsType<BetweenExpression>(e.Left);
    }

    [Fact]
    public void CastsAndTypedLiterals()
    {
        var cast = (CastExpression)Parse("CAST(a AS BIGINT)");
        Assert.Equal("bigint", cast.Type.Name);
        // As in PostgreSQL, :: binds tighter than unary minus.
        var negated = (UnaryMinus)Parse("-a::int");
        Assert.Equal("int", ((CastExpression)negated.Operand).Type.Name);
        var ts = (TypedLiteral)Parse("TIMESTAMP '2026-01-01 10:00:00'");
        Assert.Equal(("timestamp", "2026-01-01 10:00:00"), (ts.Type.Name, ts.Value));
    }

    [Fact]
    public void NegativeLiteralsFoldIntoTheLiteral()
    {
        Assert.Equal("-2147483648", ((IntegerLiteral)Parse("-2147483648")).Text);
        Assert.Equal("-1.5", ((DecimalLiteral)Parse("- 1.5")).Text);
    }

    [Fact]
    public void CaseInListConcatAndFunctions()
    {
        var @case = (CaseExpression)Parse("CASE WHEN a > 1 THEN 'big' ELSE 'small' END");
        Assert.Single(@case.Whens);
        Assert.NotNull(@case.Else);
        var inList = (InListExpression)Parse("a NOT IN (1, 2, 3)");
        Assert.True(inList.Negated);
        Assert.Equal(3, inList.Values.Count);
        Assert.Equal(BinaryOperator.Concat, ((BinaryExpression)Parse("a || 'x'")).Operator);
        var call = (FunctionCall)Parse("count(*)");
        Assert.True(call.Star);
    }
}
