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

    /// <summary>version(): PostgreSQL's form, naming the protocol version we speak (server_version 15.0) and this server.</summary>
    public static Value Version() => Value.FromString("PostgreSQL 15.0 (StreamSql)");
}
