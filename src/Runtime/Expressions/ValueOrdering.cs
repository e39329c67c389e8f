using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Orders two non-NULL values of one SQL type the way PostgreSQL's comparison operators do.</summary>
public static class ValueOrdering
{
    public static int Compare(Value a, Value b, SqlTypeKind type) => type switch
    {
        SqlTypeKind.Double or SqlTypeKind.Real => ValueOps.CompareDouble(a, b),
        SqlTypeKind.Numeric => ValueOps.CompareNumeric(a, b),
        SqlTypeKind.Varchar or SqlTypeKind.Unknown => ValueOps.CompareString(a, b),
        SqlTypeKind.Boolean => ValueOps.CompareBoolean(a, b),
        SqlTypeKind.Interval => DateTimeOps.CompareInterval(a, b),
        SqlTypeKind.Bytea => ValueOps.CompareBytes(a, b),
        SqlTypeKind.Array => ValueOps.CompareArray(a, b),
        _ => ValueOps.CompareLong(a, b),
    };
}
