namespace StreamSql.Planner.Types;

/// <summary>The scalar types the engine can store and compute with.</summary>
public enum SqlTypeKind
{
    /// <summary>The type of a bare NULL or an untyped string literal before coercion (PostgreSQL's "unknown").</summary>
    Unknown,
    Boolean,
    Int,
    BigInt,
    Numeric,
    Double,
    Varchar,
    Timestamp,
    TimestampTz,
    Date,
    Interval,

    /// <summary>int2: two-byte integer.</summary>
    SmallInt,

    /// <summary>float4: single-precision float.</summary>
    Real,

    /// <summary>time without time zone: microseconds since midnight.</summary>
    Time,

    /// <summary>bytea (ksqlDB's BYTES): a byte string.</summary>
    Bytea,

    /// <summary>A one-dimensional array of <see cref="SqlType.Element"/> (PostgreSQL's T[], ksqlDB's ARRAY&lt;T&gt;).</summary>
    Array,

    /// <summary>ksqlDB's MAP&lt;K,V&gt;: keys of <see cref="SqlType.Key"/> (text) to values of <see cref="SqlType.Element"/>.</summary>
    Map,

    /// <summary>ksqlDB's STRUCT&lt;f1 T1, ...&gt;: named fields, see <see cref="SqlType.Fields"/>.</summary>
    Struct,
}
