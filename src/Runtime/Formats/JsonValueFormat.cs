using System.Buffers;
using System.Text;
using System.Text.Json;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>JSON objects with one field per value column; fields match by exact name, then case-insensitively; unknown fields are ignored.</summary>
public sealed class JsonValueFormat : IValueFormat
{
    private readonly FormatColumn[] _columns;
    private readonly JsonEncodedText[] _names;

    private readonly byte[][] _utf8Names;
    private readonly bool _allAscii;

    /// <summary>
    /// Kafka Connect's JsonConverter with schemas.enable wraps each value as {"schema": {...}, "payload": {...}}; as ksqlDB does,
    /// the payload is read and the schema ignored. A value is taken for an envelope when it has exactly those two fields, the
    /// payload is an object or null, and no column is named schema or payload.
    /// </summary>
    private readonly bool _envelopePossible;

    private readonly FlatJsonObjectReader? _flat;

    public JsonValueFormat(IReadOnlyList<FormatColumn> columns)
        : this(columns, flatFastPath: true)
    {
    }

    /// <param name="flatFastPath">False: every record is read the general way (tests compare the two paths).</param>
    internal JsonValueFormat(IReadOnlyList<FormatColumn> columns, bool flatFastPath)
    {
        _columns = [.. columns];
        _names = _columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();
        _utf8Names = _columns.Select(c => Encoding.UTF8.GetBytes(c.Name)).ToArray();
        _allAscii = _utf8Names.All(n => Ascii.IsValid(n));
        _envelopePossible = !_columns.Any(c => c.Name.Equals("schema", StringComparison.OrdinalIgnoreCase) || c.Name.Equals("payload", StringComparison.OrdinalIgnoreCase));
        _flat = flatFastPath ? new FlatJsonObjectReader(_columns, _utf8Names, _envelopePossible) : null;
    }

    public byte[]? Serialize(Value[] row)
    {
        var writer = PooledJsonWriter.Rent(out var buffer);
        writer.WriteStartObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            var value = row[_columns[i].RowIndex];
            writer.WritePropertyName(_names[i]);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
        return PooledJsonWriter.ToArray(writer, buffer);
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
            case ValueKind.Array or ValueKind.Map or ValueKind.Struct:
                // An array (array_agg, collect_list) is a JSON array, MAP and STRUCT are JSON objects, as ksqlDB writes them.
                JsonComposite.Write(writer, value, WriteValue);
                break;
            default:
                writer.WriteStringValue(value.AsString);
                break;
        }
    }

    /// <summary>
    /// A flat object of scalars is read by FlatJsonObjectReader, which succeeds only where this path would give the same row.
    /// Otherwise reads the record's bytes in one forward pass with a Utf8JsonReader (no DOM, no copy): each field is matched to a
    /// column by name (exact, the last duplicate wins; else case-insensitive, the first wins) and converted on the spot;
    /// non-string values are read straight from the bytes. The whole record is still validated, as a JsonDocument would:
    /// malformed JSON anywhere wins over a field that does not convert, and conversion errors are reported in column order.
    /// </summary>
    public bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        error = null;
        return (_flat is not null && _flat.TryRead(bytes, row)) || TryDeserializeGenerally(bytes, row, out error);
    }

    // Apart from the fast path: its readers are large structs that would be cleared on every call.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool TryDeserializeGenerally(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        error = null;
        var slots = Slots(_columns.Length);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = KindOf(reader.TokenType);
                reader.Skip();
                while (reader.Read())
                {
                }

                error = $"expected a JSON object, found {kind}";
                return false;
            }

            var envelope = ScanObject(ref reader, bytes, row, slots, root: true);
            while (reader.Read())
            {
                // Anything after the object is malformed: Read throws.
            }

            if (!envelope.IsEnvelope)
            {
                return Finish(bytes, row, slots, out error);
            }

            // {"schema": ..., "payload": {...}}: no column matched at the top (none is named schema or payload); read the payload.
            Array.Clear(slots, 0, _columns.Length);
            if (envelope.PayloadStart < 0)
            {
                return Finish(default, row, slots, out error);
            }

            var payload = bytes[envelope.PayloadStart..envelope.PayloadEnd];
            var inner = new Utf8JsonReader(payload);
            inner.Read();
            ScanObject(ref inner, payload, row, slots, root: false);
            return Finish(payload, row, slots, out error);
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            // The reader checks a string's UTF-8 and surrogate pairs only when it is read: invalid text is a bad record too.
            error = "malformed JSON: " + e.Message;
            return false;
        }
    }

    private bool Finish(ReadOnlySpan<byte> bytes, Value[] row, Slot[] slots, out string? error)
    {
        error = null;
        for (var i = 0; i < _columns.Length; i++)
        {
            ref var slot = ref slots[i];
            if (slot.Match == 0)
            {
                row[_columns[i].RowIndex] = Value.Null;
            }
            else if (slot.Failed)
            {
                var raw = Encoding.UTF8.GetString(bytes[slot.Start..slot.End]);
                error = $"field \"{_columns[i].Name}\": cannot read {KindOf(slot.Token)} {Truncate(raw)} as {_columns[i].Type.DisplayName}";
                return false;
            }
        }

        return true;
    }

    [ThreadStatic]
    private static Slot[]? t_slots;

    private static Slot[] Slots(int count)
    {
        var slots = t_slots;
        if (slots is null || slots.Length < count)
        {
            slots = t_slots = new Slot[Math.Max(count, 16)];
        }
        else
        {
            Array.Clear(slots, 0, count);
        }

        return slots;
    }

    /// <summary>How a column was found in the record: Match 0 not yet, 1 case-insensitively, 2 exactly; the value's range for error messages.</summary>
    private struct Slot
    {
        public byte Match;
        public bool Failed;
        public JsonTokenType Token;
        public int Start;
        public int End;
    }

    private readonly record struct Envelope(bool IsEnvelope, int PayloadStart, int PayloadEnd);

    /// <summary>Reads an object from its StartObject to its EndObject, converting the fields that are columns into row.</summary>
    private Envelope ScanObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, Value[] row, Slot[] slots, bool root)
    {
        var fields = 0;
        var payloadStart = -2;
        var payloadEnd = 0;
        var schemaSeen = false;
        var schemaOk = false;
        var payloadOk = false;
        var next = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            fields++;
            var column = -1;
            var match = (byte)0;

            // Fields usually come in column order: try the next column first.
            if (next < _columns.Length && reader.ValueTextEquals(_utf8Names[next]))
            {
                column = next;
                match = 2;
            }
            else
            {
                for (var i = 0; i < _columns.Length; i++)
                {
                    if (reader.ValueTextEquals(_utf8Names[i]))
                    {
                        column = i;
                        match = 2;
                        break;
                    }
                }

                if (column < 0)
                {
                    column = FindCaseInsensitive(ref reader, slots);
                    match = 1;
                }
            }

            var envelopeField = 0;
            if (root && _envelopePossible)
            {
                envelopeField = reader.ValueTextEquals("payload"u8) ? 1 : reader.ValueTextEquals("schema"u8) ? 2 : 0;
            }

            reader.Read();
            if (envelopeField != 0)
            {
                var objectOrNull = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.Null;
                if (envelopeField == 1)
                {
                    payloadOk = objectOrNull;
                    payloadStart = reader.TokenType == JsonTokenType.StartObject ? (int)reader.TokenStartIndex : -1;
                }
                else
                {
                    schemaSeen = true;
                    schemaOk = objectOrNull;
                }
            }

            if (column < 0)
            {
                reader.Skip();
                if (envelopeField == 1)
                {
                    payloadEnd = (int)reader.BytesConsumed;
                }

                continue;
            }

            if (match == 2)
            {
                next = column + 1;
            }

            ref var slot = ref slots[column];
            slot.Match = match;
            slot.Token = reader.TokenType;
            slot.Start = (int)reader.TokenStartIndex;
            var index = _columns[column].RowIndex;
            if ((reader.TokenType, _columns[column].Type.Kind) is (JsonTokenType.StartArray, SqlTypeKind.Array) or (JsonTokenType.StartObject, SqlTypeKind.Map or SqlTypeKind.Struct))
            {
                slot.Failed = !TryReadNested(ref reader, _columns[column].Type, out row[index]);
                slot.End = (int)reader.BytesConsumed;
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                slot.End = (int)reader.BytesConsumed;
                slot.Failed = _columns[column].Type.Kind != SqlTypeKind.Varchar;
                if (!slot.Failed)
                {
                    row[index] = Value.FromString(Encoding.UTF8.GetString(bytes[slot.Start..slot.End]));
                }
            }
            else
            {
                slot.End = (int)reader.BytesConsumed;
                slot.Failed = !TryConvert(ref reader, _columns[column].Type, out row[index]);
            }
        }

        return new Envelope(root && _envelopePossible && fields == 2 && schemaSeen && schemaOk && payloadOk, payloadStart, payloadEnd);
    }

    /// <summary>The first column not found yet whose name equals the reader's property name ignoring case, or -1.</summary>
    private int FindCaseInsensitive(ref Utf8JsonReader reader, Slot[] slots)
    {
        if (_allAscii && !reader.ValueIsEscaped && Ascii.IsValid(reader.ValueSpan))
        {
            var name = reader.ValueSpan;
            for (var i = 0; i < _columns.Length; i++)
            {
                if (slots[i].Match == 0 && Ascii.EqualsIgnoreCase(name, _utf8Names[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        var text = reader.GetString();
        for (var i = 0; i < _columns.Length; i++)
        {
            if (slots[i].Match == 0 && string.Equals(text, _columns[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static string KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => nameof(JsonValueKind.Object),
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        JsonTokenType.String => nameof(JsonValueKind.String),
        JsonTokenType.Number => nameof(JsonValueKind.Number),
        JsonTokenType.True => nameof(JsonValueKind.True),
        JsonTokenType.False => nameof(JsonValueKind.False),
        JsonTokenType.Null => nameof(JsonValueKind.Null),
        _ => nameof(JsonValueKind.Undefined),
    };

    /// <summary>
    /// A JSON value as a value of type, from the token the reader is on to its end: arrays from JSON arrays, maps and structs
    /// from JSON objects (a struct's fields match by exact name, then case-insensitively; missing fields are NULL, unknown ones
    /// ignored), scalars as TryConvert reads them. False (with the reader past the value) when the shape or a scalar does not fit.
    /// </summary>
    private static bool TryReadNested(ref Utf8JsonReader reader, SqlType type, out Value value)
    {
        value = Value.Null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.StartArray when type.Kind == SqlTypeKind.Array:
                var elements = new List<Value>();
                var ok = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ok &= TryReadNested(ref reader, type.Element!, out var item);
                    elements.Add(item);
                }

                value = ok ? Value.FromArray([.. elements]) : Value.Null;
                return ok;
            case JsonTokenType.StartObject when type.Kind == SqlTypeKind.Map:
                var keys = new List<Value>();
                var values = new List<Value>();
                var mapOk = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = Value.FromString(reader.GetString());
                    reader.Read();
                    mapOk &= TryReadNested(ref reader, type.Element!, out var item);
                    var existing = keys.IndexOf(key);
                    if (existing >= 0)
                    {
                        values[existing] = item;
                    }
                    else
                    {
                        keys.Add(key);
                        values.Add(item);
                    }
                }

                value = mapOk ? Value.FromMap(new MapValue([.. keys], [.. values])) : Value.Null;
                return mapOk;
            case JsonTokenType.StartObject when type.Kind == SqlTypeKind.Struct:
                var fields = type.Fields!;
                var fieldValues = new Value[fields.Count];
                var structOk = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = fields.IndexOf(reader.GetString()!);
                    reader.Read();
                    if (field < 0)
                    {
                        reader.Skip();
                        continue;
                    }

                    structOk &= TryReadNested(ref reader, fields[field].Type, out fieldValues[field]);
                }

                value = structOk ? Value.FromStruct(new StructValue(StructNames(type), fieldValues)) : Value.Null;
                return structOk;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                if (type.Kind == SqlTypeKind.Varchar)
                {
                    using var document = JsonDocument.ParseValue(ref reader);
                    value = Value.FromString(document.RootElement.GetRawText());
                    return true;
                }

                reader.Skip();
                return false;
            default:
                return TryConvert(ref reader, type, out value);
        }
    }

    /// <summary>The field names of a struct type, one shared array per type.</summary>
    private static string[] StructNames(SqlType type) =>
        StructNameCache.GetValue(type.Fields!, fields => new StructNamesHolder(fields.Select(f => f.Name).ToArray())).Names;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StructFields, StructNamesHolder> StructNameCache = new();

    private sealed record StructNamesHolder(string[] Names);

    /// <summary>TryConvert(JsonElement, ...) for the scalar the reader is on (string, number, true, false or null: NULL).</summary>
    internal static bool TryConvert(ref Utf8JsonReader reader, SqlType type, out Value value)
    {
        value = Value.Null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                return ValueParsing.TryFromText(reader.GetString()!, type, out value);
            case JsonTokenType.True or JsonTokenType.False:
                if (type.Kind == SqlTypeKind.Boolean)
                {
                    value = Value.FromBoolean(reader.GetBoolean());
                    return true;
                }

                if (type.Kind == SqlTypeKind.Varchar)
                {
                    value = Value.FromString(reader.GetBoolean() ? "true" : "false");
                    return true;
                }

                return false;
            case JsonTokenType.Number:
                switch (type.Kind)
                {
                    case SqlTypeKind.Int when reader.TryGetInt32(out var i):
                        value = Value.FromInt(i);
                        return true;
                    case SqlTypeKind.SmallInt when reader.TryGetInt16(out var si):
                        value = Value.FromSmallInt(si);
                        return true;
                    case SqlTypeKind.Real when reader.TryGetSingle(out var f) && float.IsFinite(f):
                        value = Value.FromReal(f);
                        return true;
                    case SqlTypeKind.BigInt when reader.TryGetInt64(out var l):
                        value = Value.FromBigInt(l);
                        return true;
                    case SqlTypeKind.Numeric when reader.TryGetDecimal(out var m):
                        value = Value.FromNumeric(m);
                        return true;
                    case SqlTypeKind.Double when reader.TryGetDouble(out var d):
                        value = Value.FromDouble(d);
                        return true;
                    case SqlTypeKind.Timestamp when reader.TryGetInt64(out var millis) && TextValues.TryTimestampFromMillis(millis, out var micros):
                        value = Value.FromTimestamp(micros);
                        return true;
                    case SqlTypeKind.TimestampTz when reader.TryGetInt64(out var tzMillis) && TextValues.TryTimestampFromMillis(tzMillis, out var tzMicros):
                        value = Value.FromTimestampTz(tzMicros);
                        return true;
                    case SqlTypeKind.Time when reader.TryGetInt64(out var timeMillis) && timeMillis is >= 0 and <= 86_400_000:
                        value = Value.FromTime(timeMillis * 1000);
                        return true;
                    case SqlTypeKind.Date when reader.TryGetInt32(out var days):
                        value = Value.FromDate(days);
                        return true;
                    case SqlTypeKind.Varchar:
                        value = Value.FromString(Encoding.UTF8.GetString(reader.ValueSpan));
                        return true;
                    default:
                        return false;
                }

            default:
                return false;
        }
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
                    case SqlTypeKind.Timestamp when element.TryGetInt64(out var millis) && TextValues.TryTimestampFromMillis(millis, out var micros):
                        value = Value.FromTimestamp(micros);
                        return true;
                    case SqlTypeKind.TimestampTz when element.TryGetInt64(out var tzMillis) && TextValues.TryTimestampFromMillis(tzMillis, out var tzMicros):
                        value = Value.FromTimestampTz(tzMicros);
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
