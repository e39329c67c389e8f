using System.Buffers;
using System.Text.Json;

namespace StreamSql.Runtime.Formats;

/// <summary>
/// One <see cref="Utf8JsonWriter"/> and its buffer per thread, reset for each use: encoding a record's value or key then
/// allocates only the resulting byte array. A use must finish (take its bytes) before the next one starts on the thread.
/// </summary>
internal static class PooledJsonWriter
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The thread's writer, emptied, writing into <paramref name="buffer"/> (read it after flushing the writer).</summary>
    public static Utf8JsonWriter Rent(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>Flushes the writer and copies what it wrote.</summary>
    public static byte[] ToArray(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
