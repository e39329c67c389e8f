using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Tests.Types;

/// <summary>PostgreSQL 15's array_in for one-dimensional arrays (expected element lists and errors from PostgreSQL 15), and collection type names.</summary>
public sealed class ArrayLiteralTests
{
    [Theory]
    [InlineData("{}", new string?[0])]
    [InlineData("  { }  ", new string?[0])]
    [InlineData("{1,2,3}", new[] { "1", "2", "3" })]
    [InlineData("{ a b ,c}", new[] { "a b", "c" })]
    [InlineData("{\"a b\",NULL,c}", new[] { "a b", null, "c" })]
    [InlineData("{NULL,null,\"NULL\",\\NULL}", new[] { null, null, "NULL", "NULL" })]
    [InlineData("{\"\",a}", new[] { "", "a" })]
    [InlineData("{a\\\\,b}", new[] { "a\\", "b" })]
    [InlineData("{a\\ }", new[] { "a " })]
    [InlineData("{\"x\\\"y\"}", new[] { "x\"y" })]
    [InlineData("{\"a\" }", new[] { "a" })]
    public void ParsesLikeArrayIn(string text, string?[] expected) => Assert.Equal(expected, ArrayLiteral.Parse(text));

    [Theory]
    [InlineData("{1,2", "Unexpected end of input.")]
    [InlineData("1,2", "Array value must start with \"{\" or dimension information.")]
    [InlineData("", "Array value must start with \"{\" or dimension information.")]
    [InlineData("{1,,2}", "Unexpected \",\" character.")]
    [InlineData("{,}", "Unexpected \",\" character.")]
    [InlineData("{1,}", "Unexpected \"}\" character.")]
    [InlineData("{1,2}x", "Junk after closing right brace.")]
    [InlineData("{a}}", "Junk after closing right brace.")]
    [InlineData("{\"a\"b}", "Unexpected array element.")]
    [InlineData("{a\"b\"}", "Unexpected array element.")]
    [InlineData("{a{b}", "Unexpected \"{\" character.")]
    [InlineData("{\"a\"", "Unexpected end of input.")]
    [InlineData("{a\\", "Unexpected end of input.")]
    public void MalformedLiteralsFailWith22P02(string text, string detail)
    {
        var e = Assert.Throws<SqlException>(() => ArrayLiteral.Parse(text));
        Assert.Equal(SqlState.InvalidTextRepresentation, e.SqlState);
        Assert.Equal($"malformed array literal: \"{text}\"", e.Message);
        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("{{1,2},{3,4}}")]
    [InlineData("[1:2]={1,2}")]
    public void MultidimensionalArraysAreNotSupportedYet(string text) =>
        Assert.Equal(SqlState.FeatureNotSupported, Assert.Throws<SqlException>(() => ArrayLiteral.Parse(text)).SqlState);

    [Fact]
    public void ValidateReadsEachElementWithTheElementType()
    {
        ArrayLiteral.Validate("{1,NULL}", SqlType.Int, null);
        Assert.Equal(SqlState.InvalidTextRepresentation, Assert.Throws<SqlException>(() => ArrayLiteral.Validate("{a}", SqlType.Int, null)).SqlState);
        Assert.Equal(SqlState.NumericValueOutOfRange, Assert.Throws<SqlException>(() => ArrayLiteral.Validate("{99999999999}", SqlType.Int, null)).SqlState);
    }

    [Fact]
    public void CollectionTypesResolveWithTheirNames()
    {
        static TypeName T(string name, params TypeName[] arguments) => new(0, name, []) { Arguments = arguments };

        var map = TypeResolver.Resolve(T("map", T("varchar"), T("array", T("int"))));
        Assert.Equal(SqlType.MapOf(SqlType.Varchar, SqlType.ArrayOf(SqlType.Int)), map);
        Assert.Equal("MAP<VARCHAR, ARRAY<INT>>", map.SqlName);
        Assert.Equal("map(text, integer[])", map.DisplayName);

        var st = TypeResolver.Resolve(new TypeName(0, "struct", []) { Arguments = [T("int"), T("varchar")], FieldNames = ["f1", "Big"] });
        Assert.Equal(SqlType.StructOf([new StructField("f1", SqlType.Int), new StructField("Big", SqlType.Varchar)]), st);
        Assert.Equal("STRUCT<f1 INT, \"Big\" VARCHAR>", st.SqlName);
        Assert.Equal(1, st.Fields!.IndexOf("big"));

        Assert.Equal(SqlState.FeatureNotSupported, Assert.Throws<SqlException>(() => TypeResolver.Resolve(T("map", T("int"), T("int")))).SqlState);
        Assert.Equal(SqlState.FeatureNotSupported, Assert.Throws<SqlException>(() => TypeResolver.Resolve(T("array", T("array", T("int"))))).SqlState);
        Assert.Equal(SqlState.DuplicateColumn, Assert.Throws<SqlException>(() =>
            TypeResolver.Resolve(new TypeName(0, "struct", []) { Arguments = [T("int"), T("int")], FieldNames = ["a", "a"] })).SqlState);
    }
}
