using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>The binary value format of internal (repartition) topics.</summary>
public sealed class InternalValueFormatTests
{
    private static StreamDefinition InternalStream(params (string Name, SqlType Type)[] columns) =>
        new("stage", RelationKind.Stream, columns.Select(c => new ColumnSchema(c.Name, c.Type)).ToList(), "_internal", 1, SourceFormat.None,
            SourceFormat.Internal, null, ",", "q1");

    private static Value[] Decode(RowCodec codec, byte[] value, out string? error)
    {
        var row = new Value[codec.RowWidth];
        return codec.TryDecode(new TopicRecord(7, 1_700_000_000_000, null, value), 0, row, out error) ? row : [];
    }

    [Fact]
    public void A_row_comes_back_as_it_was_written_types_and_all()
    {
        var stream = InternalStream(("n", SqlType.Int), ("big", SqlType.BigInt), ("amount", SqlType.Numeric), ("name", SqlType.Varchar),
            ("at", SqlType.Timestamp), ("gone", SqlType.Varchar), ("ratio", SqlType.Double));
        var codec = new RowCodec(stream);
        Value[] written = [Value.FromInt(-3), Value.FromBigInt(long.MaxValue), Value.FromNumeric(1.50m), Value.FromString("a\"\u00e9{"),
            Value.FromTimestamp(1_234_567_890_123_456), Value.Null, Value.FromDouble(double.NaN)];

        var record = codec.Encode([.. written, Value.Null, Value.Null, Value.Null], 42);
        Assert.NotEqual((byte)'{', record.Value![0]);
        var row = Decode(codec, record.Value, out var error);

        Assert.Null(error);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.Equal(written[i].Kind, row[i].Kind);
            Assert.Equal(written[i].ToText(), row[i].ToText());
        }

        // NUMERIC keeps its scale: 1.50, not 1.5 (a text round trip through a double would lose it).
        Assert.Equal("1.50", row[2].ToText());
    }

    [Fact]
    public void Records_written_as_json_by_earlier_versions_still_decode()
    {
        var codec = new RowCodec(InternalStream(("n", SqlType.Int), ("name", SqlType.Varchar)));
        var row = Decode(codec, Encoding.UTF8.GetBytes("{\"n\":5,\"name\":\"x\"}"), out var error);

        Assert.Null(error);
        Assert.Equal(["5", "x"], row[..2].Select(v => v.ToText()));
    }

    [Fact]
    public void A_damaged_record_is_an_error_not_an_exception()
    {
        var codec = new RowCodec(InternalStream(("n", SqlType.Int), ("name", SqlType.Varchar)));
        var record = codec.Encode([Value.FromInt(5), Value.FromString("hello"), Value.Null, Value.Null, Value.Null], 0);

        Assert.Empty(Decode(codec, record.Value![..^2], out var truncated));
        Assert.Contains("damaged", truncated);
        Assert.Empty(Decode(codec, [.. record.Value!, 0], out var trailing));
        Assert.Contains("trailing", trailing);
        var other = new RowCodec(InternalStream(("n", SqlType.Int))).Encode([Value.FromInt(1), Value.Null, Value.Null, Value.Null], 0);
        Assert.Empty(Decode(codec, other.Value!, out var columns));
        Assert.Contains("1 columns, expected 2", columns);
    }
}
