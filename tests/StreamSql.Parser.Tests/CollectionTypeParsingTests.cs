using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser.Tests;

/// <summary>ARRAY&lt;T&gt; / T[], MAP&lt;K,V&gt; and STRUCT&lt;...&gt; column types; MAP(k := v), STRUCT(f := v), m['k'] and s->f expressions.</summary>
public sealed class CollectionTypeParsingTests
{
    private static Expression Parse(string expression) =>
        ((SelectExpression)((SelectStatement)SqlParser.ParseOne("SELECT " + expression + " FROM t")).Query.Spec().Items[0]).Expression;

    [Fact]
    public void CollectionColumnTypes()
    {
        var statement = (CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM s (id INT, tags ARRAY<VARCHAR>, nums INT[], m MAP<VARCHAR, DOUBLE>, st STRUCT<f1 INT, \"F2\" ARRAY<STRING>>) WITH (kafka_topic='s')");
        var types = statement.Columns.Select(c => c.Type).ToList();

        Assert.Equal(("array", "varchar"), (types[1].Name, types[1].Arguments[0].Name));
        Assert.Equal(("array", "int"), (types[2].Name, types[2].Arguments[0].Name));
        Assert.Equal("map", types[3].Name);
        Assert.Equal(["varchar", "double"], types[3].Arguments.Select(a => a.Name));
        Assert.Equal("struct", types[4].Name);
        Assert.Equal(["f1", "F2"], types[4].FieldNames);
        Assert.Equal(["int", "array"], types[4].Arguments.Select(a => a.Name));
        Assert.Equal("string", types[4].Arguments[1].Arguments[0].Name);
    }

    [Fact]
    public void NestedCollectionTypes()
    {
        var statement = (CreateRelationStatement)SqlParser.ParseOne("CREATE STREAM s (a MAP<VARCHAR, STRUCT<x ARRAY<INT>>>, b INT[])");
        var map = statement.Columns[0].Type;

        Assert.Equal("struct", map.Arguments[1].Name);
        Assert.Equal("array", map.Arguments[1].Arguments[0].Name);
        Assert.Equal("array", statement.Columns[1].Type.Name);
    }

    [Fact]
    public void MapConstructorPairsKeysWithValues()
    {
        var map = Assert.IsType<MapConstructor>(Parse("MAP('a' := 1, 'b' := x + 1)"));

        Assert.Equal(["a", "b"], map.Keys.Select(k => ((StringLiteral)k).Value));
        Assert.IsType<IntegerLiteral>(map.Values[0]);
        Assert.IsType<BinaryExpression>(map.Values[1]);
        Assert.Empty(Assert.IsType<MapConstructor>(Parse("MAP()")).Keys);
    }

    [Fact]
    public void StructConstructorNamesItsFields()
    {
        var st = Assert.IsType<StructConstructor>(Parse("STRUCT(f1 := 1, \"F2\" := 'x')"));

        Assert.Equal(["f1", "F2"], st.Names);
        Assert.Equal(2, st.Values.Count);
    }

    [Fact]
    public void MapSubscriptAndStructDereference()
    {
        var subscript = Assert.IsType<SubscriptExpression>(Parse("m['key']"));
        Assert.IsType<StringLiteral>(subscript.Index);

        var field = Assert.IsType<BinaryExpression>(Parse("s->f1"));
        Assert.Equal(BinaryOperator.JsonField, field.Operator);
        Assert.Equal("f1", Assert.IsType<ColumnReference>(field.Right).Name);
    }

    [Fact]
    public void ArrayLiteralCasts()
    {
        var cast = Assert.IsType<CastExpression>(Parse("'{1,2,3}'::int[]"));
        Assert.Equal("array", cast.Type.Name);
        Assert.Equal("int", cast.Type.Arguments[0].Name);

        var standard = Assert.IsType<CastExpression>(Parse("CAST('{}' AS ARRAY<INT>)"));
        Assert.Equal("array", standard.Type.Name);
    }

    [Fact]
    public void MalformedConstructorsAreSyntaxErrors()
    {
        Assert.Throws<SqlException>(() => SqlParser.ParseOne("SELECT MAP('a' := ) FROM t"));
        Assert.Throws<SqlException>(() => SqlParser.ParseOne("SELECT STRUCT(1 := 2) FROM t"));
    }
}
