using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Tests;

/// <summary>$n parameters: types inferred from where they are used (as PostgreSQL's Parse does), values bound as typed constants.</summary>
public sealed class ParameterBindingTests
{
    private static CatalogStore Catalog()
    {
        var catalog = new CatalogStore();
        catalog.AddStream(StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM orders (id INT KEY, item VARCHAR, amount DOUBLE, qty BIGINT, ts TIMESTAMP, ok BOOLEAN)")));
        return catalog;
    }

    private static IReadOnlyList<SqlType?> Infer(string sql, params SqlType?[] declared)
    {
        var types = new ParameterTypes(declared);
        switch (SqlParser.ParseOne(sql))
        {
            case SelectStatement select:
                QueryBinder.Bind(select.Query, Catalog(), null, types);
                break;
            case InsertValuesStatement insert:
                InsertBinder.Bind(insert, Catalog().GetStream("orders", null), types);
                break;
        }

        return types.Resolved();
    }

    [Theory]
    [InlineData("SELECT * FROM orders WHERE id = $1 AND item = $2", "integer,character varying")]
    [InlineData("SELECT * FROM orders WHERE $1 < qty", "bigint")]
    [InlineData("SELECT * FROM orders WHERE ts > $1 OR ok = $2 OR amount BETWEEN $3 AND 2", "timestamp without time zone,boolean,double precision")]
    [InlineData("SELECT $1 + 1 FROM orders", "integer")]
    [InlineData("SELECT upper($1) FROM orders", "character varying")]
    [InlineData("SELECT * FROM orders WHERE $1", "boolean")]
    [InlineData("SELECT $2::bigint, $1 FROM orders", "character varying,bigint")]
    [InlineData("SELECT * FROM orders WHERE $1 IS NULL", "")]
    [InlineData("SELECT * FROM orders WHERE id IN ($1, $2) AND item LIKE $3", "integer,integer,character varying")]
    [InlineData("INSERT INTO orders (id, item, ts) VALUES ($1, $2, $3), ($4, 'x', NULL)", "integer,character varying,timestamp without time zone,integer")]
    public void TypesAreInferredFromTheContext(string sql, string expected)
    {
        var types = Infer(sql);

        Assert.Equal(expected, string.Join(",", types.Select(t => t?.DisplayName ?? "")));
    }

    /// <summary>Wherever $n stands, describing either infers its type or fails with a SQL error; it never trips over the open type.</summary>
    [Theory]
    [InlineData("SELECT $1 + INTERVAL '1 day' FROM orders")]
    [InlineData("SELECT ts - $1 FROM orders")]
    [InlineData("SELECT $1::date + 1 FROM orders")]
    [InlineData("SELECT coalesce($1, 1.5), nullif($2, 'x') FROM orders")]
    [InlineData("SELECT CASE WHEN $1 THEN $2 ELSE 3 END FROM orders")]
    [InlineData("SELECT EXTRACT(YEAR FROM $1) FROM orders")]
    [InlineData("SELECT $1 -> 'a', $2 ->> 'b' FROM orders")]
    [InlineData("SELECT abs($1), round($2, 2), substring($3, 1, 2), $4 || 'x' FROM orders")]
    [InlineData("SELECT * FROM orders WHERE $1 BETWEEN 1 AND 2 OR $2 NOT IN (1, 2) OR $3 LIKE 'a%' OR $4 IS DISTINCT FROM 1")]
    [InlineData("SELECT -$1, NOT $2 FROM orders")]
    [InlineData("SELECT count(*) FROM orders WHERE amount > $1 GROUP BY item HAVING sum(qty) > $2")]
    [InlineData("SELECT * FROM orders ORDER BY $1 LIMIT 3")]
    public void DescribingNeverFailsOnAnOpenType(string sql)
    {
        var error = Record.Exception(() => Infer(sql));

        Assert.True(error is null or SqlException, error?.ToString());
    }

    [Fact]
    public void DeclaredTypesWinAndMayExceedTheOnesUsed()
    {
        var types = Infer("SELECT * FROM orders WHERE qty = $1", SqlType.Int, SqlType.Boolean);

        Assert.Equal([SqlType.Int, SqlType.Boolean], types);
    }

    [Fact]
    public void ALaterUseKeepsTheTypeDeducedFirst()
    {
        // PostgreSQL 15 answers the same: the second $1 is already an integer.
        var error = Assert.Throws<SqlException>(() => Infer("SELECT * FROM orders WHERE id = $1 AND ok = $1"));

        Assert.Equal((SqlState.UndefinedFunction, "operator does not exist: boolean = integer"), (error.SqlState, error.Message));
    }

    [Fact]
    public void ValuesBindAsTypedConstants()
    {
        var select = (SelectStatement)SqlParser.ParseOne("SELECT * FROM orders WHERE id = $1 AND item = $2");
        var values = new ParameterValues([SqlType.Int, SqlType.Varchar], [7, "pear"]);

        var plan = Explain.PlanPrinter.Print(QueryBinder.Bind(select.Query, Catalog(), null, values).Plan);

        Assert.Contains("(id = 7) AND (item = 'pear')", string.Join("\n", plan));
    }

    [Fact]
    public void WithoutParametersDollarNIsAnError()
    {
        var select = (SelectStatement)SqlParser.ParseOne("SELECT * FROM orders WHERE id = $3");

        var error = Assert.Throws<SqlException>(() => QueryBinder.Bind(select.Query, Catalog()));

        Assert.Equal((SqlState.UndefinedParameter, "there is no parameter $3", 32), (error.SqlState, error.Message, error.Position));
    }

    [Fact]
    public void AParameterBindsToALiteralOfItsType()
    {
        var bound = new ParameterValues([SqlType.Timestamp], [123L]).Bind(new ParameterReference(0, 1));

        Assert.Equal(new BoundLiteral(123L, SqlType.Timestamp), bound);
    }
}
