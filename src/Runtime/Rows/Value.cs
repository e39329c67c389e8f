using System.Runtime.CompilerServices;
using StreamSql.Planner.Types;

namespace StreamSql.Runtime.Rows;

/// <summary>One column value without boxing: numbers, booleans and timestamps in 64 bits, strings by reference.</summary>
public readonly struct Value : IEquatable<Value>
{
    public static readonly Value Null = default;

    private readonly long _bits;
    // A string, or a boxed decimal for NUMERIC (the one value kind that does not fit in 64 bits).
    private readonly object? _text;

    private Value(ValueKind kind, long bits, object? text)
    {
        Kind = kind;
        _bits = bits;
        _text = text;
    }

    public ValueKind Kind { get; }

    public bool IsNull
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Kind == ValueKind.Null;
    }

    public bool AsBoolean => _bits != 0;

    public int AsInt => (int)_bits;

    /// <summary>The 64-bit integer payload: BIGINT, INT widened, or a timestamp's microseconds since the epoch.</summary>
    public long AsLong => _bits;

    public double AsDouble => Kind is ValueKind.Double or ValueKind.Real ? BitConverter.Int64BitsToDouble(_bits) : _bits;

    public string AsString => (string)_text!;

    /// <summary>A NUMERIC; the decimal carries PostgreSQL's display scale (1.50 keeps two places).</summary>
    public decimal AsNumeric => Kind == ValueKind.Numeric ? (decimal)_text! : _bits;

    public static Value FromBoolean(bool value) => new(ValueKind.Boolean, value ? 1 : 0, null);

    public static Value FromSmallInt(short value) => new(ValueKind.SmallInt, value, null);

    /// <summary>A REAL (float4), kept widened to double in the payload so AsDouble reads it without conversion.</summary>
    public static Value FromReal(float value) => new(ValueKind.Real, BitConverter.DoubleToInt64Bits(value), null);

    public float AsReal => (float)BitConverter.Int64BitsToDouble(_bits);

    /// <summary>A TIME as microseconds since midnight (0 to 24:00:00 inclusive).</summary>
    public static Value FromTime(long micros) => new(ValueKind.Time, micros, null);

    public static Value FromBytes(byte[]? value) => value is null ? Null : new(ValueKind.Bytes, 0, value);

    public byte[] AsBytes => (byte[])_text!;

    public static Value FromInt(int value) => new(ValueKind.Int, value, null);

    public static Value FromBigInt(long value) => new(ValueKind.BigInt, value, null);

    public static Value FromDouble(double value) => new(ValueKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static Value FromString(string? value) => value is null ? Null : new(ValueKind.String, 0, value);

    public static Value FromNumeric(decimal value) => new(ValueKind.Numeric, 0, value);

    public static Value FromTimestamp(long micros) => new(ValueKind.Timestamp, micros, null);

    public static Value FromTimestampTz(long micros) => new(ValueKind.TimestampTz, micros, null);

    /// <summary>A DATE as days since 1970-01-01.</summary>
    public static Value FromDate(int days) => new(ValueKind.Date, days, null);

    public static Value FromInterval(Interval interval) => new(ValueKind.Interval, 0, interval);

    public Interval AsInterval => (Interval)_text!;

    public static Value FromArray(Value[]? elements) => elements is null ? Null : new(ValueKind.Array, 0, elements);

    public Value[] AsArray => (Value[])_text!;

    public static Value FromMap(MapValue? map) => map is null ? Null : new(ValueKind.Map, 0, map);

    public MapValue AsMap => (MapValue)_text!;

    public static Value FromStruct(StructValue? value) => value is null ? Null : new(ValueKind.Struct, 0, value);

    public StructValue AsStruct => (StructValue)_text!;

    /// <summary>Converts a bind-time constant (see BoundLiteral) to a value of the given type.</summary>
    public static Value FromConstant(object? constant, SqlType type) => constant switch
    {
        null => Null,
        int days when type.Kind == SqlTypeKind.Date => FromDate(days),
        long micros when type.Kind == SqlTypeKind.TimestampTz => FromTimestampTz(micros),
        long timeMicros when type.Kind == SqlTypeKind.Time => FromTime(timeMicros),
        Interval interval => FromInterval(interval),
        bool b => FromBoolean(b),
        short s => FromSmallInt(s),
        float f => FromReal(f),
        int i => type.Kind == SqlTypeKind.BigInt ? FromBigInt(i) : FromInt(i),
        long l => type.Kind == SqlTypeKind.Timestamp ? FromTimestamp(l) : FromBigInt(l),
        double d => FromDouble(d),
        decimal m => FromNumeric(m),
        string s => FromString(s),
        byte[] bytes => FromBytes(bytes),
        Value[] elements => FromArray(elements),
        object?[] items when type.Kind == SqlTypeKind.Array => FromArray(Array.ConvertAll(items, item => FromConstant(item, type.Element!))),
        MapValue map => FromMap(map),
        StructValue st => FromStruct(st),
        _ => throw new ArgumentException($"unsupported constant {constant.GetType().Name}"),
    };

    /// <summary>
    /// The same kind with the same representation: the same 64 bits, and an equal string, or numeric with the same scale,
    /// or the same object. Stricter than <see cref="Equals(Value)"/> (1.0 and 1.00, or -0 and 0, differ here), so two values
    /// it calls identical always encode alike; false for values it cannot compare cheaply.
    /// </summary>
    public bool IsIdenticalTo(Value other) => Kind == other.Kind && _bits == other._bits
        && (ReferenceEquals(_text, other._text)
            || (_text is string a && other._text is string b && string.Equals(a, b, StringComparison.Ordinal))
            || (_text is decimal x && other._text is decimal y && x == y && x.Scale == y.Scale));

    /// <summary>Equality as GROUP BY and DISTINCT see it: bytea by content, and floats as PostgreSQL's = does (-0 equals 0, NaN equals NaN).</summary>
    public bool Equals(Value other) => Kind == other.Kind
        && (Kind is ValueKind.Double or ValueKind.Real
            ? _bits == other._bits || AsDouble == other.AsDouble || (double.IsNaN(AsDouble) && double.IsNaN(other.AsDouble))
            : _bits == other._bits && (_text is byte[] a && other._text is byte[] b ? a.AsSpan().SequenceEqual(b)
                : _text is Value[] x && other._text is Value[] y ? x.AsSpan().SequenceEqual(y) : Equals(_text, other._text)));

    public override bool Equals(object? obj) => obj is Value v && Equals(v);

    public override int GetHashCode()
    {
        if (_text is byte[] bytes)
        {
            var hash = new HashCode();
            hash.Add(Kind);
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }

        if (_text is Value[] elements)
        {
            var hash = new HashCode();
            hash.Add(Kind);
            foreach (var element in elements)
            {
                hash.Add(element);
            }

            return hash.ToHashCode();
        }

        if (Kind is ValueKind.Double or ValueKind.Real)
        {
            // -0 hashes as 0 and every NaN alike, matching Equals.
            var d = AsDouble;
            return HashCode.Combine(Kind, d == 0 ? 0L : double.IsNaN(d) ? 1L : _bits);
        }

        return HashCode.Combine(Kind, _bits, _text);
    }

    /// <summary>PostgreSQL's text output for the value (NULL prints as null reference).</summary>
    public string? ToText() => Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Boolean => TextValues.FormatBoolean(AsBoolean),
        ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => _bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ValueKind.Double => TextValues.FormatDouble(AsDouble),
        ValueKind.Real => TextValues.FormatReal(AsReal),
        ValueKind.Timestamp => TextValues.FormatTimestamp(_bits),
        ValueKind.TimestampTz => TextValues.FormatTimestampTz(_bits),
        ValueKind.Date => CalendarMath.FormatDate((int)_bits),
        ValueKind.Time => TextValues.FormatTime(_bits),
        ValueKind.Bytes => TextValues.FormatBytea((byte[])_text!),
        ValueKind.Interval => ((Interval)_text!).ToString(),
        ValueKind.Numeric => ((decimal)_text!).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ValueKind.Array => FormatArray((Value[])_text!),
        ValueKind.Map or ValueKind.Struct => CompositeText.Format(this),
        _ => (string?)_text,
    };

    public override string ToString() => ToText() ?? "NULL";

    /// <summary>
    /// PostgreSQL's array_out: {1,2,NULL}; an element is double-quoted when it is empty, is NULL spelled out, or holds
    /// a brace, comma, double quote, backslash or white space, with " and \ escaped by a backslash.
    /// </summary>
    private static string FormatArray(Value[] elements)
    {
        var sb = new System.Text.StringBuilder("{");
        for (var i = 0; i < elements.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var text = elements[i].ToText();
            if (text is null)
            {
                sb.Append("NULL");
                continue;
            }

            var quote = elements[i].Kind != ValueKind.Array && (elements[i].Kind is ValueKind.Map or ValueKind.Struct || text.Length == 0 || text.Equals("NULL", StringComparison.OrdinalIgnoreCase)
                || text.AsSpan().IndexOfAny("{}\",\\ \t\n\r\v\f") >= 0);
            if (!quote)
            {
                sb.Append(text);
                continue;
            }

            sb.Append('"');
            foreach (var c in text)
            {
                if (c is '"' or '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }
}
