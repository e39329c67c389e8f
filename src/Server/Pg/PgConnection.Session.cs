using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>Session statements the connection answers itself: DISCARD (drops prepared statements, portals and settings).</summary>
public sealed partial class PgConnection
{
    private async Task<CommandResult> DiscardAsync(DiscardStatement discard, string? runningPortal)
    {
        if (discard.What != "all")
        {
            // No plan cache, sequences or temporary objects: nothing to drop.
            return new CommandResult("DISCARD " + discard.What.ToUpperInvariant());
        }

        if (_transactions.InBlock)
        {
            throw new SqlException(SqlState.ActiveSqlTransaction, "DISCARD ALL cannot run inside a transaction block", discard.Position);
        }

        foreach (var name in _portals.Keys.Where(n => n != runningPortal).ToList())
        {
            await ClosePortalAsync(name).ConfigureAwait(false);
        }

        await CloseCursorsAsync(holdable: true).ConfigureAwait(false);
        _statements.Clear();
        _session.Reset(null);
        ReportChangedSettings();
        return new CommandResult("DISCARD ALL");
    }

    private void WriteNotice(PgError? notice)
    {
        if (notice is not null)
        {
            notice.Write(_writer, BackendMessageCode.NoticeResponse);
        }
    }
}
