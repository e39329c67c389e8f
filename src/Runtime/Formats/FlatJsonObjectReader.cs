using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>
/// JsonValueFormat's fast path for the usual record: one JSON object whose fields are scalars. It reads the bytes itself
/// (no Utf8JsonReader, names compared as raw bytes) and only ever succeeds: when the record is well-formed and every
/// column converts it fills the row and returns true; anything it does not handle — a nested value, a name that would
/// match a column only ignoring case, an escaped name, a possible Kafka Connect envelope, a value that does not convert,
/// malformed JSON, a lone surrogate — returns false, and the caller reads the record the general way, which then decides
/// the values or the error. So the outcome never depends on which path read the record.
/// </summary>
internal sealed class FlatJsonObjectReader
{
    private readonly byte[][] _names;
    private readonly bool _envelopePossible;

    /// <summary>Column names are ASCII and their count fits the found-mask: unknown names can be checked ignoring case cheaply.</summary>
    private readonly bool _usable;

    // Per column: read on every field, so kept apart from the column records.
    private readonly SqlType[] _types;
    private readonly SqlTypeKind[] _kinds;
    private readonly int[] _rowIndexes;

    // The fields of the records read so far by position. A topic's records usually share one layout, so a name is then
    // one comparison, not a scan and a lookup. What a name matches depends on the name alone, so a stale entry only
    // costs a miss; entries are replaced whole, so partitions decoding with one reader at once see consistent ones.
    private const int LayoutFields = 32;
    private readonly LayoutField?[] _layout = new LayoutField?[LayoutFields];

    public FlatJsonObjectReader(FormatColumn[] columns, byte[][] utf8Names, bool envelopePossible)
    {
        _names = utf8Names;
        _envelopePossible = envelopePossible;
        _usable = columns.Length <= 64;
        foreach (var name in utf8Names)
        {
            _usable &= Ascii.IsValid(name);
        }

        _types = new SqlType[columns.Length];
        _kinds = new SqlTypeKind[columns.Length];
        _rowIndexes = new int[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            _types[c] = columns[c].Type;
            _kinds[c] = columns[c].Type.Kind;
            _rowIndexes[c] = columns[c].RowIndex;
        }
    }

    public bool TryRead(ReadOnlySpan<byte> json, Value[] row)
    {
        if (!_usable)
        {
            return false;
        }

        var i = SkipWhitespace(json, 0);
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return false;
        }

        i = SkipWhitespace(json, i + 1);
        var found = 0UL;
        var next = 0;
        if (i < json.Length && json[i] == (byte)'}')
        {
            i++;
        }
        else
        {
            for (var field = 0; ; field++)
            {
                int column;
                if (field < LayoutFields && _layout[field] is { } known && known.Matches(json, i))
                {
                    // The same bytes as a name checked before, up to its value: the same outcome (past any more whitespace).
                    column = known.Column;
                    i = SkipWhitespace(json, i + known.Length);
                    if (i >= json.Length)
                    {
                        return false;
                    }
                }
                else
                {
                    var nameAt = i;
                    i = ScanString(json, i, out var nameStart, out var nameEnd, out var nameEscaped, out _);
                    if (i < 0 || nameEscaped)
                    {
                        return false;
                    }

                    column = Match(json[nameStart..nameEnd], ref next);
                    if (column == NeedsGeneralPath)
                    {
                        return false;
                    }

                    i = SkipWhitespace(json, i);
                    if (i >= json.Length || json[i] != (byte)':')
                    {
                        return false;
                    }

                    i = SkipWhitespace(json, i + 1);
                    if (i >= json.Length)
                    {
                        return false;
                    }

                    if (field < LayoutFields)
                    {
                        _layout[field] = new LayoutField(json[nameAt..i], column);
                    }
                }

                i = column < 0 ? SkipScalar(json, i) : ReadValue(json, i, column, row);
                if (i < 0)
                {
                    return false;
                }

                if (column >= 0)
                {
                    found |= 1UL << column;
                }

                i = SkipWhitespace(json, i);
                if (i >= json.Length)
                {
                    return false;
                }

                if (json[i] == (byte)',')
                {
                    i = SkipWhitespace(json, i + 1);
                    continue;
                }

                if (json[i] != (byte)'}')
                {
                    return false;
                }

                i++;
                break;
            }
        }

        if (SkipWhitespace(json, i) != json.Length)
        {
            return false;
        }

        for (var c = 0; c < _rowIndexes.Length; c++)
        {
            if ((found & (1UL << c)) == 0)
            {
                row[_rowIndexes[c]] = Value.Null;
            }
        }

        return true;
    }

    /// <summary>
    /// A field's bytes from its name's opening quote to its value (the name, its closing quote, the colon and any
    /// whitespace around it), and the column the name matches (-1: skipped). Up to 16 bytes compare as two masked words.
    /// </summary>
    private sealed class LayoutField
    {
        private readonly byte[] _bytes;
        private readonly ulong _low, _high, _lowMask, _highMask;

        public LayoutField(ReadOnlySpan<byte> bytes, int column)
        {
            _bytes = bytes.ToArray();
            Column = column;
            Span<byte> padded = stackalloc byte[16];
            Span<byte> mask = stackalloc byte[16];
            padded.Clear();
            mask.Clear();
            if (bytes.Length <= 16)
            {
                bytes.CopyTo(padded);
                mask[..bytes.Length].Fill(0xFF);
            }

            _low = BinaryPrimitives.ReadUInt64LittleEndian(padded);
            _high = BinaryPrimitives.ReadUInt64LittleEndian(padded[8..]);
            _lowMask = BinaryPrimitives.ReadUInt64LittleEndian(mask);
            _highMask = BinaryPrimitives.ReadUInt64LittleEndian(mask[8..]);
        }

        public int Column { get; }

        public int Length => _bytes.Length;

        public bool Matches(ReadOnlySpan<byte> json, int i)
        {
            if (_bytes.Length <= 16 && (uint)i <= (uint)(json.Length - 16))
            {
                ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(json), i);
                var low = Unsafe.ReadUnaligned<ulong>(ref at);
                var high = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, 8));
                return (((low ^ _low) & _lowMask) | ((high ^ _high) & _highMask)) == 0;
            }

            return (uint)i < (uint)json.Length && json[i..].StartsWith(_bytes);
        }
    }

    private const int NeedsGeneralPath = -2;

    /// <summary>The column named exactly name (the last duplicate wins, as in the general path), -1 for a field to skip.</summary>
    private int Match(ReadOnlySpan<byte> name, ref int next)
    {
        // Fields usually come in column order: try the next column first.
        if (next < _names.Length && name.SequenceEqual(_names[next]))
        {
            return next++;
        }

        for (var c = 0; c < _names.Length; c++)
        {
            if (name.SequenceEqual(_names[c]))
            {
                next = c + 1;
                return c;
            }
        }

        // Case-insensitive matches and envelopes have rules of their own (first wins, exact beats ignoring case).
        if (!Ascii.IsValid(name) || (_envelopePossible && (name.SequenceEqual("payload"u8) || name.SequenceEqual("schema"u8))))
        {
            return NeedsGeneralPath;
        }

        for (var c = 0; c < _names.Length; c++)
        {
            if (Ascii.EqualsIgnoreCase(name, _names[c]))
            {
                return NeedsGeneralPath;
            }
        }

        return -1;
    }

    /// <summary>
    /// A scalar converted as JsonValueFormat.TryConvert would into the column's place in row; the position past it, or -1
    /// when it is not a scalar or does not convert.
    /// </summary>
    private int ReadValue(ReadOnlySpan<byte> json, int i, int column, Value[] row)
    {
        ref var value = ref row[_rowIndexes[column]];
        value = Value.Null;
        var kind = _kinds[column];
        switch (json[i])
        {
            case (byte)'"':
                i = ScanString(json, i, out var start, out var end, out var escaped, out var ascii);
                if (i < 0)
                {
                    return -1;
                }

                // Checked ASCII widens to UTF-16 as Latin-1 does, without UTF-8's validation pass.
                var text = escaped ? Unescape(json[start..end]) : ascii ? Encoding.Latin1.GetString(json[start..end]) : Encoding.UTF8.GetString(json[start..end]);
                if (text is not null && kind == SqlTypeKind.Varchar)
                {
                    value = Value.FromString(text);
                    return i;
                }

                return text is not null && ValueParsing.TryFromText(text, _types[column], out value) ? i : -1;
            case (byte)'n':
                return SkipLiteral(json, i, "null"u8);
            case (byte)'t' or (byte)'f':
                var truth = json[i] == (byte)'t';
                i = SkipLiteral(json, i, truth ? "true"u8 : "false"u8);
                if (i < 0)
                {
                    return -1;
                }

                switch (kind)
                {
                    case SqlTypeKind.Boolean:
                        value = Value.FromBoolean(truth);
                        return i;
                    case SqlTypeKind.Varchar:
                        value = Value.FromString(truth ? "true" : "false");
                        return i;
                    default:
                        return -1;
                }

            default:
                if (kind is SqlTypeKind.BigInt or SqlTypeKind.Int or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz)
                {
                    var past = ScanShortInteger(json, i, out var integer);
                    if (past >= 0)
                    {
                        return TryConvertInteger(integer, kind, out value) ? past : -1;
                    }
                }

                var numberStart = i;
                i = ScanNumber(json, i, out var integral);
                return i >= 0 && TryConvertNumber(json[numberStart..i], integral, _types[column], out value) ? i : -1;
        }
    }

    /// <summary>
    /// A JSON number as the column's type. Integers are parsed as Utf8JsonReader's TryGetInt64 and friends parse them; other
    /// types go through a reader over the number alone, so the conversion rules stay in one place.
    /// </summary>
    private static bool TryConvertNumber(ReadOnlySpan<byte> number, bool integral, SqlType type, out Value value)
    {
        value = Value.Null;
        switch (type.Kind)
        {
            case SqlTypeKind.BigInt when integral && Utf8Parser.TryParse(number, out long l, out var used) && used == number.Length:
                value = Value.FromBigInt(l);
                return true;
            case SqlTypeKind.Int when integral && Utf8Parser.TryParse(number, out int n, out var used) && used == number.Length:
                value = Value.FromInt(n);
                return true;
            case SqlTypeKind.Timestamp when integral && Utf8Parser.TryParse(number, out long millis, out var used) && used == number.Length
                                              && TextValues.TryTimestampFromMillis(millis, out var micros):
                value = Value.FromTimestamp(micros);
                return true;
            case SqlTypeKind.TimestampTz when integral && Utf8Parser.TryParse(number, out long millis, out var used) && used == number.Length
                                                && TextValues.TryTimestampFromMillis(millis, out var micros):
                value = Value.FromTimestampTz(micros);
                return true;
            case SqlTypeKind.Varchar:
                value = Value.FromString(Encoding.UTF8.GetString(number));
                return true;
            case SqlTypeKind.BigInt or SqlTypeKind.Int or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                return false;
            default:
                var reader = new Utf8JsonReader(number);
                return reader.Read() && JsonValueFormat.TryConvert(ref reader, type, out value);
        }
    }

    /// <summary>
    /// An integer of at most 18 digits without fraction or exponent (the usual id, count or epoch time) parsed while it is
    /// scanned; the position past it, or -1 for anything else, which the general scan and conversion then take.
    /// </summary>
    private static int ScanShortInteger(ReadOnlySpan<byte> json, int i, out long value)
    {
        value = 0;
        var p = i;
        var negative = p < json.Length && json[p] == (byte)'-';
        if (negative)
        {
            p++;
        }

        var digitsStart = p;
        uint digit;
        while (p < json.Length && (digit = (uint)(json[p] - '0')) <= 9 && p - digitsStart < 18)
        {
            value = (value * 10) + digit;
            p++;
        }

        var digits = p - digitsStart;
        if (digits == 0 || (digits > 1 && json[digitsStart] == (byte)'0')
            || (p < json.Length && (json[p] is (byte)'.' or (byte)'e' or (byte)'E' || (uint)(json[p] - '0') <= 9)))
        {
            return -1;
        }

        value = negative ? -value : value;
        return p;
    }

    /// <summary>A short integer as a BIGINT, INT or TIMESTAMP[TZ] (epoch milliseconds) column's value, as TryConvertNumber converts it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryConvertInteger(long integer, SqlTypeKind kind, out Value value)
    {
        value = Value.Null;
        switch (kind)
        {
            case SqlTypeKind.BigInt:
                value = Value.FromBigInt(integer);
                return true;
            case SqlTypeKind.Int when integer is >= int.MinValue and <= int.MaxValue:
                value = Value.FromInt((int)integer);
                return true;
            case SqlTypeKind.Timestamp when TextValues.TryTimestampFromMillis(integer, out var micros):
                value = Value.FromTimestamp(micros);
                return true;
            case SqlTypeKind.TimestampTz when TextValues.TryTimestampFromMillis(integer, out var micros):
                value = Value.FromTimestampTz(micros);
                return true;
            default:
                return false;
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    /// <summary>The position past the scalar at i, or -1.</summary>
    private static int SkipScalar(ReadOnlySpan<byte> json, int i) => json[i] switch
    {
        (byte)'"' => ScanString(json, i, out _, out _, out _, out _),
        (byte)'n' => SkipLiteral(json, i, "null"u8),
        (byte)'t' => SkipLiteral(json, i, "true"u8),
        (byte)'f' => SkipLiteral(json, i, "false"u8),
        _ => ScanNumber(json, i, out _),
    };

    private static int SkipLiteral(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) =>
        json[i..].StartsWith(literal) ? i + literal.Length : -1;

    /// <summary>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? from i: the position past it, or -1; what follows is checked by the caller.</summary>
    private static int ScanNumber(ReadOnlySpan<byte> json, int i, out bool integral)
    {
        integral = true;
        if (json[i] == (byte)'-')
        {
            i++;
        }

        if (i >= json.Length)
        {
            return -1;
        }

        if (json[i] == (byte)'0')
        {
            i++;
        }
        else if ((i = SkipDigits(json, i)) < 0)
        {
            return -1;
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            integral = false;
            if ((i = SkipDigits(json, i + 1)) < 0)
            {
                return -1;
            }
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            integral = false;
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if ((i = SkipDigits(json, i)) < 0)
            {
                return -1;
            }
        }

        return i;
    }

    /// <summary>The position past one or more digits from i, or -1 when there is none.</summary>
    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        var start = i;
        while (i < json.Length && (uint)(json[i] - '0') <= 9)
        {
            i++;
        }

        return i > start ? i : -1;
    }

    /// <summary>
    /// The first byte that ends a run of plain string content: the closing quote, an escape, a control character or a
    /// non-ASCII byte (the last two are exactly the bytes below 0x20 as signed bytes). Inlined vector compares: field
    /// values are short, where a general search's setup would cost as much as the scan.
    /// </summary>
    private static int IndexOfStringStop(ReadOnlySpan<byte> span)
    {
        ref var start = ref MemoryMarshal.GetReference(span);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            var space = Vector256.Create((sbyte)0x20);
            for (; i + Vector256<byte>.Count <= span.Length; i += Vector256<byte>.Count)
            {
                var bytes = Vector256.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector256.Equals(bytes, quote) | Vector256.Equals(bytes, backslash) | Vector256.LessThan(bytes.AsSByte(), space).AsByte();
                if (stops != Vector256<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((sbyte)0x20);
            for (; i + Vector128<byte>.Count <= span.Length; i += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes.AsSByte(), space).AsByte();
                if (stops != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }
            }
        }

        for (; i < span.Length; i++)
        {
            var b = span[i];
            if (b == (byte)'"' || b == (byte)'\\' || (sbyte)b < 0x20)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A string token from the quote at i: the position past it (or -1), its content's range, whether it has escapes
    /// (checked, not decoded) and whether it is all ASCII. One vectorized search per run of plain ASCII; non-ASCII content
    /// is validated as UTF-8 once at the end.
    /// </summary>
    private static int ScanString(ReadOnlySpan<byte> json, int i, out int start, out int end, out bool escaped, out bool ascii)
    {
        start = i + 1;
        end = 0;
        escaped = false;
        ascii = true;
        if (i >= json.Length || json[i] != (byte)'"')
        {
            return -1;
        }

        var p = start;
        while (true)
        {
            var at = IndexOfStringStop(json[p..]);
            if (at < 0)
            {
                return -1;
            }

            p += at;
            var stop = json[p];
            if (stop == (byte)'"')
            {
                break;
            }

            if (stop >= 0x80)
            {
                ascii = false;
                p++;
                continue;
            }

            if (stop != (byte)'\\' || p + 1 >= json.Length)
            {
                return -1;
            }

            escaped = true;
            switch (json[p + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    p += 2;
                    break;
                case (byte)'u' when p + 6 <= json.Length && IsHex(json[p + 2]) && IsHex(json[p + 3]) && IsHex(json[p + 4]) && IsHex(json[p + 5]):
                    p += 6;
                    break;
                default:
                    return -1;
            }
        }

        end = p;
        return ascii || Utf8.IsValid(json[start..end]) ? p + 1 : -1;
    }

    private static bool IsHex(byte b) => HexValue(b) >= 0;

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>A checked string's content with its escapes decoded; null for a lone surrogate (left to the general path).</summary>
    private static string? Unescape(ReadOnlySpan<byte> content)
    {
        var buffer = ArrayPool<char>.Shared.Rent(content.Length);
        try
        {
            var written = 0;
            var p = 0;
            while (p < content.Length)
            {
                var at = content[p..].IndexOf((byte)'\\');
                var segment = at < 0 ? content[p..] : content.Slice(p, at);
                written += Encoding.UTF8.GetChars(segment, buffer.AsSpan(written));
                p += segment.Length;
                if (at < 0)
                {
                    break;
                }

                var escape = content[p + 1];
                p += 2;
                if (escape != (byte)'u')
                {
                    buffer[written++] = escape switch
                    {
                        (byte)'b' => '\b',
                        (byte)'f' => '\f',
                        (byte)'n' => '\n',
                        (byte)'r' => '\r',
                        (byte)'t' => '\t',
                        _ => (char)escape,
                    };
                    continue;
                }

                var unit = (char)ParseHex4(content.Slice(p, 4));
                p += 4;
                if (char.IsLowSurrogate(unit))
                {
                    return null;
                }

                if (char.IsHighSurrogate(unit))
                {
                    if (p + 6 > content.Length || content[p] != (byte)'\\' || content[p + 1] != (byte)'u')
                    {
                        return null;
                    }

                    var low = (char)ParseHex4(content.Slice(p + 2, 4));
                    if (!char.IsLowSurrogate(low))
                    {
                        return null;
                    }

                    buffer[written++] = unit;
                    unit = low;
                    p += 6;
                }

                buffer[written++] = unit;
            }

            return new string(buffer, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex) =>
        (HexValue(hex[0]) << 12) | (HexValue(hex[1]) << 8) | (HexValue(hex[2]) << 4) | HexValue(hex[3]);
}
