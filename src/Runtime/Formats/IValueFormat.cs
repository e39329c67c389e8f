using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>Serializes the value columns of a row to record value bytes and back.</summary>
public interface IValueFormat
{
    byte[]? Serialize(Value[] row);

    /// <summary>Fills the value columns of row; returns false with a reason for a record that does not match the schema.</summary>
    bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error);
}
