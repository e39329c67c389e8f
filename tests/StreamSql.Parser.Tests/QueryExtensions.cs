using StreamSql.Parser.Ast;

namespace StreamSql.Parser.Tests;

/// <summary>Shortcuts into the AST for tests of plain SELECTs.</summary>
internal static class QueryExtensions
{
    public static QuerySpecification Spec(this Query query) => (QuerySpecification)query.Body;
}
