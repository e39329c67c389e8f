using System.Buffers;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Formats;

/// <summary>
/// The value of an internal topic's record (<see cref="Planner.Catalog.SourceFormat.Internal"/>): a marker byte, then the
/// value columns in the state store's row format (<see cref="ValueCodec"/>), which keeps every value as it was (type,
/// numeric scale, interval fields) without a round trip through text. Records that earlier versions wrote to internal
/// topics as JSON (they start with '{', never with the marker) still decode.
/// </summary>
public sealed class InternalValueFormat : IValueFormat
{
    // Not a byte JSON text can start with (UTF-8 lead bytes of a value are '{', '[', '"', digits, letters, whitespace).
    private const byte Marker = 0xB1;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    private readonly FormatColumn[] _columns;
    private readonly JsonValueFormat _earlierJson;

    public InternalValueFormat(IReadOnlyList<FormatColumn> columns)
    {
        _columns = [.. columns];
        _earlierJson = new JsonValueFormat(columns);
    }

    public byte[]? Serialize(Value[] row)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        buffer.GetSpan(1)[0] = Marker;
        buffer.Advance(1);
        buffer.WriteLength(_columns.Length);
        foreach (var column in _columns)
        {
            ValueCodec.Write(buffer, row[column.RowIndex]);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        if (bytes.IsEmpty || bytes[0] != Marker)
        {
            return _earlierJson.TryDeserialize(bytes, row, out error);
        }

        try
        {
            var reader = new StateReader(bytes[1..]);
            var count = reader.ReadLength();
            if (count != _columns.Length)
            {
                error = $"internal record has {count} columns, expected {_columns.Length}";
                return false;
            }

            foreach (var column in _columns)
            {
                row[column.RowIndex] = ValueCodec.Read(ref reader);
            }

            error = reader.End ? null : "internal record has trailing bytes";
            return error is null;
        }
        catch (InvalidDataException e)
        {
            // Only a damaged record gets here: the engine wrote every record of this topic.
            error = "internal record is damaged: " + e.Message;
            return false;
        }
    }
}
