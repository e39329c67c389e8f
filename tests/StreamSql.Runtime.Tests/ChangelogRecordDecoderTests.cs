using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

public sealed class ChangelogRecordDecoderTests
{
    private static readonly StreamDefinition Table = new("t", RelationKind.Table,
        [new ColumnSchema("id", SqlType.BigInt, IsKey: true), new ColumnSchema("v", SqlType.Int)], "t", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    private static TopicRecord Record(long offset, string key, string value) =>
        new(offset, offset, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    [Fact]
    public void Apply_checks_a_users_row_but_trusts_the_rows_the_engine_wrote()
    {
        // A row that does not decode: from a user's topic it is refused and changes nothing; a table the engine wrote
        // never holds one, so its rows are applied without decoding them.
        var bad = Record(0, "1", "{\"id\":1,\"v\":\"not a number\"}");
        var good = Record(1, "2", "{\"id\":2,\"v\":7}");

        var user = new ChangelogRecordDecoder(new RowCodec(Table), new MemoryStateStore());
        Assert.False(user.TryApply(bad, 0, out var error));
        Assert.NotNull(error);
        Assert.Null(user.Current(bad.Key!, 0));
        Assert.True(user.TryApply(good, 0, out _));
        Assert.Equal(7, user.Current(good.Key!, 0)![1].AsLong);

        var engine = new ChangelogRecordDecoder(new RowCodec(Table), new MemoryStateStore()) { RowsWrittenByEngine = true };
        Assert.True(engine.TryApply(bad, 0, out error));
        Assert.Null(error);
        Assert.True(engine.TryApply(good, 0, out _));
        Assert.Equal(7, engine.Current(good.Key!, 0)![1].AsLong);

        // A tombstone removes the row either way.
        Assert.True(engine.TryApply(new TopicRecord(2, 2, Encoding.UTF8.GetBytes("2"), null), 0, out _));
        Assert.Null(engine.Current(good.Key!, 0));
    }
}
