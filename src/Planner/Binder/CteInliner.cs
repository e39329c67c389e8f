using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Binder;

/// <summary>Replaces references to WITH queries by the queries themselves (as subqueries), so the binder sees only subqueries in FROM.</summary>
internal static class CteInliner
{
    public static Query Inline(Query query)
    {
        if (query.With.Count == 0)
        {
            return query;
        }

        var ctes = new Dictionary<string, CommonTableExpression>(StringComparer.Ordinal);
        foreach (var cte in query.With)
        {
            if (ctes.ContainsKey(cte.Name))
            {
                throw new SqlException(SqlState.DuplicateAlias, $"WITH query name \"{cte.Name}\" specified more than once", cte.Position);
            }

            // A later WITH query may read an earlier one.
            ctes[cte.Name] = cte with { Query = Inline(cte.Query) with { Body = Rewrite(Inline(cte.Query).Body, ctes) } };
        }

        return query with { With = [], Body = Rewrite(query.Body, ctes) };
    }

    private static QueryBody Rewrite(QueryBody body, IReadOnlyDictionary<string, CommonTableExpression> ctes) => body switch
    {
        QuerySpecification spec => spec with { From = spec.From.Select(r => Rewrite(r, ctes)).ToList() },
        SetOperation set => set with { Left = Rewrite(set.Left, ctes), Right = Rewrite(set.Right, ctes) },
        NestedQuery nested => nested with { Query = RewriteQuery(nested.Query, ctes) },
        _ => body,
    };

    private static Query RewriteQuery(Query query, IReadOnlyDictionary<string, CommonTableExpression> ctes)
    {
        // A nested WITH shadows outer names it redefines.
        var visible = query.With.Count == 0 ? ctes : ctes.Where(c => query.With.All(w => w.Name != c.Key)).ToDictionary(c => c.Key, c => c.Value);
        var inlined = Inline(query);
        return inlined with { Body = Rewrite(inlined.Body, visible) };
    }

    private static FromRelation Rewrite(FromRelation relation, IReadOnlyDictionary<string, CommonTableExpression> ctes) => relation switch
    {
        TableRelation { Name.Schema: null } table when ctes.TryGetValue(table.Name.Name, out var cte) =>
            new SubqueryRelation(table.Position, cte.Query, table.Alias ?? cte.Name, table.ColumnAliases ?? cte.ColumnAliases),
        SubqueryRelation subquery => subquery with { Query = RewriteQuery(subquery.Query, ctes) },
        JoinRelation join => join with { Left = Rewrite(join.Left, ctes), Right = Rewrite(join.Right, ctes) },
        _ => relation,
    };
}
