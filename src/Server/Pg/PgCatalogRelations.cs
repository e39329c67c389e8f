using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>
/// A read-only pg_catalog built from our catalog when a query binds: pg_namespace, pg_class, pg_attribute, pg_type,
/// pg_database, pg_am and pg_proc (the function registry, in pg_catalog), with the columns clients read most. Streams and tables show as tables (relkind 'r') in schema public,
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
        [new("oid", Oid), new("typname", Name), new("typnamespace", Oid), new("typlen", Oid), new("typtype", Name)];

    private static readonly IReadOnlyList<ColumnSchema> DatabaseColumns =
        [new("oid", Oid), new("datname", Name), new("datdba", Oid), new("encoding", Oid), new("datcollate", Name), new("datctype", Name)];

    /// <summary>The types our columns are sent as (PgTypes.Oid), by PostgreSQL name, plus text and the others a client may look up.</summary>
    private static readonly (int Oid, string Name, int Length)[] Types =
    [
        (PgTypes.BoolOid, "bool", 1), (PgTypes.Int8Oid, "int8", 8), (PgTypes.Int2Oid, "int2", 2), (PgTypes.Int4Oid, "int4", 4),
        (PgTypes.TextOid, "text", -1), (PgTypes.Float4Oid, "float4", 4), (PgTypes.Float8Oid, "float8", 8), (PgTypes.VarcharOid, "varchar", -1),
        (PgTypes.DateOid, "date", 4), (PgTypes.TimestampOid, "timestamp", 8), (PgTypes.TimestampTzOid, "timestamptz", 8),
        (PgTypes.IntervalOid, "interval", 16), (PgTypes.NumericOid, "numeric", -1), (PgTypes.TimeOid, "time", 8), (PgTypes.ByteaOid, "bytea", -1),
    ];

    private readonly string _database;

    public PgCatalogRelations(string database) => _database = database;

    public SystemRelation? Find(string? schema, string name, CatalogStore catalog)
    {
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
                .SelectMany(s => s.Columns.Select((c, i) => new object?[] { RelationOid(s.Name), c.Name, PgTypes.Oid(c.Type), i + 1, -1, false, false, false }))
                .ToList()),
            "pg_type" => new SystemRelation(TypeColumns, Types.Select(t => new object?[] { t.Oid, t.Name, PgCatalogNamespaceOid, t.Length, "b" }).ToList()),
            "pg_proc" => new SystemRelation(ProcColumns, Runtime.Expressions.CatalogProcedures.All
                .Select(p => new object?[] { p.Oid, p.Name, PgCatalogNamespaceOid, p.Kind, false, OwnerOid }).ToList()),
            "pg_am" => new SystemRelation(AccessMethodColumns, [[HeapAccessMethodOid, "heap", "t"]]),
            "pg_database" => new SystemRelation(DatabaseColumns, [[DatabaseOid, _database, OwnerOid, 6, "C", "C"]]),
            _ => null,
        };
    }

    /// <summary>Streams and tables, in name order; views and connectors are not relations a client can read here.</summary>
    private static IEnumerable<StreamDefinition> Relations(CatalogStore catalog) =>
        catalog.Streams().Where(s => s.Kind is RelationKind.Stream or RelationKind.Table).OrderBy(s => s.Name, StringComparer.Ordinal);

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
