using System.Text;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser.Tests;

public sealed class RobustnessTests
{
    [Fact]
    public void HandlesAHundredKilobyteStatement()
    {
        var sb = new StringBuilder("INSERT INTO s (a, b) VALUES ");
        var rows = 0;
        while (sb.Length < 100_000)
        {
            sb.Append(rows++ == 0 ? "" : ", ").Append($"({rows}, 'value number {rows}')");
        }

        var insert = (InsertValuesStatement)SqlParser.ParseOne(sb.ToString());

        Assert.Equal(rows, insert.Rows.Count);
    }

    [Fact]
    public void HandlesALongFlatExpression()
    {
        var expression = string.Join(" + ", Enumerable.Range(0, 2_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var statement = SqlParser.ParseOne("SELECT " + expression);

        Assert.IsType<SelectStatement>(statement);
    }

    [Fact]
    public void HandlesAThousandStatementsInOneMessage()
    {
        var script = string.Concat(Enumerable.Range(0, 1_000).Select(i => $"INSERT INTO s VALUES ({i}); "));

        Assert.Equal(1_000, SqlParser.Parse(script).Count);
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(501)]
    public void RejectsDeepNestingWithAnError(int depth)
    {
        var sql = "SELECT " + new string('(', depth) + "1" + new string(')', depth);

        var error = Assert.Throws<SqlException>(() => SqlParser.Parse(sql));

        Assert.Equal(SqlState.StatementTooComplex, error.SqlState);
    }

    [Fact]
    public void AcceptsReasonableNesting()
    {
        var sql = "SELECT " + new string('(', 200) + "1" + new string(')', 200);

        Assert.IsType<SelectStatement>(SqlParser.ParseOne(sql));
    }

    [Theory]
    [InlineData("SELECT 'unterminated")]
    [InlineData("SELECT \"unterminated")]
    [InlineData("SELECT E'bad \\")]
    [InlineData("/* unterminated comment")]
    [InlineData("SELECT 1 FROM s WHERE ((a = 1)")]
    public void RejectsMalformedInputWithASyntaxError(string sql)
    {
        var error = Assert.Throws<SqlException>(() => SqlParser.Parse(sql));

        Assert.Equal(SqlState.SyntaxError, error.SqlState);
    }

    [Fact]
    public void RandomBytesNeverCrashTheParser()
    {
        var random = new Random(12345);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            try
            {
                SqlParser.Parse(text);
            }
            catch (SqlException e)
            {
                Assert.True(e.SqlState is SqlState.SyntaxError or SqlState.StatementTooComplex or SqlState.NumericValueOutOfRange, e.SqlState + ": " + e.Message);
            }
        }
    }
}
