using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Small helpers to run SQL through Npgsql and read results as text.</summary>
internal static class Sql
{
    public static async Task<int> ExecuteAsync(this NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<string>> RowsAsync(this NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            }

            rows.Add(string.Join("|", values));
        }

        return rows;
    }

    public static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];
}
