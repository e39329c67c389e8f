using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Server.Pg;

/// <summary>
/// Transaction blocks as clients see them: BEGIN/COMMIT/ROLLBACK change only the ReadyForQuery status ('I', 'T', 'E'),
/// because every statement takes effect at once; after an error inside a block, statements fail until ROLLBACK, as in PostgreSQL.
/// </summary>
public sealed class PgTransactions
{
    private bool _failed;

    public bool InBlock { get; private set; }

    /// <summary>The ReadyForQuery status byte: idle, in a block, or in a failed block.</summary>
    public byte Status => !InBlock ? (byte)'I' : _failed ? (byte)'E' : (byte)'T';

    public static bool IsTransactionControl(Statement statement) => statement is TransactionStatement;

    /// <summary>Runs a transaction statement; false when statement is not one. Notice is a warning to send first (or null).</summary>
    public bool TryHandle(Statement statement, out string tag, out PgError? notice)
    {
        notice = null;
        if (statement is not TransactionStatement transaction)
        {
            tag = "";
            return false;
        }

        switch (transaction.Action)
        {
            case TransactionAction.Begin:
                CheckCanRun();
                if (InBlock)
                {
                    notice = new PgError("WARNING", SqlState.ActiveSqlTransaction, "there is already a transaction in progress");
                }

                InBlock = true;
                tag = transaction.Text.StartsWith("START", StringComparison.OrdinalIgnoreCase) ? "START TRANSACTION" : "BEGIN";
                return true;
            default:
                if (!InBlock)
                {
                    notice = new PgError("WARNING", SqlState.NoActiveSqlTransaction, "there is no transaction in progress");
                }

                // COMMIT of a failed block rolls back, and says so.
                tag = transaction.Action == TransactionAction.Commit && !_failed ? "COMMIT" : "ROLLBACK";
                InBlock = false;
                _failed = false;
                return true;
        }
    }

    /// <summary>Throws 25P02 when the block has failed: only ROLLBACK (or COMMIT) is accepted then.</summary>
    public void CheckCanRun()
    {
        if (InBlock && _failed)
        {
            throw new SqlException(SqlState.InFailedSqlTransaction, "current transaction is aborted, commands ignored until end of transaction block");
        }
    }

    /// <summary>A statement failed: inside a block, the block is now failed.</summary>
    public void Failed() => _failed = InBlock;

    /// <summary>DISCARD ALL and connection reset: back to no block.</summary>
    public void Reset()
    {
        InBlock = false;
        _failed = false;
    }
}
