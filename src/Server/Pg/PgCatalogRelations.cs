using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>
/// A read-only pg_catalog built from our catalog when a query binds: pg_namespace, pg_class, pg_attribute, pg_type,
/// pg_database, pg_am, pg_proc (the function registry, in pg_catalog), pg_range and pg_enum (empty), with the columns clients read most; information_schema through InformationSchema. Streams and tables show as tables (relkind 'r') in schema public,
/// their columns with the PostgreSQL types we send them as. OIDs of streams are derived from their names, so they stay
/// the same while a stream exists. Pseudocolumns (ROWTIME, ...) are left out, as PostgreSQL leaves out system columns.
/// </summary>
public sealed class PgCatalogRelations : ISystemRelations
{
    public const int PgCatalogNamespaceOid = 11;
    public const int PublicNamespaceOid = 2200;
    public const int InformationSchemaNamespaceOid = 13000;
    public const int OwnerOid = 10;
    public const int DatabaseOid = 16384;
    public const int HeapAccessMethodOid = 2;

    private static readonly SqlType Oid = SqlType.Int;
    private static readonly SqlType Name = SqlType.Varchar;

    private static readonly IReadOnlyList<ColumnSchema> NamespaceColumns =
        [new("oid", Oid), new("nspname", Name), new("nspowner", Oid)];

    private static readonly IReadOnlyList<ColumnSchema> ClassColumns =
    [
        new("oid", Oid), new("relname", Name), new("relnamespace", Oid), new("relkind", Name), new("relowner", Oid),
        new("relnatts", Oid), new("relhasindex", SqlType.Boolean), new("relpersistence", Name), new("relispartition", SqlType.Boolean),
        new("relam", Oid),
    ];

    private static readonly IReadOnlyList<ColumnSchema> ProcColumns =
        [new("oid", Oid), new("proname", Name), new("pronamespace", Oid), new("prokind", Name), new("proretset", SqlType.Boolean), new("proowner", Oid)];

    private static readonly IReadOnlyList<ColumnSchema> AccessMethodColumns = [new("oid", Oid), new("amname", Name), new("amtype", Name)];

    private static readonly IReadOnlyList<ColumnSchema> AttributeColumns =
    [
        new("attrelid", Oid), new("attname", Name), new("atttypid", Oid), new("attnum", Oid), new("atttypmod", Oid),
        new("attnotnull", SqlType.Boolean), new("attisdropped", SqlType.Boolean), new("atthasdef", SqlType.Boolean),
    ];

    private static readonly IReadOnlyList<ColumnSchema> TypeColumns =
    [
        new("oid", Oid), new("typname", Name), new("typnamespace", Oid), new("typlen", Oid), new("typtype", Name), new("typcategory", Name),
        new("typrelid", Oid), new("typelem", Oid), new("typarray", Oid), new("typreceive", Oid), new("typnotnull", SqlType.Boolean),
        new("typbasetype", Oid), new("typtypmod", Oid), new("typcollation", Oid),
    ];

    private static readonly IReadOnlyList<ColumnSchema> RangeColumns =
        [new("rngtypid", Oid), new("rngsubtype", Oid), new("rngmultitypid", Oid), new("rngcollation", Oid)];

    private static readonly IReadOnlyList<ColumnSchema> EnumColumns =
        [new("oid", Oid), new("enumtypid", Oid), new("enumsortorder", SqlType.Real), new("enumlabel", Name)];

    private static readonly IReadOnlyList<ColumnSchema> DatabaseColumns =
        [
            new("oid", Oid), new("datname", Name), new("datdba", Oid), new("encoding", Oid), new("datlocprovider", Name), new("datistemplate", SqlType.Boolean),
            new("datallowconn", SqlType.Boolean), new("datcollate", Name), new("datctype", Name), new("daticulocale", Name), new("datacl", Name),
        ];

    /// <summary>The types our columns are sent as (PgTypes.Oid), by PostgreSQL name, plus text and the others a client may look up.</summary>
    private static readonly (int Oid, string Name, int Length, string Category)[] Types =
    [
        (PgTypes.BoolOid, "bool", 1, "B"), (PgTypes.Int8Oid, "int8", 8, "N"), (PgTypes.Int2Oid, "int2", 2, "N"), (PgTypes.Int4Oid, "int4", 4, "N"),
        (PgTypes.TextOid, "text", -1, "S"), (PgTypes.Float4Oid, "float4", 4, "N"), (PgTypes.Float8Oid, "float8", 8, "N"), (PgTypes.VarcharOid, "varchar", -1, "S"),
        (PgTypes.DateOid, "date", 4, "D"), (PgTypes.TimestampOid, "timestamp", 8, "D"), (PgTypes.TimestampTzOid, "timestamptz", 8, "D"),
        (PgTypes.IntervalOid, "interval", 16, "T"), (PgTypes.NumericOid, "numeric", -1, "N"), (PgTypes.TimeOid, "time", 8, "D"), (PgTypes.ByteaOid, "bytea", -1, "U"),
    ];

    /// <summary>PostgreSQL's default collation, which text types carry (pg_type.typcollation).</summary>
    private const int DefaultCollationOid = 100;

    private readonly string _database;

    public PgCatalogRelations(string database) => _database = database;

    public SystemRelation? Find(string? schema, string name, CatalogStore catalog)
    {
        if (schema == "information_schema")
        {
            return InformationSchema.Find(name, catalog, _database);
        }

        if (schema is not (null or "pg_catalog"))
        {
            return null;
        }

        return name switch
        {
            "pg_namespace" => new SystemRelation(NamespaceColumns,
            [
                [PgCatalogNamespaceOid, "pg_catalog", OwnerOid],
                [PublicNamespaceOid, "public", OwnerOid],
                [InformationSchemaNamespaceOid, "information_schema", OwnerOid],
            ]),
            "pg_class" => new SystemRelation(ClassColumns, Relations(catalog)
                .Select(s => new object?[] { RelationOid(s.Name), s.Name, PublicNamespaceOid, "r", OwnerOid, s.Columns.Count, false, "p", false, HeapAccessMethodOid })
                .ToList()),
            "pg_attribute" => new SystemRelation(AttributeColumns, Relations(catalog)
                .SelectMany(s => s.Columns.Select((c, i) => new object?[] { RelationOid(s.Name), c.Name, PgTypes.Oid(c.Type), i + 1, -1, IsNotNull(s, c), false, false }))
                .ToList()),
            // No array types (typarray 0) and no receive functions in pg_proc (typreceive 0): clients see base types only.
            "pg_type" => new SystemRelation(TypeColumns, Types.Select(t => new object?[]
            {
                t.Oid, t.Name, PgCatalogNamespaceOid, t.Length, "b", t.Category, 0, 0, 0, 0, false, 0, -1, t.Category == "S" ? DefaultCollationOid : 0,
            }).ToList()),
            "pg_range" => new SystemRelation(RangeColumns, []),
            "pg_enum" => new SystemRelation(EnumColumns, []),
            "pg_proc" => new SystemRelation(ProcColumns, Runtime.Expressions.CatalogProcedures.All
                .Select(p => new object?[] { p.Oid, p.Name, PgCatalogNamespaceOid, p.Kind, false, OwnerOid }).ToList()),
            "pg_am" => new SystemRelation(AccessMethodColumns, [[HeapAccessMethodOid, "heap", "t"]]),
            "pg_database" => new SystemRelation(DatabaseColumns, [[DatabaseOid, _database, OwnerOid, Runtime.Expressions.CatalogFunctions.Utf8Encoding, "c", false, true, "C", "C", null, null]]),
            _ => null,
        };
    }

    /// <summary>Streams and tables, in name order; views and connectors are not relations a client can read here.</summary>
    internal static IEnumerable<StreamDefinition> Relations(CatalogStore catalog) =>
        catalog.Streams().Where(s => s.Kind is RelationKind.Stream or RelationKind.Table).OrderBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>A table's primary key is NOT NULL; every other column (a stream's key included) may be null.</summary>
    internal static bool IsNotNull(StreamDefinition relation, ColumnSchema column) => column.IsKey && relation.Kind == RelationKind.Table;

    /// <summary>The pg_type name a column is sent as.</summary>
    internal static string TypeName(SqlType type)
    {
        var oid = PgTypes.Oid(type);
        return Types.First(t => t.Oid == oid).Name;
    }

    /// <summary>A stable OID from the name (FNV-1a), above PostgreSQL's first user OID (16384) and the database's.</summary>
    public static int RelationOid(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return 16385 + (int)(hash % 1_000_000_000u);
    }
}
