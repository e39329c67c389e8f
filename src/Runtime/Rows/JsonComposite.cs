using System.Text.Json;

namespace StreamSql.Runtime.Rows;

/// <summary>
/// Arrays as JSON arrays, maps and structs as JSON objects, their elements written by the caller: the JSON value format
/// and the text form of composites differ only in how they write scalars.
/// </summary>
internal static class JsonComposite
{
    public static void Write(Utf8JsonWriter writer, Value value, Action<Utf8JsonWriter, Value> writeElement)
    {
        switch (value.Kind)
        {
            case ValueKind.Array:
                writer.WriteStartArray();
                foreach (var element in value.AsArray)
                {
                    writeElement(writer, element);
                }

                writer.WriteEndArray();
                break;
            case ValueKind.Map:
                var map = value.AsMap;
                writer.WriteStartObject();
                for (var i = 0; i < map.Keys.Length; i++)
                {
                    writer.WritePropertyName(map.Keys[i].ToText() ?? "");
                    writeElement(writer, map.Values[i]);
                }

                writer.WriteEndObject();
                break;
            case ValueKind.Struct:
                var fields = value.AsStruct;
                writer.WriteStartObject();
                for (var i = 0; i < fields.Fields.Length; i++)
                {
                    writer.WritePropertyName(fields.Names[i]);
                    writeElement(writer, fields.Fields[i]);
                }

                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"{value.Kind} is not an array, map or struct", nameof(value));
        }
    }
}
