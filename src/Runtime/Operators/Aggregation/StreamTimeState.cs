using System.Buffers.Binary;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// A windowed operator's stream time, kept in its state store beside the groups so a restored checkpoint knows which
/// windows had closed. The key cannot be a group key: it starts with a length no encoded key can have.
/// </summary>
internal static class StreamTimeState
{
    private static readonly byte[] Key = [0xFF, 0xFF, 0xFF, 0xFF, 0x7F, (byte)'t'];

    public static bool IsKey(ReadOnlySpan<byte> key) => key.SequenceEqual(Key);

    public static long Load(IStateStore store, long fallback) =>
        store.TryGet(Key, out var value) && value!.Length == 8 ? Math.Max(fallback, BinaryPrimitives.ReadInt64LittleEndian(value)) : fallback;

    public static void Save(IStateStore store, long streamTime)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, streamTime);
        store.Put(Key, bytes);
    }
}
