namespace StreamSql.SqlLogicTest;

/// <summary>Thrown by <see cref="SltParser"/> for malformed .slt input.</summary>
public sealed class SltParseException : Exception
{
    public SltParseException(string file, int line, string message)
        : base($"{file}:{line}: {message}")
    {
        File = file;
        Line = line;
        Reason = message;
    }

    public string File { get; }

    public int Line { get; }

    /// <summary>The message without the <c>file:line</c> prefix.</summary>
    public string Reason { get; }
}
