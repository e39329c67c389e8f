using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using G = StreamSql.Parser.Generated.StreamSqlParser;

namespace StreamSql.Parser;

/// <summary>Syntax PostgreSQL clients use in catalog queries: pg_catalog-qualified function names and COLLATE.</summary>
internal sealed partial class AstBuilder
{
    /// <summary>A function name, optionally qualified by pg_catalog (where every built-in function lives); other schemas hold none.</summary>
    private static string BuildFunctionName(G.FunctionNameContext context)
    {
        var ids = context.identifier();
        if (ids.Length == 0)
        {
            return context.GetText().ToLowerInvariant();
        }

        var name = BuildIdentifier(ids[^1]);
        if (context.schema is { } schema && BuildIdentifier(schema) is var qualifier && qualifier != "pg_catalog")
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {qualifier}.{name} does not exist", Pos(context));
        }

        return name;
    }

    /// <summary>A table function's name, optionally qualified by pg_catalog (pg_catalog.unnest).</summary>
    private static string BuildTableFunctionName(G.TableFunctionContext context)
    {
        var name = BuildIdentifier(context.functionIdentifier);
        if (context.schema is { } schema && BuildIdentifier(schema) is var qualifier && qualifier != "pg_catalog")
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {qualifier}.{name} does not exist", Pos(context));
        }

        return name;
    }

    /// <summary>expr COLLATE name: our strings compare by code point, which is the "C" collation; "default" and "C" are accepted, and do nothing.</summary>
    public override AstNode VisitCollate(G.CollateContext context)
    {
        var schema = context.schema is { } s ? BuildIdentifier(s) : null;
        var name = context.collation is { } c ? BuildIdentifier(c) : "default";
        if (schema is not (null or "pg_catalog") || name.ToLowerInvariant() is not ("default" or "c" or "posix"))
        {
            throw new SqlException(SqlState.UndefinedObject, $"collation \"{(schema is null ? name : schema + "." + name)}\" for encoding \"UTF8\" does not exist", Pos(context));
        }

        return BuildExpression(context.primaryExpression());
    }
}
