namespace StreamSql.Parser.Ast;

/// <summary>left UNION/INTERSECT/EXCEPT [ALL] right.</summary>
public sealed record SetOperation(int Position, SetOperator Operator, bool All, QueryBody Left, QueryBody Right) : QueryBody(Position);
