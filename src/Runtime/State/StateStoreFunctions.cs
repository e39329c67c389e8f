using FASTER.core;

namespace StreamSql.Runtime.State;

/// <summary>
/// FASTER callbacks of a state store: SpanByteFunctions' reads and upserts, and read-modify-writes whose input is the new
/// value (a put that learns on the way whether the key was there, where an upsert would need a read first).
/// </summary>
internal sealed class StateStoreFunctions : SpanByteFunctions<Empty>
{
    /// <summary>Set when a read-modify-write found no live value and created the record (the session is used under one lock).</summary>
    public bool Created { get; set; }

    public override bool InitialUpdater(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref SpanByteAndMemory output, ref RMWInfo rmwInfo)
    {
        Created = true;
        return base.InitialUpdater(ref key, ref input, ref value, ref output, ref rmwInfo);
    }

    /// <summary>
    /// The base copies the old value into the new record; here the new record takes the input. FASTER sized it for the
    /// larger of the two: the rest is given back (and zeroed, for log scans) as an in-place update gives it back.
    /// </summary>
    public override bool CopyUpdater(ref SpanByte key, ref SpanByte input, ref SpanByte oldValue, ref SpanByte newValue, ref SpanByteAndMemory output, ref RMWInfo rmwInfo)
    {
        newValue.ShrinkSerializedLength(input.Length);
        input.CopyTo(ref newValue);
        return true;
    }
}
