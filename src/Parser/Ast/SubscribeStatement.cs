namespace StreamSql.Parser.Ast;

/// <summary>SUBSCRIBE [TO] name | (query): push the changes of a view or table.</summary>
public sealed record SubscribeStatement(int Position, QualifiedName? Name, Query? Query, IReadOnlyList<Property> Properties) : Statement(Position)
{
    /// <summary>What it means: SUBSCRIBE TO name is SELECT * FROM name EMIT CHANGES; SUBSCRIBE (query) is the query, pushed.</summary>
    public Query AsPushQuery()
    {
        if (Query is { } query)
        {
            return query with { Emit = query.Emit == EmitMode.None ? EmitMode.Changes : query.Emit };
        }

        return ToName(Position, Name!);
    }

    /// <summary>SELECT * FROM name EMIT CHANGES.</summary>
    public static Query ToName(int position, QualifiedName name)
    {
        var spec = new QuerySpecification(position, false, [new AllColumns(position, null)], [new TableRelation(name.Position, name, null, null)], null, null, [], null, []);
        return new Query(position, [], spec, [], EmitMode.Changes, null, null);
    }
}
