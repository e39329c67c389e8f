using System.Globalization;
using System.Text.RegularExpressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Functions and operators PostgreSQL clients use in catalog queries: regular expression match (~), pg_get_userbyid, pg_table_is_visible.</summary>
public static class CatalogFunctions
{
    /// <summary>The owner of every object: the bootstrap superuser's OID, as in PostgreSQL.</summary>
    public const int OwnerOid = 10;

    /// <summary>s ~ pattern. .NET regular expressions stand in for POSIX ones; they agree on the anchors, classes and alternations psql sends.</summary>
    public static Value Textregexeq(Value s, Value pattern) =>
        s.IsNull || pattern.IsNull ? Value.Null : Value.FromBoolean(Regex.IsMatch(s.AsString, pattern.AsString, RegexOptions.CultureInvariant));

    /// <summary>s ~* pattern: case-insensitive.</summary>
    public static Value Texticregexeq(Value s, Value pattern) =>
        s.IsNull || pattern.IsNull ? Value.Null : Value.FromBoolean(Regex.IsMatch(s.AsString, pattern.AsString, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase));

    /// <summary>The owner's name: every object belongs to the server's bootstrap user, "streamsql".</summary>
    public static Value PgGetUserbyid(Value oid) =>
        oid.IsNull ? Value.Null : Value.FromString(oid.AsLong == OwnerOid ? "streamsql" : $"unknown (OID={oid.AsLong.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>Every relation is visible: there is one schema of user relations, public, and it is on the search path.</summary>
    public static Value PgTableIsVisible(Value oid) => oid.IsNull ? Value.Null : Value.FromBoolean(true);

    /// <summary>Every function is visible: they all live in pg_catalog, which is always searched.</summary>
    public static Value PgFunctionIsVisible(Value oid) => oid.IsNull ? Value.Null : Value.FromBoolean(true);

    /// <summary>A function's result type, by its pg_proc OID (NULL for an unknown OID, as in PostgreSQL).</summary>
    public static Value PgGetFunctionResult(Value oid) =>
        oid.IsNull || CatalogProcedures.Find(oid.AsLong) is not { } procedure ? Value.Null : Value.FromString(procedure.Result);

    /// <summary>A function's argument types, by its pg_proc OID.</summary>
    public static Value PgGetFunctionArguments(Value oid) =>
        oid.IsNull || CatalogProcedures.Find(oid.AsLong) is not { } procedure ? Value.Null : Value.FromString(procedure.Arguments);

    /// <summary>PostgreSQL's number for the UTF8 encoding, the only one we speak (pg_database.encoding).</summary>
    public const int Utf8Encoding = 6;

    /// <summary>pg_encoding_to_char(encoding): the encoding's name, "" for a number that is not an encoding (as PostgreSQL does).</summary>
    public static Value PgEncodingToChar(Value encoding) =>
        encoding.IsNull ? Value.Null : Value.FromString(encoding.AsLong == Utf8Encoding ? "UTF8" : encoding.AsLong == 0 ? "SQL_ASCII" : "");

    /// <summary>
    /// array_to_string(array, delimiter) over the only arrays the catalog holds, access-control lists (pg_database.datacl),
    /// which are always NULL here (default privileges): NULL in, NULL out; a non-NULL value is one element, returned as is.
    /// </summary>
    public static Value ArrayToString(Value array, Value delimiter) => array.IsNull || delimiter.IsNull ? Value.Null : array;

    /// <summary>PostgreSQL's names of the built-in types a client may meet here, by their (fixed) OIDs, as format_type prints them.</summary>
    private static readonly Dictionary<long, string> TypeNames = new()
    {
        [16] = "boolean", [17] = "bytea", [18] = "\"char\"", [19] = "name", [20] = "bigint", [21] = "smallint", [23] = "integer", [24] = "regproc",
        [25] = "text", [26] = "oid", [700] = "real", [701] = "double precision", [1042] = "character", [1043] = "character varying",
        [1082] = "date", [1083] = "time without time zone", [1114] = "timestamp without time zone", [1184] = "timestamp with time zone",
        [1186] = "interval", [1700] = "numeric", [2205] = "regclass", [2206] = "regtype", [4089] = "regnamespace", [114] = "json",
        [1000] = "boolean[]", [1001] = "bytea[]", [1005] = "smallint[]", [1007] = "integer[]", [1009] = "text[]", [1016] = "bigint[]",
        [1021] = "real[]", [1022] = "double precision[]", [1115] = "timestamp without time zone[]", [1182] = "date[]",
        [1183] = "time without time zone[]", [1185] = "timestamp with time zone[]", [1187] = "interval[]", [1231] = "numeric[]",
    };

    /// <summary>
    /// format_type(type_oid, typemod): the SQL name of a type, with its modifier as PostgreSQL writes it (character varying(20),
    /// numeric(10,2), timestamp(3) without time zone); "???" for an OID that is not a type we know, NULL for a NULL OID.
    /// </summary>
    public static Value FormatType(Value oid, Value typmod)
    {
        if (oid.IsNull)
        {
            return Value.Null;
        }

        if (!TypeNames.TryGetValue(oid.AsLong, out var name))
        {
            return Value.FromString("???");
        }

        var mod = typmod.IsNull ? -1 : typmod.AsLong;
        if (mod < 0)
        {
            return Value.FromString(name);
        }

        var text = oid.AsLong switch
        {
            1042 or 1043 when mod >= 4 => $"{name}({(mod - 4).ToString(CultureInfo.InvariantCulture)})",
            1700 when mod >= 4 => $"numeric({((mod - 4) >> 16).ToString(CultureInfo.InvariantCulture)},{((mod - 4) & 0xffff).ToString(CultureInfo.InvariantCulture)})",
            1083 => $"time({mod.ToString(CultureInfo.InvariantCulture)}) without time zone",
            1114 => $"timestamp({mod.ToString(CultureInfo.InvariantCulture)}) without time zone",
            1184 => $"timestamp({mod.ToString(CultureInfo.InvariantCulture)}) with time zone",
            _ => name,
        };
        return Value.FromString(text);
    }

    /// <summary>
    /// pg_get_expr(expression, relation[, pretty]): the SQL text of a stored expression (a column default, a policy, a partition
    /// bound). We store none, so the column it reads is always NULL and so is the answer; a non-NULL text is returned as it is.
    /// </summary>
    public static Value PgGetExpr(Value expression, Value relation) => expression;

    public static Value PgGetExpr(Value expression, Value relation, Value pretty) => expression;

    /// <summary>col_description(table, column): the column's comment; there is no COMMENT ON, so NULL.</summary>
    public static Value ColDescription(Value table, Value column) => Value.Null;

    /// <summary>obj_description(object, catalog): the object's comment; there is no COMMENT ON, so NULL.</summary>
    public static Value ObjDescription(Value oid, Value catalog) => Value.Null;

    /// <summary>pg_get_function_sqlbody(function): the body of a SQL-standard function (CREATE FUNCTION ... BEGIN ATOMIC); ours are built in, so NULL.</summary>
    public static Value PgGetFunctionSqlbody(Value oid) => Value.Null;

    /// <summary>pg_get_statisticsobjdef_columns(statistics): there are no extended statistics objects, so NULL.</summary>
    public static Value PgGetStatisticsobjdefColumns(Value oid) => Value.Null;

    /// <summary>PostgreSQL's first OID for user objects: below it everything is built in.</summary>
    private const long FirstNormalObjectId = 16384;

    /// <summary>pg_relation_is_publishable(relation): whether a logical-replication publication could include it; user relations (streams and tables) could.</summary>
    public static Value PgRelationIsPublishable(Value oid) => oid.IsNull ? Value.Null : Value.FromBoolean(oid.AsLong >= FirstNormalObjectId);

    /// <summary>version(): PostgreSQL's form, naming the protocol version we speak (server_version 15.0) and this server.</summary>
    public static Value Version() => Value.FromString("PostgreSQL 15.0 (StreamSql)");
}
