using StreamSql.Parser.Errors;
using States = StreamSql.Parser.Errors.SqlState;

namespace StreamSql.Server.Pg;

/// <summary>The fields of an ErrorResponse; Position is 1-based as the protocol wants it.</summary>
public sealed record PgError(string Severity, string SqlState, string Message, int? Position = null, string? Detail = null, string? Hint = null)
{
    /// <summary>The one place an exception becomes an error response; protocol violations and failures outside a statement end the connection (FATAL).</summary>
    public static PgError From(Exception exception, bool cancelled)
    {
        switch (exception)
        {
            case Pg.PgProtocolException e:
                return new PgError("FATAL", States.ProtocolViolation, e.Message);
            case SqlException e:
                return new PgError("ERROR", e.SqlState, e.Message, e.Position is { } p ? p + 1 : null, e.Detail, e.Hint);
            case OperationCanceledException when cancelled:
                return new PgError("ERROR", States.QueryCanceled, "canceling statement due to user request");
            case OperationCanceledException:
                // Not the user's cancel: the server is shutting down.
                return new PgError("FATAL", States.AdminShutdown, "terminating connection due to administrator command");
            case InsufficientExecutionStackException:
                return new PgError("ERROR", States.StatementTooComplex, "stack depth limit exceeded", Hint: "The statement nests expressions too deeply.");
            case InvalidDataException e:
                return new PgError("ERROR", States.DataCorrupted, e.Message);
            default:
                Serilog.Log.Error(exception, "Internal error");
                return new PgError("ERROR", States.InternalError, "internal error: " + exception.Message);
        }
    }

    /// <summary>Writes the fields as an ErrorResponse, or as a NoticeResponse for warnings and notices.</summary>
    public void Write(PgWriter writer, BackendMessageCode code = BackendMessageCode.ErrorResponse)
    {
        writer.StartMessage(code);
        writer.WriteByte((byte)'S');
        writer.WriteCString(Severity);
        writer.WriteByte((byte)'V');
        writer.WriteCString(Severity);
        writer.WriteByte((byte)'C');
        writer.WriteCString(SqlState);
        writer.WriteByte((byte)'M');
        writer.WriteCString(Message);
        if (Detail is not null)
        {
            writer.WriteByte((byte)'D');
            writer.WriteCString(Detail);
        }

        if (Hint is not null)
        {
            writer.WriteByte((byte)'H');
            writer.WriteCString(Hint);
        }

        if (Position is { } position)
        {
            writer.WriteByte((byte)'P');
            writer.WriteCString(position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        writer.WriteByte(0);
        writer.EndMessage();
    }
}
