using System.Buffers;
using System.Text.Json;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>JSON objects with one field per value column; fields match by exact name, then case-insensitively; unknown fields are ignored.</summary>
public sealed class JsonValueFormat : IValueFormat
{
    private readonly FormatColumn[] _columns;
    private readonly JsonEncodedText[] _names;

    public JsonValueFormat(IReadOnlyList<FormatColumn> columns)
    {
        _columns = [.. columns];
        _names = _columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();
    }

    public byte[]? Serialize(Value[] row)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < _columns.Length; i++)
            {
                var value = row[_columns[i].RowIndex];
                writer.WritePropertyName(_names[i]);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteValue(Utf8JsonWriter writer, Value value)
    {
        switch (value.Kind)
        {
            case ValueKind.Null:
                writer.WriteNullValue();
                break;
            case ValueKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean);
                break;
            case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt:
                writer.WriteNumberValue(value.AsLong);
                break;
            case ValueKind.Real when float.IsFinite(value.AsReal):
                // The float's shortest text (0.1, not 0.10000000149011612), as a JSON number.
                writer.WriteRawValue(TextValues.FormatReal(value.AsReal).Replace("e+", "e", StringComparison.Ordinal), skipInputValidation: true);
                break;
            case ValueKind.Real:
                writer.WriteStringValue(TextValues.FormatReal(value.AsReal));
                break;
            case ValueKind.Double:
                var d = value.AsDouble;
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteStringValue(TextValues.FormatDouble(d));
                }

                break;
            case ValueKind.Timestamp or ValueKind.TimestampTz:
                writer.WriteNumberValue(TextValues.TimestampToMillis(value.AsLong));
                break;
            case ValueKind.Numeric:
                writer.WriteNumberValue(value.AsNumeric);
                break;
            case ValueKind.Date:
                writer.WriteNumberValue(value.AsLong);
                break;
            case ValueKind.Bytes:
                // bytea travels as base64, as ksqlDB writes BYTES in JSON.
                writer.WriteBase64StringValue(value.AsBytes);
                break;
            case ValueKind.Interval or ValueKind.Time:
                writer.WriteStringValue(value.ToText());
                break;
            default:
                writer.WriteStringValue(value.AsString);
                break;
        }
    }

    public bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, found {document.RootElement.ValueKind}";
                return false;
            }

            var root = Unwrap(document.RootElement);
            foreach (var column in _columns)
            {
                if (root.ValueKind != JsonValueKind.Object || !TryFindProperty(root, column.Name, out var element) || element.ValueKind == JsonValueKind.Null)
                {
                    row[column.RowIndex] = Value.Null;
                    continue;
                }

                if (!TryConvert(element, column.Type, out row[column.RowIndex]))
                {
                    error = $"field \"{column.Name}\": cannot read {element.ValueKind} {Truncate(element.GetRawText())} as {column.Type.DisplayName}";
                    return false;
                }
            }

            return true;
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + e.Message;
            return false;
        }
    }

    /// <summary>
    /// Kafka Connect's JsonConverter with schemas.enable wraps each value as {"schema": {...}, "payload": {...}}; as ksqlDB does,
    /// the payload is read and the schema ignored. A value is taken for an envelope when it has exactly those two fields, the
    /// payload is an object or null, and no column is named schema or payload.
    /// </summary>
    private JsonElement Unwrap(JsonElement root)
    {
        if (!root.TryGetProperty("payload", out var payload) || !root.TryGetProperty("schema", out var schema)
            || payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null) || schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            return root;
        }

        var fields = 0;
        foreach (var _ in root.EnumerateObject())
        {
            fields++;
        }

        foreach (var column in _columns)
        {
            if (column.Name.Equals("schema", StringComparison.OrdinalIgnoreCase) || column.Name.Equals("payload", StringComparison.OrdinalIgnoreCase))
            {
                return root;
            }
        }

        return fields == 2 ? payload : root;
    }

    private static bool TryFindProperty(JsonElement obj, string name, out JsonElement element)
    {
        if (obj.TryGetProperty(name, out element))
        {
            return true;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                element = property.Value;
                return true;
            }
        }

        return false;
    }

    internal static bool TryConvert(JsonElement element, SqlType type, out Value value)
    {
        value = Value.Null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return ValueParsing.TryFromText(element.GetString()!, type, out value);
            case JsonValueKind.True or JsonValueKind.False:
                if (type.Kind == SqlTypeKind.Boolean)
                {
                    value = Value.FromBoolean(element.GetBoolean());
                    return true;
                }

                if (type.Kind == SqlTypeKind.Varchar)
                {
                    value = Value.FromString(element.GetBoolean() ? "true" : "false");
                    return true;
                }

                return false;
            case JsonValueKind.Number:
                switch (type.Kind)
                {
                    case SqlTypeKind.Int when element.TryGetInt32(out var i):
                        value = Value.FromInt(i);
                        return true;
                    case SqlTypeKind.SmallInt when element.TryGetInt16(out var si):
                        value = Value.FromSmallInt(si);
                        return true;
                    case SqlTypeKind.Real when element.TryGetSingle(out var f) && float.IsFinite(f):
                        value = Value.FromReal(f);
                        return true;
                    case SqlTypeKind.BigInt when element.TryGetInt64(out var l):
                        value = Value.FromBigInt(l);
                        return true;
                    case SqlTypeKind.Numeric when element.TryGetDecimal(out var m):
                        value = Value.FromNumeric(m);
                        return true;
                    case SqlTypeKind.Double when element.TryGetDouble(out var d):
                        value = Value.FromDouble(d);
                        return true;
                    case SqlTypeKind.Timestamp when element.TryGetInt64(out var millis):
                        value = Value.FromTimestamp(TextValues.TimestampFromMillis(millis));
                        return true;
                    case SqlTypeKind.TimestampTz when element.TryGetInt64(out var tzMillis):
                        value = Value.FromTimestampTz(TextValues.TimestampFromMillis(tzMillis));
                        return true;
                    case SqlTypeKind.Time when element.TryGetInt64(out var timeMillis) && timeMillis is >= 0 and <= 86_400_000:
                        value = Value.FromTime(timeMillis * 1000);
                        return true;
                    case SqlTypeKind.Date when element.TryGetInt32(out var days):
                        value = Value.FromDate(days);
                        return true;
                    case SqlTypeKind.Varchar:
                        value = Value.FromString(element.GetRawText());
                        return true;
                    default:
                        return false;
                }

            default:
                if (type.Kind == SqlTypeKind.Varchar)
                {
                    value = Value.FromString(element.GetRawText());
                    return true;
                }

                return false;
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
