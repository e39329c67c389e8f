namespace StreamSql.Runtime.Rows;

/// <summary>What a <see cref="Value"/> holds; mirrors the SQL type so values print without their schema.</summary>
public enum ValueKind : byte
{
    Null,
    Boolean,
    Int,
    BigInt,
    Double,
    Numeric,
    String,
    Timestamp,
    TimestampTz,
    Date,
    Interval,
    SmallInt,

    /// <summary>float4, held as the exactly widened double.</summary>
    Real,

    /// <summary>time without time zone: microseconds since midnight.</summary>
    Time,

    /// <summary>bytea: a byte[] by reference.</summary>
    Bytes,

    /// <summary>A one-dimensional array (1-based in SQL): a Value[] by reference.</summary>
    Array,

    /// <summary>A MAP: a <see cref="MapValue"/> by reference.</summary>
    Map,

    /// <summary>A STRUCT: a <see cref="StructValue"/> by reference.</summary>
    Struct,
}
