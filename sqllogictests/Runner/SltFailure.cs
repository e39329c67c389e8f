using System.Text;

namespace StreamSql.SqlLogicTest;

/// <summary>
/// One failed sqllogictest record. <see cref="Message"/> describes what went wrong (including the
/// expected/actual listing for query mismatches); <see cref="ToString"/> renders a complete,
/// human readable report including <c>file:line</c> and the SQL.
/// </summary>
public sealed record SltFailure(string File, int Line, string Sql, string Message)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(File).Append(':').Append(Line).Append(": ").Append(Message.TrimEnd());
        if (Sql.Length > 0)
        {
            sb.AppendLine().Append("SQL:");
            foreach (var line in Sql.Split('\n'))
            {
                sb.AppendLine().Append("    ").Append(line.TrimEnd('\r'));
            }
        }
        return sb.ToString();
    }
}
