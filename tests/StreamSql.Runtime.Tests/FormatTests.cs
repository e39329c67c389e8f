using System.Text;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

public sealed class FormatTests
{
    private static StreamDefinition Stream(string with) =>
        StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne($"CREATE STREAM s (id INT KEY, name VARCHAR, score DOUBLE, at TIMESTAMP) WITH ({with})"));

    private static Value[] Decode(StreamDefinition stream, byte[]? key, string value, out string? error)
    {
        var codec = new RowCodec(stream);
        var row = new Value[codec.RowWidth];
        return codec.TryDecode(new TopicRecord(5, 1_700_000_000_000, key, Encoding.UTF8.GetBytes(value)), 1, row, out error) ? row : [];
    }

    [Fact]
    public void JsonRoundTripWritesValueColumnsAndAKafkaKey()
    {
        var stream = Stream("value_format='JSON'");
        var codec = new RowCodec(stream);
        var record = codec.Encode([Value.FromInt(3), Value.FromString("a\"b"), Value.FromDouble(1.5), Value.FromTimestamp(1_000_000)], 99);

        Assert.Equal([0, 0, 0, 3], record.Key);
        Assert.Equal("{\"name\":\"a\\u0022b\",\"score\":1.5,\"at\":1000}", Encoding.UTF8.GetString(record.Value!));
        var row = Decode(stream, record.Key, Encoding.UTF8.GetString(record.Value!), out _);
        Assert.Equal(["3", "a\"b", "1.5", "1970-01-01 00:00:01", "2023-11-14 22:13:20", "1", "5"], row.Select(v => v.ToText()));
    }

    [Fact]
    public void JsonReadsTheKafkaConnectSchemaAndPayloadEnvelope()
    {
        const string Envelope = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"name\",\"type\":\"string\"}]},\"payload\":{\"name\":\"x\",\"score\":2.5}}";
        var row = Decode(Stream("value_format='JSON'"), null, Envelope, out var error);
        Assert.Null(error);
        Assert.Equal(["x", "2.5"], row[1..3].Select(v => v.ToText()));

        // A null payload is a row of nulls; a third field means it is not an envelope.
        Assert.True(Decode(Stream("value_format='JSON'"), null, "{\"schema\":null,\"payload\":null}", out _)[1].IsNull);
        Assert.True(Decode(Stream("value_format='JSON'"), null, "{\"schema\":{},\"payload\":{\"name\":\"x\"},\"name\":\"y\"}", out _)[1].ToText() == "y");

        // A stream with a payload column reads the field itself.
        var own = StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne("CREATE STREAM p (payload VARCHAR) WITH (value_format='JSON')"));
        Assert.Equal("{\"name\":\"x\"}", Decode(own, null, "{\"schema\":{},\"payload\":{\"name\":\"x\"}}", out _)[0].ToText());
    }

    [Fact]
    public void JsonMatchesFieldsCaseInsensitivelyAndIgnoresUnknownOnes()
    {
        var row = Decode(Stream("value_format='JSON'"), null, "{\"NAME\":\"x\",\"Score\":\"2.5\",\"extra\":[1,2]}", out var error);

        Assert.Null(error);
        Assert.Equal(["", "x", "2.5", ""], row.Take(4).Select(v => v.ToText() ?? ""));
    }

    [Theory]
    [InlineData("{\"score\":\"high\"}", "field \"score\": cannot read String \"high\" as double precision")]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("[1,2]", "expected a JSON object, found Array")]
    public void BadJsonIsRejectedWithAReason(string value, string reason)
    {
        Decode(Stream("value_format='JSON'"), null, value, out var error);

        Assert.NotNull(error);
        Assert.StartsWith(reason, error);
    }

    [Theory]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}", "b")] // the last exact duplicate wins
    [InlineData("{\"NAME\":\"a\",\"Name\":\"b\"}", "a")] // else the first case-insensitive match
    [InlineData("{\"NAME\":\"a\",\"name\":\"b\",\"Name\":\"c\"}", "b")] // an exact match beats case-insensitive ones
    [InlineData("{\"n\\u0061me\":\"esc\"}", "esc")] // escaped field names
    [InlineData("{\"name\":{\"a\": [1, {\"b\":null}]}}", "{\"a\": [1, {\"b\":null}]}")] // nested values as their raw text
    [InlineData("{\"name\":12.50e1}", "12.50e1")]
    [InlineData("{\"name\":true}", "true")]
    [InlineData("{\"name\":null,\"score\":1}", null)]
    [InlineData(" { \"x\" : [ {\"name\":\"inner\"} ] , \"name\" : \"\\u00e9\\n\" } ", "\u00e9\n")]
    public void JsonReadsFieldsLikeTheDocumentModel(string value, string? name)
    {
        var row = Decode(Stream("value_format='JSON'"), null, value, out var error);

        Assert.Null(error);
        Assert.Equal(name, row[1].IsNull ? null : row[1].ToText());
    }

    [Fact]
    public void JsonDuplicateFieldsResolveAsTheDocumentModelDid()
    {
        // The decoder used to look fields up with JsonElement.TryGetProperty: the last of duplicate names wins.
        using var document = System.Text.Json.JsonDocument.Parse("{\"name\":\"a\",\"name\":\"b\"}");
        Assert.Equal("b", document.RootElement.GetProperty("name").GetString());
        Assert.Equal("b", Decode(Stream("value_format='JSON'"), null, "{\"name\":\"a\",\"name\":\"b\"}", out _)[1].ToText());
    }

    [Theory]
    [InlineData("{\"score\":\"high\"} x", "malformed JSON")] // malformed anywhere wins over a conversion error
    [InlineData("{\"score\":\"high\",\"at\":", "malformed JSON")]
    [InlineData("", "malformed JSON")]
    [InlineData("{\"a\":1}{}", "malformed JSON")]
    [InlineData("[1,2", "malformed JSON")]
    [InlineData("5", "expected a JSON object, found Number")]
    [InlineData("{\"at\":\"x\",\"score\":[1]}", "field \"score\": cannot read Array [1] as double precision")] // column order
    [InlineData("{\"score\":1,\"at\":1.5}", "field \"at\": cannot read Number 1.5 as timestamp")]
    [InlineData("{\"schema\":{},\"payload\":{\"score\":true}}", "field \"score\": cannot read True true as double precision")]
    public void BadJsonIsReportedLikeTheDocumentModel(string value, string reason)
    {
        Decode(Stream("value_format='JSON'"), null, value, out var error);

        Assert.NotNull(error);
        Assert.StartsWith(reason, error);
    }

    [Fact]
    public void KafkaKeysWrittenAsTextReadBack()
    {
        // A table keyed by a DATE (GROUP BY CAST(ts AS DATE)) writes the key as its text; reading it back must work.
        foreach (var (type, value) in new[] { (StreamSql.Planner.Types.SqlType.Date, Value.FromDate(16_631)), (StreamSql.Planner.Types.SqlType.Numeric, Value.FromNumeric(2.50m)) })
        {
            var format = new KeyFormat(StreamSql.Planner.Catalog.SourceFormat.Kafka, type);
            Assert.True(format.TryDeserialize(format.Serialize(value), out var back, out var error), error);
            Assert.Equal(value.ToText(), back.ToText());
        }
    }

    [Fact]
    public void DelimitedQuotesAndReadsBack()
    {
        var stream = Stream("value_format='DELIMITED'");
        var codec = new RowCodec(stream);
        var record = codec.Encode([Value.FromInt(1), Value.FromString("a,b"), Value.Null, Value.FromTimestamp(2_000_000)], 0);

        Assert.Equal("\"a,b\",,2000", Encoding.UTF8.GetString(record.Value!));
        var row = Decode(stream, record.Key, Encoding.UTF8.GetString(record.Value!), out _);
        Assert.Equal(["1", "a,b", null, "1970-01-01 00:00:02"], row.Take(4).Select(v => v.ToText()));
    }

    [Theory]
    [InlineData("JSON", "{\"at\":9223372036854775807}", "field \"at\": cannot read Number")] // past year 9999: the text form could not show it
    [InlineData("JSON", "{\"at\":-62135596800001}", "field \"at\": cannot read Number")]
    [InlineData("DELIMITED", ",,253402300800000", "cannot read")]
    public void TimestampsOutsideYears1To9999AreRejected(string format, string value, string reason)
    {
        Decode(Stream($"value_format='{format}'"), null, value, out var error);

        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("{\"at\":253402300799999}", "9999-12-31 23:59:59.999")]
    [InlineData("{\"at\":-62135596800000}", "0001-01-01 00:00:00")]
    public void TimestampsAtTheEdgesOfTheRangeAreRead(string value, string text)
    {
        var row = Decode(Stream("value_format='JSON'"), null, value, out var error);

        Assert.Null(error);
        Assert.Equal(text, row[3].ToText());
    }

    [Theory]
    [InlineData("9999999999,,")] // a DATE's day number past int
    [InlineData(",99999999999999999,")] // a TIMESTAMPTZ past year 9999
    [InlineData(",x1,")]
    public void DelimitedDatesAndTimestampsThatDoNotFitAreBadRecordsNotCrashes(string value)
    {
        var stream = StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM d (day DATE, tz TIMESTAMPTZ, at TIMESTAMP) WITH (value_format='DELIMITED')"));

        Decode(stream, null, value, out var error);

        Assert.NotNull(error);
    }

    [Fact]
    public void TimestampColumnBecomesRowtime()
    {
        var stream = Stream("value_format='JSON', timestamp='at'");
        var record = new RowCodec(stream).Encode([Value.FromInt(1), Value.Null, Value.Null, Value.FromTimestamp(5_000_000)], 123);

        Assert.Equal(5000, record.Timestamp);
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2MatchesKafka(string key, int expected) =>
        Assert.Equal(expected, Partitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void RowtimeComesFromTheTimestampColumnEvenWhenTheQueryDoesNotReadIt()
    {
        // The record's Kafka timestamp (1_700_000_000_000 ms) is not the column's: ROWTIME is the column's.
        var stream = Stream("value_format='JSON', timestamp='at'");
        var codec = new RowCodec(stream, readColumns: [1]);
        var row = new Value[codec.RowWidth];
        Assert.True(codec.TryDecode(new TopicRecord(5, 1_700_000_000_000, null, Encoding.UTF8.GetBytes("""{"name":"x","at":"2020-01-01 00:00:05"}""")), 0, row, out var error), error);
        Assert.Equal("x", row[1].ToText());
        Assert.Equal("2020-01-01 00:00:05", row[stream.Columns.Count].ToText());
    }
}
