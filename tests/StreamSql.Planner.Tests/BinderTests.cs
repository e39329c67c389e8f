using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Explain;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Tests;

public sealed class BinderTests
{
    private static CatalogStore CatalogWithOrders()
    {
        var catalog = new CatalogStore();
        var create = (CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM orders (id INT KEY, item VARCHAR, amount DOUBLE, qty BIGINT, ts TIMESTAMP) WITH (kafka_topic='orders_t', partitions=2, timestamp='ts')");
        catalog.AddStream(StreamBinder.BindSource(create));
        return catalog;
    }

    private static BoundQuery Bind(string sql) => QueryBinder.Bind(((SelectStatement)SqlParser.ParseOne(sql)).Query, CatalogWithOrders());

    [Fact]
    public void SourceDefinitionTakesPropertiesAndDefaults()
    {
        var orders = CatalogWithOrders().GetStream("orders", null);

        Assert.Equal(("orders_t", 2, SourceFormat.Kafka, SourceFormat.Json, "ts"), (orders.Topic, orders.Partitions, orders.KeyFormat, orders.ValueFormat, orders.TimestampColumn));
        Assert.Equal(0, orders.KeyIndex);
        Assert.Equal(["id", "item", "amount", "qty", "ts", "rowtime", "rowpartition", "rowoffset"], orders.RowSchema.Select(c => c.Name));
    }

    [Theory]
    [InlineData("id + 1", SqlTypeKind.Int)]
    [InlineData("id + qty", SqlTypeKind.BigInt)]
    [InlineData("amount * 2", SqlTypeKind.Double)]
    [InlineData("id / 2", SqlTypeKind.Int)]
    [InlineData("item || id", SqlTypeKind.Varchar)]
    [InlineData("'x'", SqlTypeKind.Varchar)]
    [InlineData("ts > '2026-01-01'", SqlTypeKind.Boolean)]
    [InlineData("CASE WHEN id > 1 THEN 1 ELSE 2.5 END", SqlTypeKind.Numeric)]
    [InlineData("amount + 2.5", SqlTypeKind.Double)]
    [InlineData("id * 1.5", SqlTypeKind.Numeric)]
    [InlineData("coalesce(qty, id)", SqlTypeKind.BigInt)]
    [InlineData("ucase(item)", SqlTypeKind.Varchar)]
    [InlineData("length(item)", SqlTypeKind.Int)]
    [InlineData("3000000000", SqlTypeKind.BigInt)]
    [InlineData("rowtime", SqlTypeKind.Timestamp)]
    public void TypesFollowPostgresRules(string expression, SqlTypeKind expected)
    {
        var query = Bind($"SELECT {expression} FROM orders");

        Assert.Equal(expected, query.Columns[0].Type.Kind);
    }

    [Theory]
    [InlineData("SELECT nope FROM orders", SqlState.UndefinedColumn, "column \"nope\" does not exist", 7)]
    [InlineData("SELECT id FROM missing", SqlState.UndefinedTable, "relation \"missing\" does not exist", 15)]
    [InlineData("SELECT id FROM orders WHERE id", SqlState.DatatypeMismatch, "argument of WHERE must be type boolean, not type integer", 28)]
    [InlineData("SELECT item + 1 FROM orders", SqlState.UndefinedFunction, "operator does not exist: character varying + integer", 12)]
    [InlineData("SELECT nofunc(id) FROM orders", SqlState.UndefinedFunction, "function nofunc(integer) does not exist", 7)]
    [InlineData("SELECT o.id FROM orders AS x", SqlState.UndefinedTable, "missing FROM-clause entry for table \"o\"", 7)]
    [InlineData("SELECT CAST(id AS nosuchtype) FROM orders", SqlState.UndefinedObject, "type \"nosuchtype\" does not exist", 18)]
    [InlineData("SELECT id FROM orders WHERE ts > 'not a time'", SqlState.InvalidDatetimeFormat, "invalid input syntax for type timestamp: \"not a time\"", 33)]
    public void ErrorsCarrySqlStateMessageAndPosition(string sql, string sqlState, string message, int position)
    {
        var error = Assert.Throws<SqlException>(() => Bind(sql));

        Assert.Equal((sqlState, message, position), (error.SqlState, error.Message, error.Position));
    }

    [Fact]
    public void OutputNamesFollowPostgres()
    {
        var query = Bind("SELECT id, amount * 2, ucase(item), item AS i, CAST(qty AS INT), * FROM orders");

        Assert.Equal(["id", "?column?", "ucase", "i", "qty", "id", "item", "amount", "qty", "ts"], query.Columns.Select(c => c.Name));
    }

    [Fact]
    public void ExplainShowsScanFilterProjectLimit()
    {
        // Integer literals next to a double column are converted when binding, so no cast remains.
        var query = Bind("SELECT id, amount * 2 AS d FROM orders WHERE amount > 1 AND item LIKE 'a%' EMIT CHANGES LIMIT 5");

        Assert.Equal(
            [
                "Limit 5",
                "└─Project id AS id, (amount * 2) AS d",
                "  └─Filter ((amount > 1) AND (item LIKE 'a%'))",
                "    └─Scan orders (topic orders_t, 2 partitions)",
            ],
            PlanPrinter.Print(query.Plan));
    }

    [Fact]
    public void SinkKeepsTheSourceKeyWhenSelected()
    {
        var catalog = CatalogWithOrders();
        var create = (CreateRelationStatement)SqlParser.ParseOne("CREATE STREAM big AS SELECT id, ucase(item) AS item FROM orders WHERE amount > 1");
        var query = QueryBinder.Bind(create.AsQuery!, catalog);
        var sink = StreamBinder.BindSink(create, query, "csas_big_1");

        Assert.Equal([("id", true), ("item", false)], sink.Columns.Select(c => (c.Name, c.IsKey)));
        Assert.Equal(("big", 2, "csas_big_1"), (sink.Topic, sink.Partitions, sink.SourceQueryId));
    }

    [Fact]
    public void UnknownWithPropertyIsRejected()
    {
        var create = (CreateRelationStatement)SqlParser.ParseOne("CREATE STREAM s (a INT) WITH (kafka_topik='x')");

        var error = Assert.Throws<SqlException>(() => StreamBinder.BindSource(create));
        Assert.Equal(SqlState.InvalidParameterValue, error.SqlState);
        Assert.Equal(30, error.Position);
    }
}
