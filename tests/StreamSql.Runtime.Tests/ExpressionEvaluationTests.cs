using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Tests;

/// <summary>Expected values are what PostgreSQL 15 prints for the same expression.</summary>
public sealed class ExpressionEvaluationTests
{
    private static readonly BindScope Scope = new("t", null,
    [
        new ColumnSchema("i", SqlType.Int), new ColumnSchema("n", SqlType.Int), new ColumnSchema("s", SqlType.Varchar),
        new ColumnSchema("d", SqlType.Double), new ColumnSchema("b", SqlType.BigInt),
    ]);

    // i = 7, n = NULL, s = 'Hello', d = 2.5, b = 9223372036854775807
    private static readonly Value[] Row =
        [Value.FromInt(7), Value.Null, Value.FromString("Hello"), Value.FromDouble(2.5), Value.FromBigInt(long.MaxValue)];

    private static string? Evaluate(string expression)
    {
        var spec = (QuerySpecification)((SelectStatement)SqlParser.ParseOne($"SELECT {expression} FROM t")).Query.Body;
        var parsed = ((SelectExpression)spec.Items[0]).Expression;
        var bound = ExpressionBinder.Resolve(new ExpressionBinder(Scope).Bind(parsed), 0);
        return ExpressionCompiler.Compile(bound)(Row).ToText();
    }

    [Theory]
    [InlineData("i + 1", "8")]
    [InlineData("i / 2", "3")]
    [InlineData("-i / 2", "-3")]
    [InlineData("i % 3", "1")]
    [InlineData("d * 2", "5")]
    [InlineData("i / d", "2.8")]
    [InlineData("CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE)", "0.30000000000000004")]
    [InlineData("d * 1e20", "2.5e+20")]
    [InlineData("n + 1", null)]
    [InlineData("s || ' ' || i", "Hello 7")]
    [InlineData("s || n", null)]
    [InlineData("upper(s)", "HELLO")]
    [InlineData("lcase(s)", "hello")]
    [InlineData("length(s)", "5")]
    [InlineData("substring(s, 2, 3)", "ell")]
    [InlineData("substr(s, 0, 2)", "H")]
    [InlineData("concat(s, n, i)", "Hello7")]
    [InlineData("coalesce(n, i, 0)", "7")]
    [InlineData("abs(-i)", "7")]
    [InlineData("round(d)", "2")]
    [InlineData("CAST(d AS INT)", "2")]
    [InlineData("CAST(3.5 AS INT)", "4")]
    [InlineData("CAST('42' AS BIGINT)", "42")]
    [InlineData("CAST(i AS VARCHAR)", "7")]
    [InlineData("TIMESTAMP '2026-01-01 10:00:00.5'", "2026-01-01 10:00:00.5")]
    public void Arithmetic_strings_and_functions(string expression, string? expected) =>
        Assert.Equal(expected, Evaluate(expression));

    // Expected values copied from psql against PostgreSQL 15 (numeric display scale rules).
    [Theory]
    [InlineData("1.50 + 1", "2.50")]
    [InlineData("1.5 * 1.5", "2.25")]
    [InlineData("1 / 3.0", "0.33333333333333333333")]
    [InlineData("10 / 4.0", "2.5000000000000000")]
    [InlineData("100000 / 3.0", "33333.333333333333")]
    [InlineData("round(2.5)", "3")]
    [InlineData("round(-2.5)", "-3")]
    [InlineData("CAST(2.5 AS INT)", "3")]
    [InlineData("CAST(3.14159 AS DECIMAL(5,2))", "3.14")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("0.001 / 7", "0.00014285714285714286")]
    [InlineData("123456789.123 / 0.0001", "1234567891230.00000000")]
    [InlineData("round(1234.5678, 2)", "1234.57")]
    [InlineData("round(1234.5678, -2)", "1200")]
    [InlineData("7.0 % 2.5", "2.0")]
    [InlineData("abs(-1.20)", "1.20")]
    [InlineData("CAST(2.5 AS DOUBLE) + 1.5", "4")]
    [InlineData("floor(-1.5)", "-2")]
    [InlineData("ceil(1.2)", "2")]
    public void Numeric_follows_postgres_display_scale(string expression, string expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Theory]
    [InlineData("i > 5 AND n > 1", null)]
    [InlineData("i < 5 AND n > 1", "f")]
    [InlineData("i > 5 OR n > 1", "t")]
    [InlineData("NOT (n > 1)", null)]
    [InlineData("n IS NULL", "t")]
    [InlineData("i IS NOT NULL", "t")]
    [InlineData("(n > 1) IS NOT TRUE", "t")]
    [InlineData("n IS DISTINCT FROM 1", "t")]
    [InlineData("n IS NOT DISTINCT FROM NULL", "t")]
    [InlineData("i IN (1, 7)", "t")]
    [InlineData("i IN (1, n)", null)]
    [InlineData("i NOT IN (1, 2)", "t")]
    [InlineData("i BETWEEN 7 AND 8", "t")]
    [InlineData("s LIKE 'H%o'", "t")]
    [InlineData("s LIKE 'h%'", "f")]
    [InlineData("s ILIKE 'h_llo'", "t")]
    [InlineData("'50%' LIKE '50\\%'", "t")]
    [InlineData("CASE WHEN n > 1 THEN 'a' WHEN i = 7 THEN 'b' END", "b")]
    [InlineData("CASE i WHEN 1 THEN 'one' ELSE 'other' END", "other")]
    [InlineData("'abc' < 'abd'", "t")]
    public void Three_valued_logic_and_predicates(string expression, string? expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Theory]
    [InlineData("i / 0", SqlState.DivisionByZero, "division by zero")]
    [InlineData("d / 0", SqlState.DivisionByZero, "division by zero")]
    [InlineData("i % 0", SqlState.DivisionByZero, "division by zero")]
    [InlineData("2147483647 + i", SqlState.NumericValueOutOfRange, "integer out of range")]
    [InlineData("b + 1", SqlState.NumericValueOutOfRange, "bigint out of range")]
    [InlineData("b * 2", SqlState.NumericValueOutOfRange, "bigint out of range")]
    [InlineData("CAST(b AS INT)", SqlState.NumericValueOutOfRange, "integer out of range")]
    [InlineData("CAST(s AS INT)", SqlState.InvalidTextRepresentation, "invalid input syntax for type integer: \"Hello\"")]
    public void Errors_match_postgres(string expression, string sqlState, string message)
    {
        var error = Assert.Throws<SqlException>(() => Evaluate(expression));

        Assert.Equal((sqlState, message), (error.SqlState, error.Message));
    }
}
