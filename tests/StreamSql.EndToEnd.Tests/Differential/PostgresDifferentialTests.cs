using Npgsql;
using Xunit.Abstractions;

namespace StreamSql.EndToEnd.Tests.Differential;

/// <summary>
/// Runs the same generated SELECT &lt;expression&gt; on the real PostgreSQL 15 server and on StreamSql and compares
/// the text of the result, or the SQLSTATE when both fail. PostgreSQL must be reachable (.ci/run starts it);
/// STREAMSQL_TEST_PG overrides the connection string.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class PostgresDifferentialTests(SharedServerFixture fixture, ITestOutputHelper output)
{
    private const int Cases = 1200;

    /// <summary>Deliberate, documented differences: a disagreement is accepted only when one of these explains it.</summary>
    private static readonly (string Reason, Func<Outcome, Outcome, bool> Applies)[] KnownDifferences =
    [
        // System.Decimal keeps 28-29 significant digits; PostgreSQL's numeric is unbounded.
        ("numeric beyond 28 significant digits", (pg, _) => pg.Value is { } v && v.Count(char.IsDigit) > 28),
    ];

    private static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("STREAMSQL_TEST_PG")
        ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres;Timeout=10";

    [Fact]
    public async Task GeneratedExpressionsAgreeWithPostgres()
    {
        await using var postgres = await OpenPostgresAsync();
        await using var streamsql = await fixture.Server.ConnectAsync();
        var generator = new ExpressionGenerator(20261125);
        var agreed = 0;
        var explained = new Dictionary<string, int>();
        var failures = new List<string>();
        var seen = new HashSet<string>();
        while (seen.Count < Cases)
        {
            var expression = generator.Next();
            if (!seen.Add(expression))
            {
                continue;
            }

            var sql = "SELECT " + expression;
            var expected = await RunAsync(postgres, sql);
            var actual = await RunAsync(streamsql, sql);
            if (expected == actual)
            {
                agreed++;
                continue;
            }

            var reason = KnownDifferences.FirstOrDefault(k => k.Applies(expected, actual)).Reason;
            if (reason is not null)
            {
                explained[reason] = explained.GetValueOrDefault(reason) + 1;
            }
            else
            {
                failures.Add($"{sql}\n  postgres:  {expected}\n  streamsql: {actual}");
            }
        }

        output.WriteLine($"{agreed} of {Cases} expressions agree with PostgreSQL 15; explained differences: " +
            string.Join(", ", explained.Select(e => $"{e.Key}: {e.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} unexplained disagreements ({agreed} agree):\n" + string.Join("\n", failures.Take(40)));
        Assert.True(agreed >= 500, $"only {agreed} cases agree");
    }

    private static async Task<NpgsqlConnection> OpenPostgresAsync()
    {
        var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();

        // Compare text under byte-order collation, which is what StreamSql implements.
        var exists = await new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = 'streamsql_differential'", connection).ExecuteScalarAsync();
        if (exists is null)
        {
            await new NpgsqlCommand("CREATE DATABASE streamsql_differential TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", connection).ExecuteNonQueryAsync();
        }

        await connection.CloseAsync();
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = "streamsql_differential" };
        var differential = new NpgsqlConnection(builder.ConnectionString);
        await differential.OpenAsync();
        return differential;
    }

    private static async Task<Outcome> RunAsync(NpgsqlConnection connection, string sql)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection) { AllResultTypesAreUnknown = true };
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return new Outcome("no row", null);
            }

            return new Outcome(null, reader.IsDBNull(0) ? "NULL" : reader.GetString(0));
        }
        catch (PostgresException e)
        {
            return new Outcome(e.SqlState, null);
        }
    }

    internal sealed record Outcome(string? SqlState, string? Value)
    {
        public override string ToString() => SqlState is null ? Value ?? "" : "ERROR " + SqlState;
    }
}
