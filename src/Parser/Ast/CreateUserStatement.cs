namespace StreamSql.Parser.Ast;

/// <summary>CREATE USER name [WITH] PASSWORD 'secret': a login for password and SCRAM authentication.</summary>
public sealed record CreateUserStatement(int Position, string Name, string Password) : Statement(Position);
