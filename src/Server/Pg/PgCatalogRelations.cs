using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>
/// A read-only pg_catalog built from our catalog when a query binds: pg_namespace, pg_class, pg_attribute, pg_type,
/// pg_database, pg_am, pg_proc (the function registry, in pg_catalog), pg_range and pg_enum (empty), with the columns clients read most; information_schema through InformationSchema. Streams and tables show as tables (relkind 'r'), materialized views as relkind 'm', in schema public,
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

    private static readonly SqlType Bool = SqlType.Boolean;

    /// <summary>Arrays (text[], oid[], aclitem[], ...) and expression trees (pg_node_tree) are carried as text, PostgreSQL's text form.</summary>
    private static readonly SqlType Text = SqlType.Varchar;

    private static readonly IReadOnlyList<ColumnSchema> ClassColumns =
    [
        new("oid", Oid), new("relname", Name), new("relnamespace", Oid), new("relkind", Name), new("relowner", Oid),
        new("relnatts", Oid), new("relhasindex", Bool), new("relpersistence", Name), new("relispartition", Bool),
        new("relam", Oid), new("relchecks", Oid), new("relhasrules", Bool), new("relhastriggers", Bool), new("relrowsecurity", Bool),
        new("relforcerowsecurity", Bool), new("reltablespace", Oid), new("reloftype", Oid), new("relreplident", Name),
        new("reltoastrelid", Oid), new("reloptions", Text), new("relpartbound", Text),
    ];

    private static readonly IReadOnlyList<ColumnSchema> ProcColumns =
    [
        new("oid", Oid), new("proname", Name), new("pronamespace", Oid), new("prokind", Name), new("proretset", Bool), new("proowner", Oid),
        new("provolatile", Name), new("proparallel", Name), new("prosecdef", Bool), new("proacl", Text), new("prolang", Oid), new("prosrc", Text),
    ];

    private static readonly IReadOnlyList<ColumnSchema> LanguageColumns = [new("oid", Oid), new("lanname", Name), new("lanowner", Oid)];

    private static readonly IReadOnlyList<ColumnSchema> RolesColumns =
        [new("oid", Oid), new("rolname", Name), new("rolsuper", Bool), new("rolinherit", Bool), new("rolcreaterole", Bool), new("rolcreatedb", Bool), new("rolcanlogin", Bool)];

    /// <summary>Catalogs of things we do not have (defaults, policies, publications, inheritance, indexes, ...): no rows, the columns psql reads.</summary>
    private static readonly Dictionary<string, IReadOnlyList<ColumnSchema>> EmptyRelations = new(StringComparer.Ordinal)
    {
        ["pg_attrdef"] = [new("oid", Oid), new("adrelid", Oid), new("adnum", Oid), new("adbin", Text)],
        ["pg_collation"] = [new("oid", Oid), new("collname", Name), new("collnamespace", Oid), new("collowner", Oid), new("collprovider", Name), new("collcollate", Name), new("collctype", Name)],
        ["pg_policy"] =
        [
            new("oid", Oid), new("polname", Name), new("polrelid", Oid), new("polcmd", Name), new("polpermissive", Bool), new("polroles", Text),
            new("polqual", Text), new("polwithcheck", Text),
        ],
        ["pg_statistic_ext"] =
        [
            new("oid", Oid), new("stxrelid", Oid), new("stxname", Name), new("stxnamespace", Oid), new("stxowner", Oid), new("stxstattarget", Oid),
            new("stxkeys", Text), new("stxkind", Text),
        ],
        ["pg_publication"] =
        [
            new("oid", Oid), new("pubname", Name), new("pubowner", Oid), new("puballtables", Bool), new("pubinsert", Bool), new("pubupdate", Bool),
            new("pubdelete", Bool), new("pubtruncate", Bool), new("pubviaroot", Bool),
        ],
        ["pg_publication_rel"] = [new("oid", Oid), new("prpubid", Oid), new("prrelid", Oid), new("prqual", Text), new("prattrs", Text)],
        ["pg_publication_namespace"] = [new("oid", Oid), new("pnpubid", Oid), new("pnnspid", Oid)],
        ["pg_inherits"] = [new("inhrelid", Oid), new("inhparent", Oid), new("inhseqno", Oid), new("inhdetachpending", Bool)],
        ["pg_index"] =
        [
            new("indexrelid", Oid), new("indrelid", Oid), new("indnatts", Oid), new("indnkeyatts", Oid), new("indisunique", Bool), new("indisprimary", Bool),
            new("indisclustered", Bool), new("indisvalid", Bool), new("indisreplident", Bool), new("indkey", Text),
        ],
        ["pg_constraint"] =
        [
            new("oid", Oid), new("conname", Name), new("connamespace", Oid), new("contype", Name), new("condeferrable", Bool), new("condeferred", Bool),
            new("convalidated", Bool), new("conrelid", Oid), new("conindid", Oid), new("confrelid", Oid), new("conkey", Text),
        ],
        ["pg_trigger"] = [new("oid", Oid), new("tgrelid", Oid), new("tgname", Name), new("tgfoid", Oid), new("tgenabled", Name), new("tgisinternal", Bool)],
        ["pg_rewrite"] = [new("oid", Oid), new("rulename", Name), new("ev_class", Oid), new("ev_type", Name), new("is_instead", Bool)],
        ["pg_description"] = [new("objoid", Oid), new("classoid", Oid), new("objsubid", Oid), new("description", Text)],
    };

    /// <summary>PostgreSQL's OID of the language "internal", which all our functions are written in.</summary>
    private const int InternalLanguageOid = 12;

    private static readonly IReadOnlyList<ColumnSchema> AccessMethodColumns = [new("oid", Oid), new("amname", Name), new("amtype", Name)];

    private static readonly IReadOnlyList<ColumnSchema> AttributeColumns =
    [
        new("attrelid", Oid), new("attname", Name), new("atttypid", Oid), new("attnum", Oid), new("atttypmod", Oid),
        new("attnotnull", SqlType.Boolean), new("attisdropped", SqlType.Boolean), new("atthasdef", SqlType.Boolean),
        new("attcollation", Oid), new("attidentity", Name), new("attgenerated", Name), new("attstorage", Name), new("attcompression", Name),
        new("attstattarget", Oid), new("attlen", Oid),
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
                .Select(s => new object?[]
                {
                    RelationOid(s.Name), s.Name, PublicNamespaceOid, s.Kind == RelationKind.MaterializedView ? "m" : "r", OwnerOid, s.Columns.Count, false, "p", false, HeapAccessMethodOid,
                    0, false, false, false, false, 0, 0, "d", 0, null, null,
                })
                .ToList()),
            "pg_attribute" => new SystemRelation(AttributeColumns, Relations(catalog)
                .SelectMany(s => s.Columns.Select((c, i) => AttributeRow(s, c, i + 1)))
                .ToList()),
            // No array types (typarray 0) and no receive functions in pg_proc (typreceive 0): clients see base types only.
            "pg_type" => new SystemRelation(TypeColumns, Types.Select(t => new object?[]
            {
                t.Oid, t.Name, PgCatalogNamespaceOid, t.Length, "b", t.Category, 0, 0, 0, 0, false, 0, -1, t.Category == "S" ? DefaultCollationOid : 0,
            }).ToList()),
            "pg_range" => new SystemRelation(RangeColumns, []),
            "pg_enum" => new SystemRelation(EnumColumns, []),
            "pg_proc" => new SystemRelation(ProcColumns, Runtime.Expressions.CatalogProcedures.All
                .Select(p => new object?[]
                {
                    p.Oid, p.Name, PgCatalogNamespaceOid, p.Kind, false, OwnerOid, Runtime.Expressions.CatalogProcedures.Volatility(p.Name), "s", false, null, InternalLanguageOid, p.Name,
                }).ToList()),
            "pg_language" => new SystemRelation(LanguageColumns, [[InternalLanguageOid, "internal", OwnerOid]]),
            "pg_roles" => new SystemRelation(RolesColumns, [[OwnerOid, "streamsql", true, true, true, true, true]]),
            _ when EmptyRelations.TryGetValue(name, out var columns) => new SystemRelation(columns, []),
            "pg_am" => new SystemRelation(AccessMethodColumns, [[HeapAccessMethodOid, "heap", "t"]]),
            "pg_database" => new SystemRelation(DatabaseColumns, [[DatabaseOid, _database, OwnerOid, Runtime.Expressions.CatalogFunctions.Utf8Encoding, "c", false, true, "C", "C", null, null]]),
            _ => null,
        };
    }

    /// <summary>
    /// A column as pg_attribute shows it: its type's OID, no type modifier, NOT NULL for a table's key, the default collation
    /// for text, storage 'x' (extended) for variable-length types and 'p' (plain) for the others, as PostgreSQL's types have.
    /// </summary>
    private static object?[] AttributeRow(StreamDefinition relation, ColumnSchema column, int number)
    {
        var type = PgTypes.Oid(column.Type);
        // Arrays, maps and structs (sent as json) are variable-length.
        var length = Types.FirstOrDefault(t => t.Oid == type) is { Name: not null } known ? known.Length : -1;
        return
        [
            RelationOid(relation.Name), column.Name, type, number, TypeModifier(column.Type), IsNotNull(relation, column), false, false,
            column.Type.Kind == SqlTypeKind.Varchar ? DefaultCollationOid : 0, "", "", column.Type.Kind == SqlTypeKind.Numeric ? "m" : length < 0 ? "x" : "p", "", -1, length,
        ];
    }

    /// <summary>atttypmod: numeric(p,s) is ((p &lt;&lt; 16) | s) + 4, as PostgreSQL stores it; -1 (none) for every other type.</summary>
    private static int TypeModifier(SqlType type) =>
        type is { Kind: SqlTypeKind.Numeric, Precision: { } precision } ? ((precision << 16) | (type.NumericScale ?? 0)) + 4 : -1;

    /// <summary>Streams and tables, in name order; views and connectors are not relations a client can read here.</summary>
    internal static IEnumerable<StreamDefinition> Relations(CatalogStore catalog) =>
        catalog.Streams().Where(s => s.Kind is RelationKind.Stream or RelationKind.Table or RelationKind.MaterializedView).OrderBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>A table's primary key is NOT NULL; every other column (a stream's key included) may be null.</summary>
    internal static bool IsNotNull(StreamDefinition relation, ColumnSchema column) =>
        relation.Kind != RelationKind.Stream && (column.IsKey || relation.PrimaryKey.Contains(column.Name));

    /// <summary>The pg_type name a column is sent as.</summary>
    internal static string TypeName(SqlType type)
    {
        if (type.Kind == SqlTypeKind.Array)
        {
            // _int4, _text: PostgreSQL's names of array types.
            return type.PgName;
        }

        var oid = PgTypes.Oid(type);
        return oid == PgTypes.JsonOid ? "json" : Types.First(t => t.Oid == oid).Name;
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
