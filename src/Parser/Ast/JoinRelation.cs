namespace StreamSql.Parser.Ast;

/// <summary>left JOIN right ON/USING ... [WITHIN ...] (stream-stream joins need WITHIN).</summary>
public sealed record JoinRelation(int Position, JoinKind Kind, FromRelation Left, FromRelation Right, Expression? On, IReadOnlyList<string>? Using, WithinClause? Within) : FromRelation(Position);
