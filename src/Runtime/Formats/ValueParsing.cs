using System.Globalization;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>Lenient conversion of serialized text and numbers into typed values, shared by the text-based formats.</summary>
internal static class ValueParsing
{
    public static bool TryFromText(string text, SqlType type, out Value value)
    {
        value = Value.Null;
        switch (type.Kind)
        {
            case SqlTypeKind.Varchar:
                value = Value.FromString(text);
                return true;
            case SqlTypeKind.Boolean when TextValues.TryParseBoolean(text, out var b):
                value = Value.FromBoolean(b);
                return true;
            case SqlTypeKind.Int when int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var i):
                value = Value.FromInt(i);
                return true;
            case SqlTypeKind.Bytea:
                // BYTES are base64 in JSON and DELIMITED, as ksqlDB serializes them.
                var buffer = new byte[((text.Length * 3) + 3) / 4];
                if (!Convert.TryFromBase64String(text, buffer, out var written))
                {
                    return false;
                }

                value = Value.FromBytes(buffer[..written]);
                return true;
            case SqlTypeKind.SmallInt when short.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var si):
                value = Value.FromSmallInt(si);
                return true;
            case SqlTypeKind.Real when float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f):
                value = Value.FromReal(f);
                return true;
            case SqlTypeKind.BigInt when long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var l):
                value = Value.FromBigInt(l);
                return true;
            case SqlTypeKind.Numeric when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m):
                value = Value.FromNumeric(m);
                return true;
            case SqlTypeKind.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                value = Value.FromDouble(d);
                return true;
            case SqlTypeKind.Date or SqlTypeKind.Interval or SqlTypeKind.TimestampTz or SqlTypeKind.Time when !long.TryParse(text, out _):
                try
                {
                    value = Value.FromConstant(TextValues.Parse(text, type, null), type);
                    return true;
                }
                catch (StreamSql.Parser.Errors.SqlException)
                {
                    return false;
                }

            case SqlTypeKind.TimestampTz:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tzMillis) || !TextValues.TryTimestampFromMillis(tzMillis, out var tzMicros))
                {
                    return false;
                }

                value = Value.FromTimestampTz(tzMicros);
                return true;
            case SqlTypeKind.Date:
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days))
                {
                    return false;
                }

                value = Value.FromDate(days);
                return true;
            case SqlTypeKind.Time:
                // A number is milliseconds since midnight, as ksqlDB serializes TIME.
                var timeMillis = long.Parse(text, CultureInfo.InvariantCulture);
                if (timeMillis is < 0 or > 86_400_000)
                {
                    return false;
                }

                value = Value.FromTime(timeMillis * 1000);
                return true;
            case SqlTypeKind.Timestamp:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var millis))
                {
                    if (!TextValues.TryTimestampFromMillis(millis, out var fromMillis))
                    {
                        return false;
                    }

                    value = Value.FromTimestamp(fromMillis);
                    return true;
                }

                if (TextValues.TryParseTimestamp(text, out var micros))
                {
                    value = Value.FromTimestamp(micros);
                    return true;
                }

                return false;
            case SqlTypeKind.Array:
                // DELIMITED (or a JSON string) holds an array in PostgreSQL's text form: {1,2,NULL}, {a,"b c"}.
                List<string?> items;
                try
                {
                    items = ArrayLiteral.Parse(text);
                }
                catch (StreamSql.Parser.Errors.SqlException)
                {
                    return false;
                }

                var elements = new Value[items.Count];
                for (var e = 0; e < elements.Length; e++)
                {
                    if (items[e] is { } item && !TryFromText(item, type.Element!, out elements[e]))
                    {
                        return false;
                    }
                }

                value = Value.FromArray(elements);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Text written for a value in DELIMITED and string keys; timestamps as epoch milliseconds, as ksqlDB writes them.</summary>
    public static string? ToText(Value value) => value.Kind switch
    {
        ValueKind.Timestamp or ValueKind.TimestampTz => TextValues.TimestampToMillis(value.AsLong).ToString(CultureInfo.InvariantCulture),
        ValueKind.Bytes => Convert.ToBase64String(value.AsBytes),
        _ => value.ToText(),
    };
}
