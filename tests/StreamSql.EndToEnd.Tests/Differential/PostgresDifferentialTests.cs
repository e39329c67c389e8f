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

    /// <summary>to_char's template patterns (date/time, interval and numeric), each compared with PostgreSQL 15.</summary>
    internal static readonly string[] ToCharCases =
    [
        "to_char(TIMESTAMP '2026-03-05 00:07:09.123456', 'FMMS|FMUS|MS|US|FF1|FF3|FMHH|HH12|FMDD|FMMonth|Month|FMDay|Day|Dy|DY|dy|mon|MON|month|Mon|D|DDD|FMDDD|ID|IW|WW|W|Q|J|CC|SSSS|RM|rm|FMRM|YYYY|yyyy|YY|Y|IYYY|Y,YYY|am|pm|A.M.|p.m.|TZ|tz|OF|TZH|TZM|DDth|DDTH|FMDDth|hh24|Hh24|\"quoted \\\" x\"|\\\"|FX|FXYYYY|SP|DDSP')",
        "to_char(TIMESTAMPTZ '2026-03-05 13:07:09', 'TZ tz OF TZH:TZM HH PM')",
        "to_char(DATE '2026-03-05', 'YYYY-MM-DD HH24:MI:SS TZ')",
        "to_char(INTERVAL '1 year 2 mons 3 days 04:05:06.789', 'YYYY MM DD DDD HH HH12 HH24 MI SS MS US FMHH24 AM Q WW')",
        "to_char(INTERVAL '-3 days -04:05:06', 'DD HH24 MI SS')",
        "to_char(INTERVAL '30 hours', 'HH24 HH')",
        "to_char(INTERVAL '1 day', 'Month')",
        "to_char(INTERVAL '-1 year -2 mons -3 days -04:05:06.789', 'YYYY|YYY|YY|Y|MM|DD|DDD|HH|HH12|HH24|MI|SS|MS|US|SSSS|CC|Q|WW|W|FMMM|FMYYYY|FMHH24|AM|RM|Y,YYY')",
        "to_char(INTERVAL '0', 'YYYY|MM|DD|HH|HH12|HH24|MI|SS|MS|US|SSSS|CC|Q|WW|W|RM|rm|FMRM|DDth')",
        "to_char(TIMESTAMP '2026-01-01 00:00', 'IYYY-IW-ID IDDD WW W')",
        "to_char(TIMESTAMP '2026-03-05 00:00', 'abc \"x\\y\" \\\\ %')",
        "to_char(TIMESTAMP '2026-03-05 00:00', 'DAYth Dayth MONTHTH ddth dth')",
        "to_char(TIMESTAMP '2026-03-05 00:00', '')",
        "to_char(TIMESTAMP '2026-03-05 00:00', NULL)",
        "to_char(CAST(NULL AS TIMESTAMP), 'YYYY')",
        "to_char(TIMESTAMP '1999-12-31 23:59:59.5', 'YYYY-MM-DD HH24:MI:SS.MS')",
        "to_char(TIMESTAMP '2026-03-05 00:00', 'Dy, DD Mon YYYY \"at\" HH:MI am')",
        "to_char(TIMESTAMP '2026-03-05 00:00', 'FMMonth FMDay FMMONTH fmDD TMMonth')",
        "to_char(TIMESTAMP '2026-04-23 17:45:00', 'FMDDth FMDDDth FMMMth Q \"Q\" WW IW')",
        "to_char(TIMESTAMP '2024-12-30 12:00:00', 'IYYY IW ID IDDD YYYY WW DDD D')",
        "to_char(TIMESTAMP '2027-01-03 23:00:00', 'IYYY IW ID IDDD YYYY WW DDD D J')",
        "to_char(TIMESTAMPTZ '2026-03-05 13:07:09.5+02', 'YYYY-MM-DD\"T\"HH24:MI:SS.USOF')",
        "to_char(DATE '2024-02-29', 'Day, Month DD, YYYY')",
        "to_char(DATE '1999-12-31', 'FMDay FMMonth FMDDth YYYY CC')",
        "to_char(TIMESTAMP '2026-03-05 12:00', 'FMHH12 AM HH pm a.m. P.M.')",
        "to_char(TIMESTAMP '2026-03-05 00:00', 'AD ad B.C. b.c.')",
        "to_char(INTERVAL '14 months', 'YYYY MM')",
        "to_char(INTERVAL '90 seconds', 'MI:SS')",
        "to_char(INTERVAL '3 weeks', 'DD \"days\"')",
        "to_char(0.5, '9.99')",
        "to_char(-0.5, '9.99')",
        "to_char(0.5, '0.99')",
        "to_char(0.5, 'FM9.99')",
        "to_char(0, 'FM999')",
        "to_char(0, '999')",
        "to_char(0, '0.00')",
        "to_char(1.50, 'FM9.99')",
        "to_char(1.00, 'FM9.99')",
        "to_char(1.00, 'FM9.00')",
        "to_char(12345, '999')",
        "to_char(12345.678, '99,999.99')",
        "to_char(1234567.891, '9G999G999D99')",
        "to_char(-1234567.891, '9,999,999.99')",
        "to_char(-12, 'S999')",
        "to_char(12, 'S999')",
        "to_char(-12, '999S')",
        "to_char(12, 'FMS999')",
        "to_char(-12.5, '99.9PR')",
        "to_char(12.5, '99.9PR')",
        "to_char(-12.5, 'FM99.9PR')",
        "to_char(12.5, 'FM99.9PR')",
        "to_char(-12, '999MI')",
        "to_char(12, '999MI')",
        "to_char(12, '999PL')",
        "to_char(-12, 'SG999')",
        "to_char(12, 'SG999')",
        "to_char(485, '999')",
        "to_char(-485, '999')",
        "to_char(1485, '9,999')",
        "to_char(1485, '9G999')",
        "to_char(148.5, '999.999')",
        "to_char(-0.1, '99.99')",
        "to_char(-0.1, 'FM9.99')",
        "to_char(0.1, '0.9')",
        "to_char(12, '0009')",
        "to_char(12, 'FM0009')",
        "to_char(12, '9990999.9')",
        "to_char(-5, '00')",
        "to_char(485, '\"Number: \"999')",
        "to_char(3.14159, '9.9999')",
        "to_char(CAST(2.5 AS DOUBLE PRECISION), '9.99')",
        "to_char(CAST(1234.5678 AS DOUBLE PRECISION), '99999.99')",
        "to_char(CAST(-0.001 AS DOUBLE PRECISION), '9.99')",
        "to_char(CAST('1e300' AS DOUBLE PRECISION), '9.99')",
        "to_char(CAST(123456789.123456789 AS DOUBLE PRECISION), '999999999.999999999')",
        "to_char(CAST(1.5 AS REAL), '9.999')",
        "to_char(CAST(3000000000 AS BIGINT), '9,999,999,999')",
        "to_char(CAST(-7 AS SMALLINT), '99')",
        "to_char(2147483647, 'FM9,999,999,999')",
        "to_char(CAST(NULL AS INT), '999')",
        "to_char(5, NULL)",
        "to_char(5, '')",
        "to_char(-0.001, '9.99')",
        "to_char(123.456, 'FM999.990')",
        "to_char(123.4, 'FM999.009')",
        "to_char(0.0, 'FM0.09')",
        "to_char(7, '9D9')",
        "to_char(1.5, 'FMD99')",
        "to_char(CAST('1e20' AS DOUBLE PRECISION), '999')",
        "to_char(CAST('-1e20' AS DOUBLE PRECISION), 'FM9999999999999999999999')",
        "to_char(9.995, '9.99')",
        "to_char(99.995, '99.99')",
        "to_char(CAST(0.125 AS DOUBLE PRECISION), '0.99')",
        "to_char(CAST(0.135 AS DOUBLE PRECISION), '0.99')",
        "to_char(-5, 'FM999MI')",
        "to_char(5, 'FM999PL')",
        "to_char(1000000, 'FM9G999G999')",
        "to_char(-1234, 'FMS9999')",
        "to_char(12, '99.99S')",
        "to_char(-12, 'S99.99')",
        "to_char(1234, '\"x\\\"y\"9999')",
        "to_char(1.5, '999')",
        "to_char(2.5, '999')",
        "to_char(-2.5, '999')"
    ];

    [Fact]
    public async Task ToCharAgreesWithPostgres()
    {
        await using var postgres = await OpenPostgresAsync();
        await using var streamsql = await fixture.Server.ConnectAsync();
        var failures = new List<string>();
        foreach (var expression in ToCharCases)
        {
            var sql = "SELECT " + expression;
            var expected = await RunAsync(postgres, sql);
            var actual = await RunAsync(streamsql, sql);
            if (expected != actual)
            {
                failures.Add($"{sql}\n  postgres:  {expected}\n  streamsql: {actual}");
            }
        }

        output.WriteLine($"{ToCharCases.Length - failures.Count} of {ToCharCases.Length} to_char cases agree with PostgreSQL 15");
        Assert.True(failures.Count == 0, $"{failures.Count} to_char disagreements:\n" + string.Join("\n", failures));
    }

    /// <summary>Array constructors, subscripts, cardinality, array_length, casts and the text output, each compared with PostgreSQL 15.</summary>
    internal static readonly string[] ArrayCases =
    [
        "ARRAY[1,2,3]",
        "ARRAY[1,NULL,3]",
        "ARRAY[1,2.5]",
        "ARRAY[CAST(1 AS BIGINT), 2]",
        "ARRAY['a', 'b c', '', 'NULL', 'null', 'x\"y', 'back\\slash', '{x}', 'a,b', NULL]",
        "ARRAY[CAST(1.5 AS DOUBLE PRECISION), 2]",
        "ARRAY[TRUE, FALSE, NULL]",
        "ARRAY[TIMESTAMP '2026-01-01 10:00:00', NULL]",
        "ARRAY[DATE '2026-01-01']",
        "ARRAY[INTERVAL '1 day']",
        "(ARRAY[10,20,30])[1]",
        "(ARRAY[10,20,30])[3]",
        "(ARRAY[10,20,30])[4]",
        "(ARRAY[10,20,30])[0]",
        "(ARRAY[10,20,30])[-1]",
        "(ARRAY[10,20,30])[NULL]",
        "(ARRAY['a','b'])[2]",
        "cardinality(ARRAY[1,2,3])",
        "cardinality(ARRAY[NULL])",
        "array_length(ARRAY[1,2,3], 1)",
        "array_length(ARRAY[1,2,3], 2)",
        "array_length(CAST(NULL AS INT[]), 1)",
        "cardinality(CAST(NULL AS INT[]))",
        "cardinality(CAST(ARRAY[] AS INT[]))",
        "array_length(CAST(ARRAY[] AS INT[]), 1)",
        "CAST(ARRAY[] AS INT[])",
        "CAST(ARRAY[1,2] AS BIGINT[])",
        "CAST(ARRAY['1','2'] AS INT[])",
        "CAST(NULL AS TEXT[])",
        "ARRAY[]",
        "cardinality(1)",
        "cardinality(NULL)",
        "(5)[1]",
        "ARRAY[1,'x']",
        "ARRAY[1, TRUE]",
        "pg_typeof(ARRAY[1,2])",
        "pg_typeof(ARRAY['a'])",
        "pg_typeof(ARRAY[1.5])",
        "ARRAY[upper('a'), lower('B')]",
        "(ARRAY[1,2,3])[1 + 1]",
        "ARRAY[1,2] = ARRAY[1,2]",
        "ARRAY[1,2] = ARRAY[1,3]",
        "ARRAY[1,NULL] = ARRAY[1,NULL]",
        "ARRAY[1,2] <> ARRAY[1]",
        "ARRAY[1,2] < ARRAY[1,3]",
        "ARRAY[1] < ARRAY[1,0]",
        "ARRAY[2] >= ARRAY[1,9]",
        "ARRAY['b'] > ARRAY['a','z']",
        "ARRAY[1] = NULL",
        "ARRAY[1] IS DISTINCT FROM NULL",
        "ARRAY[1] IS NOT DISTINCT FROM ARRAY[1]",
        "ARRAY[1] = ARRAY[CAST(1 AS BIGINT)]",
        "ARRAY[1,2] || ARRAY[3]",
        "ARRAY[1] || 2",
        "0 || ARRAY[1]",
        "ARRAY[1] || NULL",
        "NULL || ARRAY[1]",
        "CAST(NULL AS INT[]) || 5",
        "ARRAY[1.5] || 2",
        "ARRAY[1] || 2.5",
        "ARRAY['a'] || ARRAY['b', NULL]",
        "cardinality(ARRAY[1,2] || ARRAY[3,4])",
        "(ARRAY[1] || 7)[2]",
        "ARRAY[1] + ARRAY[2]",
        "ARRAY[1] || ARRAY[2.5]",
        "ARRAY[CAST(1 AS BIGINT)] || 2",
        "CAST(ARRAY[1,2] || 3 AS BIGINT[])",
        "CAST(ARRAY[1.5, 2.5] || 3 AS INT[])",
        "(ARRAY[1] || 2.5)[2]",
        "CAST(CAST(NULL AS INT[]) AS TEXT[])",
        "ARRAY[TRUE] || 1",
        "ARRAY[1] || ARRAY['x']"
    ];

    [Fact]
    public async Task ArraysAgreeWithPostgres()
    {
        await using var postgres = await OpenPostgresAsync();
        await using var streamsql = await fixture.Server.ConnectAsync();
        var failures = new List<string>();
        foreach (var expression in ArrayCases)
        {
            var sql = "SELECT " + expression;
            var expected = await RunAsync(postgres, sql);
            var actual = await RunAsync(streamsql, sql);
            if (expected != actual)
            {
                failures.Add($"{sql}\n  postgres:  {expected}\n  streamsql: {actual}");
            }
        }

        output.WriteLine($"{ArrayCases.Length - failures.Count} of {ArrayCases.Length} array cases agree with PostgreSQL 15");
        Assert.True(failures.Count == 0, $"{failures.Count} array disagreements:\n" + string.Join("\n", failures));
    }

    /// <summary>Array literals read by PostgreSQL 15's array_in: quoting, escapes, NULL, white space, and malformed input (22P02).</summary>
    internal static readonly string[] ArrayLiteralCases =
    [
        "'{1,2,3}'::int[]",
        "'{1,2}'::int[]",
        "'{a,\"b,c\"}'::text[]",
        "'{\"a b\",NULL,c}'::text[]",
        "CAST('{}' AS int[])",
        "'{}'::text[]",
        "'{ }'::int[]",
        "'  { 1 , 2 }  '::int[]",
        "'{ a b ,c}'::text[]",
        "'{NULL,null,\"NULL\"}'::text[]",
        "'{\"\"}'::text[]",
        "'{a,\"\"}'::text[]",
        "'{a\\\\,b}'::text[]",
        "E'{a\\\\ }'::text[]",
        "'{\"a\\\\\"b\"}'::text[]",
        "'{\"x\\\\\\\\y\"}'::text[]",
        "'{\"a\" }'::text[]",
        "'{1.5,2}'::numeric[]",
        "'{1.5,-2e3}'::float8[]",
        "'{t,f,NULL}'::bool[]",
        "'{2026-01-01,NULL}'::date[]",
        "'{\"2026-01-01 10:00:00\"}'::timestamp[]",
        "'{1,2}'::bigint[]",
        "'{1,2}'::smallint[]",
        "CAST('{7}' AS INT[])",
        "('{10,20,30}'::int[])[2]",
        "cardinality('{1,2,3}'::int[])",
        "'{1,2}'::int[] = ARRAY[1,2]",
        "CAST(CAST('{1,2}' AS TEXT) AS INT[])",
        "CAST(NULL AS TEXT)::int[]",
        "'{1,2'::int[]",
        "'1,2'::int[]",
        "''::int[]",
        "'{1,,2}'::int[]",
        "'{1,2}x'::int[]",
        "'{\"a\"b}'::text[]",
        "'{,}'::int[]",
        "'{1,}'::int[]",
        "'{a{b}'::text[]",
        "'{a}}'::text[]",
        "'{\"a\"'::text[]",
        "'{a\"b\"}'::text[]",
        "'{a}'::int[]",
        "'{a b}'::int[]",
        "'{\"\"}'::int[]",
        "'{99999999999}'::int[]",
        "'{1.5}'::int[]",
        "ARRAY[1,2] = '{1,2}'",
        "'{1,2}' = ARRAY[1,2]",
        "ARRAY[1] || '{2,3}'",
        "'{x}' || ARRAY['a']",
        "ARRAY[1] < '{2}'",
        "ARRAY['a'] || 'b'",
        "ARRAY[1] = '{a}'"
    ];

    [Fact]
    public async Task ArrayLiteralsAgreeWithPostgres()
    {
        await using var postgres = await OpenPostgresAsync();
        await using var streamsql = await fixture.Server.ConnectAsync();
        var failures = new List<string>();
        foreach (var expression in ArrayLiteralCases)
        {
            var sql = "SELECT " + expression;
            var expected = await RunAsync(postgres, sql);
            var actual = await RunAsync(streamsql, sql);
            if (expected != actual)
            {
                failures.Add($"{sql}\n  postgres:  {expected}\n  streamsql: {actual}");
            }
        }

        output.WriteLine($"{ArrayLiteralCases.Length - failures.Count} of {ArrayLiteralCases.Length} array literal cases agree with PostgreSQL 15");
        Assert.True(failures.Count == 0, $"{failures.Count} array literal disagreements:\n" + string.Join("\n", failures));
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
