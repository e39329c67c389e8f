using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>Serializes the single key column: KAFKA (Kafka's primitive serdes, big-endian), JSON, or DELIMITED text.</summary>
public sealed class KeyFormat
{
    private readonly SourceFormat _format;
    private readonly SqlType _type;

    public KeyFormat(SourceFormat format, SqlType type)
    {
        _format = format;
        _type = type;
    }

    public byte[]? Serialize(Value key)
    {
        if (key.IsNull)
        {
            return null;
        }

        switch (_format)
        {
            case SourceFormat.Json:
                var writer = PooledJsonWriter.Rent(out var buffer);
                JsonValueFormat.WriteValue(writer, key);
                return PooledJsonWriter.ToArray(writer, buffer);
            case SourceFormat.Delimited:
                return Encoding.UTF8.GetBytes(ValueParsing.ToText(key)!);
        }

        switch (_type.Kind)
        {
            case SqlTypeKind.Bytea:
                // Kafka's BytesSerializer: the bytes themselves.
                return key.AsBytes.ToArray();
            case SqlTypeKind.SmallInt:
                var si = new byte[2];
                BinaryPrimitives.WriteInt16BigEndian(si, (short)key.AsLong);
                return si;
            case SqlTypeKind.Real:
                var f = new byte[4];
                BinaryPrimitives.WriteSingleBigEndian(f, key.AsReal);
                return f;
            case SqlTypeKind.Int:
                var i = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(i, key.AsInt);
                return i;
            case SqlTypeKind.BigInt:
                var l = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(l, key.AsLong);
                return l;
            case SqlTypeKind.Timestamp:
                var t = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(t, TextValues.TimestampToMillis(key.AsLong));
                return t;
            case SqlTypeKind.Double:
                var d = new byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(d, key.AsDouble);
                return d;
            case SqlTypeKind.Boolean:
                return [(byte)(key.AsBoolean ? 1 : 0)];
            default:
                return Encoding.UTF8.GetBytes(ValueParsing.ToText(key)!);
        }
    }

    public bool TryDeserialize(ReadOnlySpan<byte> bytes, out Value key, out string? error)
    {
        error = null;
        key = Value.Null;
        switch (_format)
        {
            case SourceFormat.Json:
                try
                {
                    using var document = JsonDocument.Parse(bytes.ToArray());
                    if (document.RootElement.ValueKind == JsonValueKind.Null || JsonValueFormat.TryConvert(document.RootElement, _type, out key))
                    {
                        return true;
                    }
                }
                catch (JsonException e)
                {
                    error = "malformed JSON key: " + e.Message;
                    return false;
                }

                error = $"cannot read key as {_type.DisplayName}";
                return false;
            case SourceFormat.Delimited:
                if (ValueParsing.TryFromText(Encoding.UTF8.GetString(bytes), _type, out key))
                {
                    return true;
                }

                error = $"cannot read key as {_type.DisplayName}";
                return false;
        }

        switch (_type.Kind)
        {
            case SqlTypeKind.Bytea:
                key = Value.FromBytes(bytes.ToArray());
                return true;
            case SqlTypeKind.SmallInt when bytes.Length == 2:
                key = Value.FromSmallInt(BinaryPrimitives.ReadInt16BigEndian(bytes));
                return true;
            case SqlTypeKind.Real when bytes.Length == 4:
                key = Value.FromReal(BinaryPrimitives.ReadSingleBigEndian(bytes));
                return true;
            case SqlTypeKind.Int when bytes.Length == 4:
                key = Value.FromInt(BinaryPrimitives.ReadInt32BigEndian(bytes));
                return true;
            case SqlTypeKind.BigInt when bytes.Length == 8:
                key = Value.FromBigInt(BinaryPrimitives.ReadInt64BigEndian(bytes));
                return true;
            case SqlTypeKind.Timestamp when bytes.Length == 8 && TextValues.TryTimestampFromMillis(BinaryPrimitives.ReadInt64BigEndian(bytes), out var micros):
                key = Value.FromTimestamp(micros);
                return true;
            case SqlTypeKind.Double when bytes.Length == 8:
                key = Value.FromDouble(BinaryPrimitives.ReadDoubleBigEndian(bytes));
                return true;
            case SqlTypeKind.Boolean when bytes.Length == 1:
                key = Value.FromBoolean(bytes[0] != 0);
                return true;
            case SqlTypeKind.Varchar:
                key = Value.FromString(Encoding.UTF8.GetString(bytes));
                return true;
            case SqlTypeKind.Date or SqlTypeKind.Time or SqlTypeKind.TimestampTz or SqlTypeKind.Numeric or SqlTypeKind.Interval
                when ValueParsing.TryFromText(Encoding.UTF8.GetString(bytes), _type, out key):
                // Serialize writes these as their text (a table keyed by a DATE, e.g. GROUP BY CAST(ts AS DATE)): read it back.
                return true;
            default:
                error = $"key of {bytes.Length} bytes is not a KAFKA-serialized {_type.DisplayName}";
                return false;
        }
    }
}
