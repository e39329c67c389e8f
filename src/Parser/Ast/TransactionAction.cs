namespace StreamSql.Parser.Ast;

/// <summary>What a transaction statement asks for: start a block, or end it by committing or rolling back.</summary>
public enum TransactionAction
{
    Begin,
    Commit,
    Rollback,
}
