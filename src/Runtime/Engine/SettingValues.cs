using System.Globalization;
using StreamSql.Parser.Errors;

namespace StreamSql.Runtime.Engine;

/// <summary>Checks and normalizes session setting values as PostgreSQL does (SET DateStyle = ISO reads back as "ISO, MDY").</summary>
public static class SettingValues
{
    /// <summary>Settings a client may read but not change.</summary>
    public static readonly IReadOnlySet<string> ReadOnly = new HashSet<string>(StringComparer.Ordinal) { "server_version", "integer_datetimes", "standard_conforming_strings" };

    /// <summary>The value to store for name (lower case); current is the value now, for settings that merge (DateStyle's order).</summary>
    public static string Normalize(string name, string value, int? position, string? current) => name switch
    {
        "datestyle" => DateStyle(value, position, current),
        "client_encoding" => value.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() is "UTF8" or "UNICODE"
            ? "UTF8"
            : throw new SqlException(SqlState.FeatureNotSupported, $"client encoding \"{value}\" is not supported; StreamSql speaks UTF8 only", position),
        "extra_float_digits" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var digits) && digits is >= -15 and <= 3
            ? digits.ToString(CultureInfo.InvariantCulture)
            : throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"extra_float_digits\": \"{value}\"", position,
                hint: "Valid values are between \"-15\" and \"3\"."),
        _ => value,
    };

    /// <summary>Only the ISO output style exists here; the field order (MDY, DMY, YMD) is kept as given, as PostgreSQL does.</summary>
    private static string DateStyle(string value, int? position, string? current)
    {
        var order = current?.Split(',', StringSplitOptions.TrimEntries).ElementAtOrDefault(1) ?? "MDY";
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part.ToUpperInvariant())
            {
                case "ISO":
                    break;
                case "MDY" or "US" or "NONEURO" or "NONEUROPEAN":
                    order = "MDY";
                    break;
                case "DMY" or "EURO" or "EUROPEAN":
                    order = "DMY";
                    break;
                case "YMD":
                    order = "YMD";
                    break;
                case "DEFAULT":
                    order = "MDY";
                    break;
                case "POSTGRES" or "SQL" or "GERMAN":
                    throw new SqlException(SqlState.FeatureNotSupported, $"DateStyle \"{part}\" is not supported; only ISO output is", position);
                default:
                    throw new SqlException(SqlState.InvalidParameterValue, $"invalid value for parameter \"DateStyle\": \"{value}\"", position);
            }
        }

        return "ISO, " + order;
    }
}
