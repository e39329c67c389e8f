using StreamSql.Parser;
using StreamSql.Parser.Ast;

namespace StreamSql.Parser.Tests;

public sealed class StatementParsingTests
{
    [Fact]
    public void CreateStreamReadsColumnsKeyAndProperties()
    {
        var statement = (CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM Orders (id INT KEY, item VARCHAR, amount DOUBLE PRECISION) WITH (kafka_topic='orders', value_format='JSON', partitions=2)");

        Assert.Equal(RelationKind.Stream, statement.Kind);
        Assert.Equal("orders", statement.Name.Name);
        Assert.Equal(["id", "item", "amount"], statement.Columns.Select(c => c.Name));
        Assert.True(statement.Columns[0].IsKey);
        Assert.Equal("double precision", statement.Columns[2].Type.Name);
        Assert.Equal(["kafka_topic=orders", "value_format=JSON", "partitions=2"], statement.Properties.Select(p => p.Name + "=" + p.Value));
        Assert.Null(statement.AsQuery);
    }

    [Fact]
    public void CreateStreamAsSelectKeepsItsText()
    {
        const string sql = "CREATE STREAM big AS SELECT id, UCASE(item) AS item FROM orders WHERE amount > 1 EMIT CHANGES";
        var statement = (CreateRelationStatement)SqlParser.ParseOne(sql + ";");

        Assert.Equal(sql, statement.Text);
        Assert.NotNull(statement.AsQuery);
        Assert.Equal(EmitMode.Changes, statement.AsQuery!.Emit);
        var item = (SelectExpression)statement.AsQuery.Spec().Items[1];
        Assert.Equal("item", item.Alias);
        Assert.Equal("ucase", ((FunctionCall)item.Expression).Name);
    }

    [Fact]
    public void SeveralStatementsSplitOnSemicolons()
    {
        var statements = SqlParser.Parse("SHOW STREAMS; ; SHOW TOPICS;SHOW QUERIES");

        Assert.Equal(3, statements.Count);
        Assert.Equal([ShowObjectKind.Streams, ShowObjectKind.Topics, ShowObjectKind.Queries], statements.Cast<ShowObjectsStatement>().Select(s => s.What));
        Assert.Empty(SqlParser.Parse("  -- only a comment\n /* and another */ "));
    }

    [Fact]
    public void SelectWithLimitAndWhere()
    {
        var select = (SelectStatement)SqlParser.ParseOne("select * from s where a is not null and b like 'x%' emit changes limit 3");

        Assert.Equal(3, select.Query.Limit);
        Assert.IsType<AllColumns>(select.Query.Spec().Items[0]);
        var where = (BinaryExpression)select.Query.Spec().Where!;
        Assert.Equal(BinaryOperator.And, where.Operator);
        Assert.True(((IsNullExpression)where.Left).Negated);
        Assert.IsType<LikeExpression>(where.Right);
    }

    [Fact]
    public void InsertValuesReadsEveryRow()
    {
        var insert = (InsertValuesStatement)SqlParser.ParseOne("INSERT INTO orders (id, item) VALUES (1, 'a''b'), (2, E'c\\nd')");

        Assert.Equal(["id", "item"], insert.Columns!);
        Assert.Equal(2, insert.Rows.Count);
        Assert.Equal("a'b", ((StringLiteral)insert.Rows[0][1]).Value);
        Assert.Equal("c\nd", ((StringLiteral)insert.Rows[1][1]).Value);
    }

    [Fact]
    public void DdlAndSessionStatements()
    {
        Assert.Equal(new DropStatement(0, RelationKind.Stream, new QualifiedName(22, null, "x"), true, true),
            SqlParser.ParseOne("DROP STREAM IF EXISTS x DELETE TOPIC") with { Text = "" });
        Assert.Equal("csas_x_1", ((TerminateStatement)SqlParser.ParseOne("TERMINATE CSAS_X_1")).QueryId);
        Assert.Null(((TerminateStatement)SqlParser.ParseOne("TERMINATE ALL")).QueryId);
        Assert.IsType<FlushStatement>(SqlParser.ParseOne("FLUSH"));
        var set = (SetStatement)SqlParser.ParseOne("SET 'auto.offset.reset' = 'latest'");
        Assert.Equal(("auto.offset.reset", "latest"), (set.Name, set.Value));
        Assert.True(((DescribeStatement)SqlParser.ParseOne("DESCRIBE EXTENDED s")).Extended);
    }

    [Fact]
    public void ExplainAnalyzeAndRestartQuery()
    {
        Assert.Equal("csas_x_1", ((ExplainAnalyzeQueryStatement)SqlParser.ParseOne("EXPLAIN ANALYZE CSAS_X_1")).QueryId);
        var analyzed = (ExplainStatement)SqlParser.ParseOne("EXPLAIN ANALYZE SELECT * FROM s WHERE v > 1");
        Assert.True(analyzed.Analyze);
        Assert.IsType<SelectStatement>(analyzed.Statement);
        Assert.Equal("SELECT * FROM s WHERE v > 1", analyzed.Statement.Text);
        Assert.False(((ExplainStatement)SqlParser.ParseOne("EXPLAIN SELECT 1")).Analyze);
        Assert.Equal("ctas_t_2", ((RestartQueryStatement)SqlParser.ParseOne("RESTART QUERY ctas_t_2")).QueryId);
        // The new keywords stay usable as names.
        Assert.IsType<SelectStatement>(SqlParser.ParseOne("SELECT analyze, restart, query FROM s"));
    }

    [Fact]
    public void NamesFoldToLowerCaseUnlessQuoted()
    {
        var select = (SelectStatement)SqlParser.ParseOne("SELECT MixedCase, \"MixedCase\", \"a\"\"b\" FROM \"Orders\"");

        Assert.Equal(["mixedcase", "MixedCase", "a\"b"], select.Query.Spec().Items.Cast<SelectExpression>().Select(i => ((ColumnReference)i.Expression).Name));
        Assert.Equal("Orders", ((TableRelation)select.Query.Spec().From[0]).Name.Name);
    }

    [Fact]
    public void PrintTakesAQuotedOrBareTopicAndOptionalBeginningAndLimit()
    {
        Assert.Equal(new PrintStatement(0, "Orders-v1", true, 10), SqlParser.ParseOne("PRINT 'Orders-v1' FROM BEGINNING LIMIT 10") with { Text = "" });
        Assert.Equal(new PrintStatement(0, "orders", false, null), SqlParser.ParseOne("print Orders") with { Text = "" });
        Assert.Equal(new PrintStatement(0, "t", false, 5), SqlParser.ParseOne("PRINT t LIMIT 5") with { Text = "" });

        // PRINT and BEGINNING stay usable as names.
        Assert.IsType<SelectStatement>(SqlParser.ParseOne("SELECT print, beginning FROM print"));
    }
}
