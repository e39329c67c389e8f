using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>
/// information_schema.schemata, tables and columns with PostgreSQL 15's column names, in its order: streams and tables
/// are BASE TABLEs in schema public. PostgreSQL's domains map to our types: sql_identifier and character_data to
/// varchar, cardinal_number to integer, yes_or_no to varchar ('YES'/'NO'). Pseudocolumns are left out, as in pg_attribute.
/// </summary>
internal static class InformationSchema
{
    private static readonly SqlType Identifier = SqlType.Varchar;
    private static readonly SqlType Text = SqlType.Varchar;
    private static readonly SqlType Number = SqlType.Int;

    private static readonly IReadOnlyList<ColumnSchema> SchemataColumns =
    [
        new("catalog_name", Identifier), new("schema_name", Identifier), new("schema_owner", Identifier),
        new("default_character_set_catalog", Identifier), new("default_character_set_schema", Identifier),
        new("default_character_set_name", Identifier), new("sql_path", Text),
    ];

    private static readonly IReadOnlyList<ColumnSchema> TablesColumns =
    [
        new("table_catalog", Identifier), new("table_schema", Identifier), new("table_name", Identifier), new("table_type", Text),
        new("self_referencing_column_name", Identifier), new("reference_generation", Text), new("user_defined_type_catalog", Identifier),
        new("user_defined_type_schema", Identifier), new("user_defined_type_name", Identifier), new("is_insertable_into", Text),
        new("is_typed", Text), new("commit_action", Text),
    ];

    private static readonly IReadOnlyList<ColumnSchema> ColumnsColumns =
    [
        new("table_catalog", Identifier), new("table_schema", Identifier), new("table_name", Identifier), new("column_name", Identifier),
        new("ordinal_position", Number), new("column_default", Text), new("is_nullable", Text), new("data_type", Text),
        new("character_maximum_length", Number), new("character_octet_length", Number), new("numeric_precision", Number),
        new("numeric_precision_radix", Number), new("numeric_scale", Number), new("datetime_precision", Number),
        new("interval_type", Text), new("interval_precision", Number), new("character_set_catalog", Identifier),
        new("character_set_schema", Identifier), new("character_set_name", Identifier), new("collation_catalog", Identifier),
        new("collation_schema", Identifier), new("collation_name", Identifier), new("domain_catalog", Identifier),
        new("domain_schema", Identifier), new("domain_name", Identifier), new("udt_catalog", Identifier), new("udt_schema", Identifier),
        new("udt_name", Identifier), new("scope_catalog", Identifier), new("scope_schema", Identifier), new("scope_name", Identifier),
        new("maximum_cardinality", Number), new("dtd_identifier", Identifier), new("is_self_referencing", Text), new("is_identity", Text),
        new("identity_generation", Text), new("identity_start", Text), new("identity_increment", Text), new("identity_maximum", Text),
        new("identity_minimum", Text), new("identity_cycle", Text), new("is_generated", Text), new("generation_expression", Text),
        new("is_updatable", Text),
    ];

    public static SystemRelation? Find(string name, CatalogStore catalog, string database) => name switch
    {
        "schemata" => new SystemRelation(SchemataColumns,
            new[] { "information_schema", "pg_catalog", "public" }
                .Select(s => new object?[] { database, s, "streamsql", null, null, null, null }).ToList()),
        "tables" => new SystemRelation(TablesColumns, PgCatalogRelations.Relations(catalog)
            .Select(s => new object?[] { database, "public", s.Name, "BASE TABLE", null, null, null, null, null, s.SourceQueryId is null ? "YES" : "NO", "NO", null })
            .ToList()),
        "columns" => new SystemRelation(ColumnsColumns, PgCatalogRelations.Relations(catalog)
            .SelectMany(s => s.Columns.Select((c, i) => ColumnRow(database, s, c, i + 1)))
            .ToList()),
        _ => null,
    };

    /// <summary>information_schema's data_type: ARRAY for arrays (udt_name names the array type), json for maps and structs.</summary>
    private static string DataType(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Array => "ARRAY",
        SqlTypeKind.Map or SqlTypeKind.Struct => "json",
        _ => type.DisplayName,
    };

    private static object?[] ColumnRow(string database, StreamDefinition stream, ColumnSchema column, int position)
    {
        var (precision, radix, scale, datetime, octets) = column.Type.Kind switch
        {
            SqlTypeKind.SmallInt => (16, 2, 0, (int?)null, (int?)null),
            SqlTypeKind.Int => (32, 2, 0, null, null),
            SqlTypeKind.BigInt => (64, 2, 0, null, null),
            SqlTypeKind.Real => (24, 2, (int?)null, null, null),
            SqlTypeKind.Double => (53, 2, null, null, null),
            SqlTypeKind.Numeric => ((int?)null, 10, null, null, null),
            SqlTypeKind.Varchar => (null, null, null, null, 1073741824),
            SqlTypeKind.Date => (null, null, null, 0, null),
            SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Time or SqlTypeKind.Interval => (null, null, null, 6, null),
            _ => ((int?)null, (int?)null, (int?)null, (int?)null, (int?)null),
        };

        return
        [
            database, "public", stream.Name, column.Name, position, null, PgCatalogRelations.IsNotNull(stream, column) ? "NO" : "YES", DataType(column.Type),
            null, octets, precision, radix, scale, datetime, null, null, null, null, null, null, null, null, null, null, null,
            database, "pg_catalog", PgCatalogRelations.TypeName(column.Type), null, null, null, null, position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "NO", "NO", null, null, null, null, null, "NO", "NEVER", null, "NO",
        ];
    }
}
