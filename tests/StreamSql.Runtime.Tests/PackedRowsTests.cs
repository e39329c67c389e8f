using System.Text;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Tables;
using Xunit;

namespace StreamSql.Runtime.Tests;

public sealed class PackedRowsTests
{
    private static Value[] Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition) =>
        [Value.FromBigInt(partition), Value.FromString(Encoding.UTF8.GetString(key)), Value.FromString(Encoding.UTF8.GetString(value))];

    [Fact]
    public void Rows_come_back_in_order_across_chunks_and_decoded_only_when_read()
    {
        var rows = new PackedRows();
        var large = new string('v', 700_000);
        var expected = new List<(int Partition, string Key, string Value)>();
        for (var i = 0; i < 5; i++)
        {
            // Two 700 KB values cannot share a 1 MB chunk: every other entry starts a new one.
            var value = i % 2 == 0 ? large + i : "small" + i;
            expected.Add((i % 3, "k" + i, value));
            rows.Add(i % 3, Encoding.UTF8.GetBytes("k" + i), Encoding.UTF8.GetBytes(value));
        }

        // An empty key and value, and a value bigger than a chunk.
        expected.Add((7, "", ""));
        rows.Add(7, [], []);
        var huge = new string('h', 3_000_000);
        expected.Add((1, "huge", huge));
        rows.Add(1, "huge"u8, Encoding.UTF8.GetBytes(huge));
        Assert.Equal(expected.Count, rows.Count);

        var decoded = 0;
        var drained = rows.Drain((key, value, partition) =>
        {
            decoded++;
            return Decode(key, value, partition);
        });
        Assert.Equal(0, decoded);

        var actual = drained.Select(r => ((int)r[0].AsLong, r[1].AsString, r[2].AsString)).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Count, decoded);
    }

    [Fact]
    public void A_second_read_is_refused_rather_than_returning_nothing()
    {
        var rows = new PackedRows();
        rows.Add(0, "a"u8, "1"u8);
        Assert.Single(rows.Drain(Decode));
        Assert.Throws<InvalidOperationException>(() => rows.Drain(Decode).ToList());
    }
}
