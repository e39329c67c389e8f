namespace StreamSql.Parser.Ast;

/// <summary>BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT; Modes are the normalized transaction modes ("isolation level read committed").</summary>
public sealed record TransactionStatement(int Position, TransactionAction Action, IReadOnlyList<string> Modes) : Statement(Position);
