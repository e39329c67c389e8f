using System.Buffers;
using System.Text;
using System.Text.Json;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Nexmark;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// The JSON format's fast path for flat objects must never change an outcome: every record gives the same row or the
/// same error with it as without it. Records it declines go to the general path, so the tests also pin down which
/// records it takes, or a regression could silently send everything the slow way.
/// </summary>
public sealed class FlatJsonObjectReaderTests
{
    private static readonly FormatColumn[] Columns =
    [
        new("name", SqlType.Varchar, 0),
        new("n", SqlType.BigInt, 1),
        new("i", SqlType.Int, 2),
        new("d", SqlType.Double, 3),
        new("b", SqlType.Boolean, 4),
        new("at", SqlType.Timestamp, 5),
        new("s", SqlType.SmallInt, 6),
        new("m", SqlType.Numeric, 7),
    ];

    private static FlatJsonObjectReader Flat(FormatColumn[] columns) =>
        new(columns, [.. columns.Select(c => Encoding.UTF8.GetBytes(c.Name))], envelopePossible: true);

    /// <summary>Both paths' outcome for one record: the row's values as kind and text, or the error.</summary>
    private static string Outcome(JsonValueFormat format, byte[] json, int width)
    {
        var row = new Value[width];
        return format.TryDeserialize(json, row, out var error)
            ? string.Join("|", row.Select(v => v.IsNull ? "NULL" : $"{v.Kind}:{(v.Kind is ValueKind.Timestamp or ValueKind.TimestampTz ? v.AsLong : v.ToText())}"))
            : "error: " + error;
    }

    /// <param name="fast">A format with the fast path that has read other records before (its layout of fields seen), or a new one.</param>
    private static void AssertSameOutcome(FormatColumn[] columns, byte[] json, JsonValueFormat? fast = null)
    {
        var width = columns.Max(c => c.RowIndex) + 1;
        var general = Outcome(new JsonValueFormat(columns, flatFastPath: false), json, width);
        var fastOutcome = Outcome(fast ?? new JsonValueFormat(columns), json, width);
        Assert.True(general == fastOutcome, $"{Encoding.UTF8.GetString(json)}: general {general}, with the fast path {fastOutcome}");
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"n\":12,\"i\":-3,\"d\":1.5,\"b\":true,\"at\":1436918400001,\"s\":7,\"m\":2.50}")]
    [InlineData(" {\r\n\t\"n\" : 0 , \"name\" : \"a b\" } ")]
    [InlineData("{}")]
    [InlineData("{\"name\":null,\"n\":null,\"b\":false}")]
    [InlineData("{\"name\":\"https://www.nexmark.com/a/b/item.htm?query=1\\u0026channel_id=3\"}")]
    [InlineData("{\"name\":\"\\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00\"}")]
    [InlineData("{\"name\":\"caf\u00e9 \u65e5\u672c \U0001F600\"}")]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}")]
    [InlineData("{\"other\":\"x\",\"more\":12.5e3,\"flag\":true,\"none\":null,\"name\":\"kept\"}")]
    [InlineData("{\"name\":12.50e1,\"n\":-0}")]
    [InlineData("{\"name\":true,\"b\":false}")]
    [InlineData("{\"n\":9223372036854775807,\"i\":-2147483648}")]
    [InlineData("{\"n\":\" 12 \",\"d\":\"2.5\",\"at\":\"2024-01-02 03:04:05\"}")] // strings converted as text
    public void Flat_objects_of_scalars_take_the_fast_path_with_the_general_paths_result(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.True(Flat(Columns).TryRead(bytes, new Value[Columns.Length]), json);
        AssertSameOutcome(Columns, bytes);
    }

    [Theory]
    [InlineData("{\"NAME\":\"a\",\"name\":\"b\",\"Name\":\"c\"}")] // case-insensitive matches
    [InlineData("{\"n\\u0061me\":\"esc\"}")] // an escaped name
    [InlineData("{\"name\":{\"a\":[1,{\"b\":null}]}}")] // a nested value
    [InlineData("{\"other\":[1,2],\"name\":\"x\"}")] // a nested value in a field no column reads
    [InlineData("{\"schema\":{},\"payload\":{\"name\":\"x\"}}")] // an envelope
    [InlineData("{\"n\":9223372036854775808}")] // out of range
    [InlineData("{\"i\":1.0}")] // not an integer
    [InlineData("{\"d\":\"high\"}")]
    [InlineData("{\"at\":1e3}")]
    [InlineData("{\"b\":1}")]
    [InlineData("{\"name\":\"\\uD83D\"}")] // a lone surrogate
    [InlineData("{\"name\":\"\\uDE00x\"}")]
    [InlineData("{\"name\":\"x\"} x")] // trailing garbage
    [InlineData("{\"name\":\"x\",}")] // a trailing comma
    [InlineData("{\"name\":01}")]
    [InlineData("{\"name\":-}")]
    [InlineData("{\"name\":1.}")]
    [InlineData("{\"name\":\"tab\there\"}")] // a raw control character
    [InlineData("{\"name\":\"\\x\"}")] // a bad escape
    [InlineData("{\"name\":\"\\u12G4\"}")]
    [InlineData("{\"name\":nul}")]
    [InlineData("{\"name\" \"x\"}")]
    [InlineData("{\"name\":\"x\"")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void Records_it_declines_get_the_general_paths_row_or_error(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.False(Flat(Columns).TryRead(bytes, new Value[Columns.Length]), json);
        AssertSameOutcome(Columns, bytes);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_goes_to_the_general_path_which_rejects_the_record()
    {
        byte[] bytes = [.. "{\"name\":\"a"u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.False(Flat(Columns).TryRead(bytes, new Value[Columns.Length]));
        AssertSameOutcome(Columns, bytes);
        Assert.StartsWith("malformed JSON", new JsonValueFormat(Columns).TryDeserialize(bytes, new Value[Columns.Length], out var error) ? "" : error);
    }

    [Fact]
    public void Generated_nexmark_bids_take_the_fast_path()
    {
        var bidColumns = new FormatColumn[]
        {
            new("auction", SqlType.BigInt, 0), new("bidder", SqlType.BigInt, 1), new("price", SqlType.BigInt, 2),
            new("channel", SqlType.Varchar, 3), new("url", SqlType.Varchar, 4), new("date_time", SqlType.Timestamp, 5),
            new("extra", SqlType.Varchar, 6),
        };
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 5_000 });
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var bids = 0;
        for (var n = 0L; n < 5_000; n++)
        {
            if (generator.TypeOf(n) != NexmarkEventType.Bid)
            {
                continue;
            }

            var bid = generator.NextBid(n);
            var json = NexmarkTables.ToJson(bid, buffer, writer);
            bids++;
            Assert.True(Flat(bidColumns).TryRead(json, new Value[bidColumns.Length]), Encoding.UTF8.GetString(json));
            AssertSameOutcome(bidColumns, json);

            // q0 reads five of the seven fields: the others are skipped.
            AssertSameOutcome([bidColumns[0], bidColumns[1], bidColumns[2], bidColumns[5], bidColumns[6]], json);
        }

        Assert.True(bids > 4_000, $"{bids} bids");
    }

    /// <summary>Random flat objects, then random damage to them: both paths agree on every one.</summary>
    [Fact]
    public void Random_records_and_damaged_ones_give_the_same_outcome_on_both_paths()
    {
        var random = new Random(20261126);
        string[] names = ["name", "n", "i", "d", "b", "at", "s", "m", "Name", "N", "other", "payload", "schema", "n\\u0061me", "caf\u00e9", "nam", "named", "ii", "a_field_name_longer_than_sixteen_bytes"];
        string[] values =
        [
            "\"x\"", "\"\"", "\"a\\u0026b\"", "\"\\uD83D\\uDE00\"", "\"\\uD83D\"", "\"caf\u00e9\"", "\"12\"", "\"2.5\"", "\"true\"",
            "\"2024-01-02 03:04:05\"", "0", "-0", "12", "-7", "1.5", "2e3", "-1.25E-2", "9223372036854775807",
            "9223372036854775808", "32767", "32768", "2147483648", "true", "false", "null", "[1]", "{\"a\":1}", "[]",
            "123456789012345678", "-123456789012345678", "1234567890123456789", "-9223372036854775808", "007", "-", "1e5", "12.0", "-2147483649",
            "1436918400001", "-1",
        ];
        var fastTaken = 0;
        const int Records = 20_000;
        var flat = Flat(Columns);

        // One format reads every record, as a query's does: what it learned of earlier records' fields must not change
        // a later record's outcome. Records often repeat an earlier one's names in the same order, as a topic's do.
        var reused = new JsonValueFormat(Columns);
        var layouts = new List<string[]>();
        for (var r = 0; r < Records; r++)
        {
            var text = new StringBuilder(random.Next(2) == 0 ? "{" : " { ");
            var fields = random.Next(0, 7);
            string[] layout;
            if (layouts.Count > 0 && random.Next(2) == 0)
            {
                layout = layouts[random.Next(layouts.Count)];
                fields = Math.Min(fields + random.Next(3), layout.Length);
            }
            else
            {
                layout = [.. Enumerable.Range(0, 7).Select(_ => names[random.Next(names.Length)])];
                if (layouts.Count < 8)
                {
                    layouts.Add(layout);
                }
            }

            for (var f = 0; f < fields; f++)
            {
                text.Append(f > 0 ? (random.Next(4) == 0 ? " , " : ",") : "");
                text.Append('"').Append(layout[f]).Append('"').Append(random.Next(4) == 0 ? " : " : ":");
                text.Append(values[random.Next(values.Length)]);
            }

            text.Append(random.Next(3) == 0 ? "}\n" : "}");
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (random.Next(3) == 0)
            {
                Damage(bytes, random);
            }

            if (flat.TryRead(bytes, new Value[Columns.Length]))
            {
                fastTaken++;
            }

            AssertSameOutcome(Columns, bytes);
            AssertSameOutcome(Columns, bytes, reused);
        }

        // Half the names and a third of the values above are for the general path, so about one record in seven is plain
        // enough for the fast one: enough that both paths are compared, and a fast path that declines everything fails.
        Assert.True(fastTaken > Records / 10, $"fast path took {fastTaken} of {Records}");
    }

    private static void Damage(byte[] bytes, Random random)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        byte[] replacements = [(byte)'"', (byte)'\\', (byte)',', (byte)'}', (byte)'{', (byte)':', (byte)'0', (byte)'e', (byte)'.', (byte)'-', 0x01, 0xC3, 0x80, (byte)' ', (byte)'u'];
        var at = random.Next(bytes.Length);
        bytes[at] = replacements[random.Next(replacements.Length)];
    }
}
