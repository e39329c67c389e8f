using System.Text;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>One line of delimiter-separated values in column order (CSV quoting with double quotes); an empty field is NULL.</summary>
public sealed class DelimitedValueFormat : IValueFormat
{
    private readonly FormatColumn[] _columns;
    private readonly char _delimiter;

    public DelimitedValueFormat(IReadOnlyList<FormatColumn> columns, char delimiter)
    {
        _columns = [.. columns];
        _delimiter = delimiter;
    }

    public byte[]? Serialize(Value[] row)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(_delimiter);
            }

            var text = ValueParsing.ToText(row[_columns[i].RowIndex]);
            if (text is null)
            {
                continue;
            }

            if (text.Length == 0 || text.IndexOf(_delimiter) >= 0 || text.Contains('"') || text.Contains('\n') || text.Contains('\r'))
            {
                sb.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(text);
            }
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        error = null;
        var fields = Split(Encoding.UTF8.GetString(bytes).TrimEnd('\r', '\n'));
        if (fields.Count != _columns.Length)
        {
            error = $"expected {_columns.Length} fields, found {fields.Count}";
            return false;
        }

        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            var field = fields[i];
            if (field is null)
            {
                row[column.RowIndex] = Value.Null;
            }
            else if (!ValueParsing.TryFromText(field, column.Type, out row[column.RowIndex]))
            {
                error = $"field {i + 1} (\"{column.Name}\"): cannot read \"{field}\" as {column.Type.DisplayName}";
                return false;
            }
        }

        return true;
    }

    private List<string?> Split(string line)
    {
        var fields = new List<string?>();
        var sb = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
                wasQuoted = true;
            }
            else if (c == _delimiter)
            {
                fields.Add(sb.Length == 0 && !wasQuoted ? null : sb.ToString());
                sb.Clear();
                wasQuoted = false;
            }
            else
            {
                sb.Append(c);
            }
        }

        fields.Add(sb.Length == 0 && !wasQuoted ? null : sb.ToString());
        return fields;
    }
}
