using System.Text;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>ARRAY, MAP and STRUCT columns in JSON (arrays and objects) and DELIMITED (PostgreSQL's array text) values.</summary>
public sealed class CollectionFormatTests
{
    private static StreamDefinition Stream(string columns, string with) =>
        StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne($"CREATE STREAM s ({columns}) WITH ({with})"));

    private static Value[]? Decode(StreamDefinition stream, string value)
    {
        var codec = new RowCodec(stream);
        var row = new Value[codec.RowWidth];
        return codec.TryDecode(new TopicRecord(0, 0, null, Encoding.UTF8.GetBytes(value)), 0, row, out _) ? row : null;
    }

    [Fact]
    public void JsonReadsArraysMapsAndStructs()
    {
        var stream = Stream("a INT[], m MAP<VARCHAR, DOUBLE>, s STRUCT<f1 INT, \"F2\" ARRAY<VARCHAR>, n MAP<VARCHAR, BOOLEAN>>", "value_format='JSON'");
        var row = Decode(stream, "{\"a\":[1,null,3],\"m\":{\"x\":1.5,\"y\":null,\"x\":2},\"s\":{\"f1\":4,\"f2\":[\"p\",\"q\"],\"n\":{\"k\":true},\"zz\":[{}]}}")!;

        Assert.Equal("{1,NULL,3}", row[0].ToText());
        Assert.Equal("{\"x\":2,\"y\":null}", row[1].ToText());
        Assert.Equal("{\"f1\":4,\"F2\":[\"p\",\"q\"],\"n\":{\"k\":true}}", row[2].ToText());
    }

    [Fact]
    public void JsonRejectsShapesThatDoNotFit()
    {
        var stream = Stream("a INT[], m MAP<VARCHAR, INT>", "value_format='JSON'");

        Assert.Null(Decode(stream, "{\"a\":[\"x\"]}"));
        Assert.Null(Decode(stream, "{\"a\":{}}"));
        Assert.Null(Decode(stream, "{\"m\":[1]}"));
        Assert.Null(Decode(stream, "{\"m\":{\"k\":\"v\"}}"));
        Assert.True(Decode(stream, "{\"a\":null,\"m\":null}")![1].IsNull);
    }

    [Fact]
    public void JsonWritesArraysMapsAndStructsBack()
    {
        var stream = Stream("id INT KEY, a VARCHAR[], m MAP<VARCHAR, INT>, s STRUCT<f1 INT>", "value_format='JSON'");
        var codec = new RowCodec(stream);
        var written = codec.Encode(
        [
            Value.FromInt(1),
            Value.FromArray([Value.FromString("b c"), Value.Null]),
            Value.FromMap(new MapValue([Value.FromString("k")], [Value.FromInt(2)])),
            Value.FromStruct(new StructValue(["f1"], [Value.Null])),
        ], 0);

        Assert.Equal("{\"a\":[\"b c\",null],\"m\":{\"k\":2},\"s\":{\"f1\":null}}", Encoding.UTF8.GetString(written.Value!));
    }

    [Fact]
    public void DelimitedHoldsArraysInPostgresTextForm()
    {
        var stream = Stream("id INT, tags VARCHAR[], nums INT[]", "value_format='DELIMITED'");
        var codec = new RowCodec(stream);
        var written = codec.Encode([Value.FromInt(1), Value.FromArray([Value.FromString("a,b"), Value.Null]), Value.FromArray([])], 0);

        Assert.Equal("1,\"{\"\"a,b\"\",NULL}\",{}", Encoding.UTF8.GetString(written.Value!));
        var row = Decode(stream, Encoding.UTF8.GetString(written.Value!))!;
        Assert.Equal(["1", "{\"a,b\",NULL}", "{}"], row[..3].Select(v => v.ToText()));
        Assert.Null(Decode(stream, "1,{a},{x}"));
    }
}
