using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser.Tests;

/// <summary>Transaction, DISCARD, SET TIME ZONE and CREATE USER statements, and the new keywords still usable as names.</summary>
public sealed class SessionStatementParsingTests
{
    [Theory]
    [InlineData("BEGIN", TransactionAction.Begin, "")]
    [InlineData("begin work", TransactionAction.Begin, "")]
    [InlineData("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", TransactionAction.Begin, "isolation level repeatable read|read only")]
    [InlineData("BEGIN TRANSACTION READ WRITE NOT DEFERRABLE", TransactionAction.Begin, "read write|not deferrable")]
    [InlineData("COMMIT", TransactionAction.Commit, "")]
    [InlineData("END TRANSACTION", TransactionAction.Commit, "")]
    [InlineData("commit and no chain", TransactionAction.Commit, "")]
    [InlineData("ROLLBACK WORK", TransactionAction.Rollback, "")]
    [InlineData("ABORT", TransactionAction.Rollback, "")]
    public void TransactionStatements(string sql, TransactionAction action, string modes)
    {
        var statement = Assert.IsType<TransactionStatement>(SqlParser.ParseOne(sql));

        Assert.Equal((action, modes), (statement.Action, string.Join("|", statement.Modes)));
    }

    [Fact]
    public void AnUnknownTransactionModeIsASyntaxError()
    {
        var error = Assert.Throws<SqlException>(() => SqlParser.ParseOne("BEGIN ISOLATION LEVEL CHAOS"));

        Assert.Equal((SqlState.SyntaxError, 6), (error.SqlState, error.Position));
    }

    [Theory]
    [InlineData("DISCARD ALL", "all")]
    [InlineData("discard temporary", "temp")]
    [InlineData("DISCARD PLANS", "plans")]
    public void Discard(string sql, string what) => Assert.Equal(what, Assert.IsType<DiscardStatement>(SqlParser.ParseOne(sql)).What);

    [Theory]
    [InlineData("SET TIME ZONE 'UTC'", "timezone", "UTC")]
    [InlineData("SET SESSION TIME ZONE LOCAL", "timezone", null)]
    [InlineData("SET TIME ZONE DEFAULT", "timezone", null)]
    [InlineData("SET extra_float_digits = -2", "extra_float_digits", "-2")]
    [InlineData("SET DateStyle=ISO", "datestyle", "iso")]
    public void SetForms(string sql, string name, string? value)
    {
        var set = Assert.IsType<SetStatement>(SqlParser.ParseOne(sql));

        Assert.Equal((name, value), (set.Name, set.Value));
    }

    [Fact]
    public void CreateUser()
    {
        var create = Assert.IsType<CreateUserStatement>(SqlParser.ParseOne("CREATE USER \"Ann\" WITH PASSWORD 'it''s'"));

        Assert.Equal(("Ann", "it's"), (create.Name, create.Password));
    }

    [Fact]
    public void NewKeywordsStayUsableAsNames()
    {
        var statement = SqlParser.ParseOne("CREATE STREAM work (user VARCHAR, password VARCHAR, time TIMESTAMP, zone INT, start INT, begin INT, commit INT, temp DOUBLE)");

        Assert.Equal(["user", "password", "time", "zone", "start", "begin", "commit", "temp"],
            Assert.IsType<CreateRelationStatement>(statement).Columns.Select(c => c.Name));
        Assert.IsType<SelectStatement>(SqlParser.ParseOne("SELECT user, time, zone FROM work WHERE start > 1 AND begin < 2"));
    }
}
