using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser.Tests;

public sealed class ExpressionParsingTests
{
    private static Expression Parse(string expression) =>
        ((SelectExpression)((SelectStatement)SqlParser.ParseOne("SELECT " + expression + " FROM t")).Query.Spec().Items[0]).Expression;

    [Fact]
    public void AWindowFunctionCarriesItsPartitionAndOrder()
    {
        var f = (FunctionCall)Parse("ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST, d)");

        Assert.Equal("row_number", f.Name);
        Assert.Empty(f.Arguments);
        var over = Assert.IsType<OverClause>(f.Over);
        Assert.Equal(["a", "b"], over.PartitionBy.Cast<ColumnReference>().Select(c => c.Name));
        Assert.Equal([(true, (bool?)false), (false, null)], over.OrderBy.Select(o => (o.Descending, o.NullsFirst)));
        Assert.Equal(20, over.Position);
        Assert.Empty(((FunctionCall)Parse("rank() OVER ()")).Over!.PartitionBy);
        Assert.Null(((FunctionCall)Parse("count(*)")).Over);
    }

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
    public void CatalogSyntaxOfPsqlsDescribe()
    {
        // c.reloftype::pg_catalog.regtype::pg_catalog.text: types may be qualified by pg_catalog.
        var cast = (CastExpression)Parse("c.reloftype::pg_catalog.regtype::pg_catalog.text");
        Assert.Equal("text", cast.Type.Name);
        Assert.Equal("regtype", ((CastExpression)cast.Operand).Type.Name);
        Assert.Equal("array", ((CastExpression)Parse("x::pg_catalog.int2[]")).Type.Name);

        // x = ANY (array) and ARRAY(subquery).
        var any = (QuantifiedComparison)Parse("oid = any (ARRAY(SELECT 1))");
        Assert.Equal(BinaryOperator.Equal, any.Operator);
        Assert.IsType<ArraySubquery>(any.Array);
        Assert.IsType<QuantifiedComparison>(Parse("'d' <> SOME (stxkind)"));

        // FROM pg_catalog.unnest(x) alias.
        var from = ((SelectStatement)SqlParser.ParseOne("SELECT 'toast.' || x FROM pg_catalog.unnest(tc.reloptions) x")).Query.Spec().From[0];
        Assert.Equal(("unnest", "x"), (((TableFunctionRelation)from).Name, ((TableFunctionRelation)from).Alias));
    }

    [Fact]
    public void TypesAndTableFunctionsOfOtherSchemasDoNotExist()
    {
        var type = Assert.Throws<SqlException>(() => Parse("x::other.regtype"));
        Assert.Equal(("42704", "type \"other.regtype\" does not exist"), (type.SqlState, type.Message));
        var function = Assert.Throws<SqlException>(() => SqlParser.ParseOne("SELECT 1 FROM other.unnest(x) u"));
        Assert.Equal("42883", function.SqlState);
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
