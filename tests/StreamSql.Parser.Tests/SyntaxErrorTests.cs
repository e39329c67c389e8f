using StreamSql.Parser;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser.Tests;

public sealed class SyntaxErrorTests
{
    [Theory]
    [InlineData("SELEC 1", 0, "\"SELEC\"")]
    [InlineData("SELECT a FROM", 13, "end of input")]
    [InlineData("SHOW STREAMS; SELECT FROM t", 21, "\"FROM\"")]
    [InlineData("CREATE STREAM s (a INT KEY,) WITH (x=1)", 27, "\")\"")]
    [InlineData("SELECT a FROM t WHERE a = #", 26, "\"#\"")]
    public void ReportsSqlState42601AtTheOffendingToken(string sql, int position, string near)
    {
        var error = Assert.Throws<SqlException>(() => SqlParser.Parse(sql));

        Assert.Equal(SqlState.SyntaxError, error.SqlState);
        Assert.Equal(position, error.Position);
        Assert.Contains(near, error.Message);
    }

    [Fact]
    public void NamesWhatWasExpected()
    {
        var error = Assert.Throws<SqlException>(() => SqlParser.Parse("INSERT orders VALUES (1)"));

        Assert.EndsWith("expected INTO", error.Message);
    }
}
