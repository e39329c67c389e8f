using System.Buffers;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Tests;

public sealed class ValueCodecTests
{
    public static TheoryData<string, Value> Values() => new()
    {
        { "null", Value.Null },
        { "true", Value.FromBoolean(true) },
        { "false", Value.FromBoolean(false) },
        { "smallint min", Value.FromSmallInt(short.MinValue) },
        { "smallint max", Value.FromSmallInt(short.MaxValue) },
        { "int 0", Value.FromInt(0) },
        { "int min", Value.FromInt(int.MinValue) },
        { "int max", Value.FromInt(int.MaxValue) },
        { "bigint -1", Value.FromBigInt(-1) },
        { "bigint min", Value.FromBigInt(long.MinValue) },
        { "bigint max", Value.FromBigInt(long.MaxValue) },
        { "real", Value.FromReal(3.25f) },
        { "real -0", Value.FromReal(-0f) },
        { "real nan", Value.FromReal(float.NaN) },
        { "real -inf", Value.FromReal(float.NegativeInfinity) },
        { "real max", Value.FromReal(float.MaxValue) },
        { "double", Value.FromDouble(0.1 + 0.2) },
        { "double -0", Value.FromDouble(-0.0) },
        { "double nan", Value.FromDouble(double.NaN) },
        { "double inf", Value.FromDouble(double.PositiveInfinity) },
        { "double epsilon", Value.FromDouble(double.Epsilon) },
        { "double min", Value.FromDouble(double.MinValue) },
        { "numeric 0", Value.FromNumeric(0m) },
        { "numeric 1.50", Value.FromNumeric(1.50m) },
        { "numeric -0.00", Value.FromNumeric(new decimal(0, 0, 0, true, 2)) },
        { "numeric max", Value.FromNumeric(decimal.MaxValue) },
        { "numeric min", Value.FromNumeric(decimal.MinValue) },
        { "numeric scale 28", Value.FromNumeric(0.0000000000000000000000000001m) },
        { "numeric large with scale", Value.FromNumeric(-1234567890123456789.012345678m) },
        { "text empty", Value.FromString("") },
        { "text ascii", Value.FromString("hello") },
        { "text unicode", Value.FromString("Grüße, 日本語, 🎉 and \0 nul") },
        { "text long", Value.FromString(new string('x', 100_000)) },
        { "bytea empty", Value.FromBytes([]) },
        { "bytea", Value.FromBytes([0, 1, 0x7F, 0x80, 0xFF]) },
        { "timestamp", Value.FromTimestamp(1_700_000_000_123_456) },
        { "timestamp min", Value.FromTimestamp(long.MinValue) },
        { "timestamptz negative", Value.FromTimestampTz(-62_135_596_800_000_000) },
        { "timestamptz max", Value.FromTimestampTz(long.MaxValue) },
        { "date", Value.FromDate(19_000) },
        { "date negative", Value.FromDate(-700_000) },
        { "time", Value.FromTime(86_400_000_000) },
        { "interval", Value.FromInterval(new Interval(14, 3, 14_706_500_000)) },
        { "interval negative", Value.FromInterval(new Interval(-1, -2, -3_000_001)) },
        { "interval mixed", Value.FromInterval(new Interval(int.MinValue, int.MaxValue, long.MinValue + 1)) },
        { "array", Value.FromArray([Value.FromInt(1), Value.Null, Value.FromString("x")]) },
        { "map", Value.FromMap(new MapValue([Value.FromString("a"), Value.FromString("b")], [Value.FromInt(1), Value.Null])) },
        { "map empty", Value.FromMap(new MapValue([], [])) },
        { "struct", Value.FromStruct(new StructValue(["f1", "F2"], [Value.FromArray([Value.FromBigInt(7)]), Value.FromMap(new MapValue([Value.FromString("k")], [Value.FromBoolean(true)]))])) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Every_kind_round_trips(string label, Value value)
    {
        var output = new ArrayBufferWriter<byte>();
        ValueCodec.Write(output, value);
        var reader = new StateReader(output.WrittenSpan);
        var read = ValueCodec.Read(ref reader);

        Assert.True(reader.End, label);
        AssertIdentical(value, read);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Skip_moves_past_exactly_one_value_of_every_kind(string label, Value value)
    {
        var output = new ArrayBufferWriter<byte>();
        ValueCodec.Write(output, value);
        ValueCodec.Write(output, Value.FromInt(42));
        var reader = new StateReader(output.WrittenSpan);
        ValueCodec.Skip(ref reader);

        Assert.Equal(42, ValueCodec.Read(ref reader).AsLong);
        Assert.True(reader.End, label);
    }

    [Fact]
    public void SkipRow_moves_past_a_row_of_every_kind()
    {
        var output = new ArrayBufferWriter<byte>();
        ValueCodec.WriteRow(output, Values().Select(d => (Value)d[1]).ToArray());
        ValueCodec.WriteRow(output, [Value.FromString("next")]);
        var reader = new StateReader(output.WrittenSpan);
        ValueCodec.SkipRow(ref reader);

        Assert.Equal("next", ValueCodec.ReadRow(ref reader).Single().AsString);
        Assert.True(reader.End);
    }

    [Fact]
    public void Rows_round_trip_with_every_kind()
    {
        var row = Values().Select(d => (Value)d[1]).ToArray();
        var decoded = ValueCodec.DecodeRow(ValueCodec.EncodeRow(row));

        Assert.Equal(row.Length, decoded.Length);
        for (var i = 0; i < row.Length; i++)
        {
            AssertIdentical(row[i], decoded[i]);
        }

        Assert.Empty(ValueCodec.DecodeRow(ValueCodec.EncodeRow([])));
    }

    [Fact]
    public void Keys_of_nulls_booleans_integers_and_times_encode_as_rows_do()
    {
        // Such keys take a one-span path; canonical and row encodings of these kinds are the same bytes.
        Value[] key =
        [
            Value.Null, Value.FromBoolean(true), Value.FromBoolean(false), Value.FromSmallInt(-7), Value.FromInt(int.MinValue),
            Value.FromBigInt(long.MaxValue), Value.FromBigInt(long.MinValue), Value.FromBigInt(63), Value.FromBigInt(64), Value.FromBigInt(-64),
            Value.FromBigInt(-65), Value.FromTimestamp(1_700_000_000_000_000), Value.FromTimestampTz(-1), Value.FromDate(19_000),
            Value.FromTime(86_399_999_999),
        ];
        Assert.Equal(ValueCodec.EncodeRow(key), ValueCodec.EncodeKey(key));
        Assert.Equal(ValueCodec.EncodeRow(key[..1]), ValueCodec.EncodeKey(key[..1]));
        Assert.Equal(ValueCodec.EncodeRow([]), ValueCodec.EncodeKey([]));

        // A key with another kind, or too many values for the one span, is written value by value: the same format.
        Value[] mixed = [Value.FromBigInt(1), Value.FromString("a"), Value.FromBigInt(2)];
        Assert.Equal(ValueCodec.EncodeRow(mixed), ValueCodec.EncodeKey(mixed));
        var wide = Enumerable.Range(0, 20).Select(i => Value.FromBigInt(i * 1000)).ToArray();
        Assert.Equal(ValueCodec.EncodeRow(wide), ValueCodec.EncodeKey(wide));
        Assert.Equal(wide, ValueCodec.DecodeRow(ValueCodec.EncodeKey(wide)));
    }

    [Fact]
    public void Small_values_are_compact()
    {
        Assert.Equal(2, ValueCodec.EncodeRow([Value.Null]).Length);
        Assert.Equal(3, ValueCodec.EncodeRow([Value.FromBigInt(-5)]).Length);
        Assert.Equal(4, ValueCodec.EncodeRow([Value.FromNumeric(1.5m)]).Length);
        Assert.Equal(5, ValueCodec.EncodeRow([Value.FromString("ab")]).Length);
    }

    [Fact]
    public void Truncated_or_trailing_data_is_rejected()
    {
        var bytes = ValueCodec.EncodeRow([Value.FromString("hello"), Value.FromBigInt(long.MaxValue), Value.FromNumeric(decimal.MaxValue)]);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => ValueCodec.DecodeRow(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => ValueCodec.DecodeRow([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => ValueCodec.DecodeRow([1, 200]));
    }

    [Fact]
    public void Primitives_round_trip()
    {
        var output = new ArrayBufferWriter<byte>();
        long[] longs = [0, 1, -1, 63, -64, 64, 127, 128, long.MinValue, long.MaxValue, int.MinValue];
        foreach (var l in longs)
        {
            output.WriteVarInt64(l);
            output.WriteInt64(l);
        }

        output.WriteVarUInt64(ulong.MaxValue);
        output.WriteInt32(-7);
        output.WriteDouble(-0.0);
        output.WriteSingle(1.5f);
        output.WriteString("€");
        output.WriteBytes([9, 8]);
        output.WriteDecimal(-0.010m);
        output.WriteBoolean(true);

        var reader = new StateReader(output.WrittenSpan);
        foreach (var l in longs)
        {
            Assert.Equal(l, reader.ReadVarInt64());
            Assert.Equal(l, reader.ReadInt64());
        }

        Assert.Equal(ulong.MaxValue, reader.ReadVarUInt64());
        Assert.Equal(-7, reader.ReadInt32());
        Assert.True(double.IsNegative(reader.ReadDouble()));
        Assert.Equal(1.5f, reader.ReadSingle());
        Assert.Equal("€", reader.ReadString());
        Assert.Equal([9, 8], reader.ReadBytes());
        var d = reader.ReadDecimal();
        Assert.Equal("-0.010", d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(reader.ReadBoolean());
        Assert.True(reader.End);
    }

    public static TheoryData<Value, Value> EqualKeys() => new()
    {
        { Value.FromDouble(-0.0), Value.FromDouble(0.0) },
        { Value.FromDouble(double.NaN), Value.FromDouble(BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001)) },
        { Value.FromDouble(double.NaN), Value.FromDouble(-double.NaN) },
        { Value.FromReal(-0f), Value.FromReal(0f) },
        { Value.FromReal(float.NaN), Value.FromReal(BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001))) },
        { Value.FromNumeric(1.5m), Value.FromNumeric(1.50m) },
        { Value.FromNumeric(-1.5m), Value.FromNumeric(-1.500000m) },
        { Value.FromNumeric(100m), Value.FromNumeric(100.000m) },
        { Value.FromNumeric(0m), Value.FromNumeric(0.00m) },
        { Value.FromNumeric(0m), Value.FromNumeric(new decimal(0, 0, 0, true, 3)) },
        { Value.FromNumeric(1m), Value.FromNumeric(1.0000000000000000000000000000m) },
        { Value.FromBytes([1, 2]), Value.FromBytes([1, 2]) },
        { Value.FromString("ß"), Value.FromString("ß") },
    };

    [Theory]
    [MemberData(nameof(EqualKeys))]
    public void Keys_that_group_by_treats_as_equal_encode_alike(Value a, Value b)
    {
        Assert.True(a.Equals(b));
        Assert.Equal(ValueCodec.EncodeKey([a, Value.FromInt(1)]), ValueCodec.EncodeKey([b, Value.FromInt(1)]));
    }

    [Fact]
    public void Keys_decode_to_the_canonical_value()
    {
        var decoded = ValueCodec.DecodeRow(ValueCodec.EncodeKey([Value.FromNumeric(1.50m), Value.FromDouble(-0.0), Value.FromString("x")]));
        Assert.Equal("1.5", decoded[0].ToText());
        Assert.False(double.IsNegative(decoded[1].AsDouble));
        Assert.Equal("x", decoded[2].AsString);
    }

    [Fact]
    public void Key_bytes_are_equal_exactly_when_values_are()
    {
        Value[] pool =
        [
            Value.Null, Value.FromInt(1), Value.FromBigInt(1), Value.FromSmallInt(1), Value.FromInt(-1), Value.FromNumeric(1m),
            Value.FromNumeric(1.0m), Value.FromNumeric(1.01m), Value.FromNumeric(10m), Value.FromNumeric(0.1m), Value.FromNumeric(-0.0m),
            Value.FromNumeric(0m), Value.FromDouble(1), Value.FromDouble(0.0), Value.FromDouble(-0.0), Value.FromDouble(double.NaN),
            Value.FromReal(1), Value.FromReal(-0f), Value.FromReal(float.NaN), Value.FromString(""), Value.FromString("1"),
            Value.FromBytes([]), Value.FromBytes([1]), Value.FromBoolean(true), Value.FromBoolean(false), Value.FromDate(1),
            Value.FromTimestamp(1), Value.FromTimestampTz(1), Value.FromTime(1), Value.FromInterval(new Interval(0, 0, 1)),
            Value.FromInterval(new Interval(1, 0, 0)), Value.FromInterval(new Interval(0, 30, 0)),
        ];
        foreach (var a in pool)
        {
            foreach (var b in pool)
            {
                var sameBytes = ValueCodec.EncodeKey([a]).AsSpan().SequenceEqual(ValueCodec.EncodeKey([b]));
                Assert.True(a.Equals(b) == sameBytes, $"{a.Kind} {a} vs {b.Kind} {b}");
            }
        }
    }

    [Fact]
    public void Random_keys_agree_with_row_key_equality()
    {
        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var a = RandomKey(random);
            var b = RandomKey(random);
            var equal = new RowKey(a).Equals(new RowKey(b));
            Assert.Equal(equal, ValueCodec.EncodeKey(a).AsSpan().SequenceEqual(ValueCodec.EncodeKey(b)));
        }
    }

    private static Value[] RandomKey(Random random) =>
    [
        random.Next(4) == 0 ? Value.Null : Value.FromNumeric(new decimal(random.Next(3) * (int)Math.Pow(10, random.Next(3)), 0, 0, random.Next(2) == 0, (byte)random.Next(3))),
        random.Next(3) switch { 0 => Value.FromDouble(0.0), 1 => Value.FromDouble(-0.0), _ => Value.FromDouble(random.Next(2)) },
    ];

    private static void AssertIdentical(Value expected, Value actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.True(expected.Equals(actual), $"{expected} != {actual}");
        Assert.Equal(expected.ToText(), actual.ToText());
        if (expected.Kind == ValueKind.Double)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.AsDouble), BitConverter.DoubleToInt64Bits(actual.AsDouble));
        }
        else if (expected.Kind == ValueKind.Real)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected.AsReal), BitConverter.SingleToInt32Bits(actual.AsReal));
        }
        else if (expected.Kind == ValueKind.Numeric)
        {
            Assert.Equal(decimal.GetBits(expected.AsNumeric), decimal.GetBits(actual.AsNumeric));
        }
        else if (expected.Kind == ValueKind.Interval)
        {
            Assert.Equal(expected.AsInterval, actual.AsInterval);
        }
    }
}
