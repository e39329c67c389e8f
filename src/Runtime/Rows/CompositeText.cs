using System.Buffers;
using System.Text;
using System.Text.Json;
using StreamSql.Planner.Types;

namespace StreamSql.Runtime.Rows;

/// <summary>
/// The text output of MAP and STRUCT values: a JSON object ({"a":1,"b":"x"}), sent to clients as json. Inside it numbers and
/// booleans are JSON literals, arrays JSON arrays, maps and structs objects, NULL null, and every other value (text, dates,
/// timestamps, intervals, non-finite floats) the JSON string of its PostgreSQL text.
/// </summary>
public static class CompositeText
{
    public static string Format(Value value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, Value value)
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
                writer.WriteRawValue(TextValues.FormatReal(value.AsReal).Replace("e+", "e", StringComparison.Ordinal), skipInputValidation: true);
                break;
            case ValueKind.Double when double.IsFinite(value.AsDouble):
                writer.WriteRawValue(TextValues.FormatDouble(value.AsDouble).Replace("e+", "e", StringComparison.Ordinal), skipInputValidation: true);
                break;
            case ValueKind.Numeric:
                writer.WriteNumberValue(value.AsNumeric);
                break;
            case ValueKind.Array or ValueKind.Map or ValueKind.Struct:
                JsonComposite.Write(writer, value, Write);
                break;
            default:
                writer.WriteStringValue(value.ToText());
                break;
        }
    }
}
