namespace StreamSql.Planner.Types;

/// <summary>A SQL type; one shared instance per kind so types compare by reference or value alike.</summary>
public sealed record SqlType(SqlTypeKind Kind)
{
    public static readonly SqlType Unknown = new(SqlTypeKind.Unknown);
    public static readonly SqlType Boolean = new(SqlTypeKind.Boolean);
    public static readonly SqlType SmallInt = new(SqlTypeKind.SmallInt);
    public static readonly SqlType Int = new(SqlTypeKind.Int);
    public static readonly SqlType BigInt = new(SqlTypeKind.BigInt);
    public static readonly SqlType Real = new(SqlTypeKind.Real);
    public static readonly SqlType Double = new(SqlTypeKind.Double);
    public static readonly SqlType Numeric = new(SqlTypeKind.Numeric);

    /// <summary>NUMERIC(precision, scale) modifiers; null when unconstrained.</summary>
    public int? Precision { get; init; }

    public int? NumericScale { get; init; }
    public static readonly SqlType Varchar = new(SqlTypeKind.Varchar);
    public static readonly SqlType Timestamp = new(SqlTypeKind.Timestamp);
    public static readonly SqlType TimestampTz = new(SqlTypeKind.TimestampTz);
    public static readonly SqlType Date = new(SqlTypeKind.Date);
    public static readonly SqlType Interval = new(SqlTypeKind.Interval);
    public static readonly SqlType Time = new(SqlTypeKind.Time);
    public static readonly SqlType Bytea = new(SqlTypeKind.Bytea);

    /// <summary>The element type of an array type; null for every other kind.</summary>
    public SqlType? Element { get; init; }

    public static SqlType ArrayOf(SqlType element) => new(SqlTypeKind.Array) { Element = element };

    /// <summary>The key type of a map type (its values are <see cref="Element"/>); null for every other kind.</summary>
    public SqlType? Key { get; init; }

    /// <summary>The fields of a struct type, in order; null for every other kind.</summary>
    public StructFields? Fields { get; init; }

    public static SqlType MapOf(SqlType key, SqlType value) => new(SqlTypeKind.Map) { Key = key, Element = value };

    public static SqlType StructOf(IEnumerable<StructField> fields) => new(SqlTypeKind.Struct) { Fields = new StructFields(fields) };

    /// <summary>Maps and structs: carried as values with their own shape, printed as JSON text.</summary>
    public bool IsComposite => Kind is SqlTypeKind.Map or SqlTypeKind.Struct;

    /// <summary>PostgreSQL's anyarray pseudo-type, for listing functions that take any array.</summary>
    public static readonly SqlType AnyArray = ArrayOf(Unknown);

    /// <summary>Any map type, for listing functions that take one (map_keys, map_values, cardinality).</summary>
    public static readonly SqlType AnyMap = MapOf(Varchar, Unknown);

    /// <summary>Date, timestamp and timestamptz: the date/time category, where values widen date → timestamp → timestamptz.</summary>
    public bool IsDateTime => Kind is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    public bool IsNumeric => Kind is SqlTypeKind.SmallInt or SqlTypeKind.Real or SqlTypeKind.Int or SqlTypeKind.BigInt or SqlTypeKind.Numeric or SqlTypeKind.Double;

    public bool IsInteger => Kind is SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt;

    /// <summary>The name PostgreSQL prints for the type (format_type).</summary>
    public string DisplayName => Kind switch
    {
        SqlTypeKind.Unknown => "unknown",
        SqlTypeKind.Boolean => "boolean",
        SqlTypeKind.SmallInt => "smallint",
        SqlTypeKind.Real => "real",
        SqlTypeKind.Int => "integer",
        SqlTypeKind.BigInt => "bigint",
        SqlTypeKind.Double => "double precision",
        SqlTypeKind.Numeric => "numeric",
        SqlTypeKind.Varchar => "character varying",
        SqlTypeKind.Timestamp => "timestamp without time zone",
        SqlTypeKind.TimestampTz => "timestamp with time zone",
        SqlTypeKind.Date => "date",
        SqlTypeKind.Interval => "interval",
        SqlTypeKind.Time => "time without time zone",
        SqlTypeKind.Bytea => "bytea",
        SqlTypeKind.Array => Element!.Kind switch { SqlTypeKind.Unknown => "anyarray", SqlTypeKind.Varchar => "text[]", _ => Element.DisplayName + "[]" },
        SqlTypeKind.Map => Element!.Kind == SqlTypeKind.Unknown ? "anymap" : $"map({InnerName(Key!)}, {InnerName(Element)})",
        SqlTypeKind.Struct => $"struct({string.Join(", ", Fields!.Select(f => f.Name + " " + InnerName(f.Type)))})",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The name used in DESCRIBE and in re-rendered DDL.</summary>
    public string SqlName => Kind switch
    {
        SqlTypeKind.Boolean => "BOOLEAN",
        SqlTypeKind.SmallInt => "SMALLINT",
        SqlTypeKind.Real => "REAL",
        SqlTypeKind.Int => "INT",
        SqlTypeKind.BigInt => "BIGINT",
        SqlTypeKind.Double => "DOUBLE",
        SqlTypeKind.Numeric => Precision is { } p ? $"DECIMAL({p},{NumericScale ?? 0})" : "DECIMAL",
        SqlTypeKind.Varchar => "VARCHAR",
        SqlTypeKind.Timestamp => "TIMESTAMP",
        SqlTypeKind.TimestampTz => "TIMESTAMPTZ",
        SqlTypeKind.Date => "DATE",
        SqlTypeKind.Interval => "INTERVAL",
        SqlTypeKind.Time => "TIME",
        SqlTypeKind.Bytea => "BYTES",
        SqlTypeKind.Array => $"ARRAY<{Element!.SqlName}>",
        SqlTypeKind.Map => $"MAP<{Key!.SqlName}, {Element!.SqlName}>",
        SqlTypeKind.Struct => $"STRUCT<{string.Join(", ", Fields!.Select(f => QuoteField(f.Name) + " " + f.Type.SqlName))}>",
        _ => "UNKNOWN",
    };

    /// <summary>The internal name PostgreSQL uses (typname), e.g. as the column name of a bare cast.</summary>
    public string PgName => Kind switch
    {
        SqlTypeKind.Boolean => "bool",
        SqlTypeKind.SmallInt => "int2",
        SqlTypeKind.Real => "float4",
        SqlTypeKind.Int => "int4",
        SqlTypeKind.BigInt => "int8",
        SqlTypeKind.Double => "float8",
        SqlTypeKind.Numeric => "numeric",
        SqlTypeKind.Varchar => "varchar",
        SqlTypeKind.Timestamp => "timestamp",
        SqlTypeKind.TimestampTz => "timestamptz",
        SqlTypeKind.Date => "date",
        SqlTypeKind.Interval => "interval",
        SqlTypeKind.Time => "time",
        SqlTypeKind.Bytea => "bytea",
        SqlTypeKind.Array => "_" + (Element!.Kind == SqlTypeKind.Varchar ? "text" : Element.PgName),
        SqlTypeKind.Map => "map",
        SqlTypeKind.Struct => "struct",
        _ => "unknown",
    };

    /// <summary>A type inside a map or struct name: text for strings, as in text[].</summary>
    private static string InnerName(SqlType type) => type.Kind == SqlTypeKind.Varchar ? "text" : type.DisplayName;

    /// <summary>A struct field name as re-rendered DDL spells it: bare when it is a plain lower-case identifier, else double-quoted.</summary>
    private static string QuoteField(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : "\"" + name.Replace("\"", "\"\"") + "\"";

    public override string ToString() => DisplayName;
}
