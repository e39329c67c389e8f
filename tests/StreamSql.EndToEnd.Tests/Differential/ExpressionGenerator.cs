using System.Globalization;

namespace StreamSql.EndToEnd.Tests.Differential;

/// <summary>Generates random, mostly well-typed SQL expressions over literals of every type, with NULLs and edge values, for differential testing.</summary>
internal sealed class ExpressionGenerator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] IntLiterals = ["0", "1", "-1", "7", "42", "100", "3", "2147483647", "-2147483647", "CAST(NULL AS INT)", "CAST(-5 AS INT)"];
    private static readonly string[] BigIntLiterals = ["3000000000", "9223372036854775807", "-9223372036854775807", "CAST(12 AS BIGINT)", "CAST(NULL AS BIGINT)", "-2147483648"];
    private static readonly string[] NumericLiterals = ["1.5", "0.1", "2.50", "-3.75", "100.001", "0.0", "1e3", "12.345", "CAST(NULL AS NUMERIC)", "0.333"];
    private static readonly string[] DoubleLiterals = ["CAST(2.5 AS DOUBLE PRECISION)", "CAST(0.1 AS DOUBLE PRECISION)", "CAST(-1 AS DOUBLE PRECISION)", "CAST('1e300' AS DOUBLE PRECISION)", "CAST(NULL AS DOUBLE PRECISION)", "CAST(3 AS DOUBLE PRECISION)"];
    private static readonly string[] TextLiterals = ["'abc'", "'Hello World'", "''", "'x''y'", "'  pad  '", "'ABC'", "'a_c%'", "CAST(NULL AS VARCHAR)", "'42'", "'3.5'"];
    private static readonly string[] BoolLiterals = ["TRUE", "FALSE", "CAST(NULL AS BOOLEAN)"];
    private static readonly string[] TimestampLiterals = ["TIMESTAMP '2026-01-01 10:00:00'", "TIMESTAMP '1999-12-31 23:59:59.5'", "CAST('2026-06-15 12:30:00' AS TIMESTAMP)", "CAST(NULL AS TIMESTAMP)"];

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private bool Chance(int percent) => _random.Next(100) < percent;

    public string Next() => _random.Next(13) switch
    {
        12 => Bytea(3),
        11 => Time(3),
        9 => SmallInt(3),
        10 => Real(3),
        7 => Interval(2),
        8 => DateValue(2),
        0 => Int(3),
        1 => Numeric(3),
        2 => Text(3),
        3 => Bool(3),
        4 => BigInt(3),
        5 => Double(2),
        _ => Timestamp(2),
    };

    private string Int(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(IntLiterals);
        }

        return _random.Next(13) switch
        {
            9 => $"strpos({Text(depth - 1)}, {Pick(["'a'", "'l'", "''", "'World'"])})",
            10 => $"{Pick(["greatest", "least"])}({Int(depth - 1)}, {Int(depth - 1)}, {Int(depth - 1)})",
            11 => $"nullif({Int(depth - 1)}, {Int(depth - 1)})",
            12 => $"mod({Int(depth - 1)}, {Int(depth - 1)})",
            0 or 1 => $"({Int(depth - 1)} {Pick(["+", "-", "*", "/", "%"])} {Int(depth - 1)})",
            2 => $"abs({Int(depth - 1)})",
            3 => _random.Next(3) switch
            {
                0 => $"length({Bytea(depth - 1)})",
                1 => $"octet_length({Pick([Text(depth - 1), Bytea(depth - 1)])})",
                _ => $"length({Text(depth - 1)})",
            },
            4 => $"(- {Int(depth - 1)})",
            5 => $"CASE WHEN {Bool(depth - 1)} THEN {Int(depth - 1)} ELSE {Int(depth - 1)} END",
            6 => $"coalesce({Int(depth - 1)}, {Int(depth - 1)})",
            7 => $"CAST({Pick(["'12'", "' 7 '", "'x'", "'99999999999'"])} AS INT)",
            _ => _random.Next(3) switch
            {
                0 => $"({SmallInt(depth - 1)} {Pick(["+", "-", "*", "/", "%"])} {Int(depth - 1)})",
                1 => $"CAST({Real(depth - 1)} AS INT)",
                _ => $"CAST({Numeric(depth - 1)} AS INT)",
            },
        };
    }

    private string BigInt(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(BigIntLiterals);
        }

        return _random.Next(4) switch
        {
            0 => $"({BigInt(depth - 1)} {Pick(["+", "-", "*", "/"])} {Pick([Int(depth - 1), SmallInt(depth - 1)])})",
            1 => $"({Int(depth - 1)} * {BigInt(depth - 1)})",
            2 => $"abs({BigInt(depth - 1)})",
            _ => $"CAST({Int(depth - 1)} AS BIGINT)",
        };
    }

    private string Numeric(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(NumericLiterals);
        }

        return _random.Next(11) switch
        {
            8 => $"trunc({Numeric(depth - 1)}, {Pick(["0", "1", "2"])})",
            9 => $"{Pick(["sign", "trunc"])}({Numeric(depth - 1)})",
            10 => $"{Pick(["greatest", "least"])}({Numeric(depth - 1)}, {Int(depth - 1)}, {Numeric(depth - 1)})",
            0 or 1 => $"({Numeric(depth - 1)} {Pick(["+", "-", "*"])} {Pick([Numeric(depth - 1), Int(depth - 1)])})",
            2 => $"({Numeric(depth - 1)} / {Pick(["3", "7", "0.5", "2.0", "0", "-4"])})",
            3 => $"round({Numeric(depth - 1)})",
            4 => $"round({Numeric(depth - 1)}, {Pick(["0", "1", "2", "-1"])})",
            5 => $"{Pick(["abs", "floor", "ceil"])}({Numeric(depth - 1)})",
            6 => $"CAST({Int(depth - 1)} AS DECIMAL(12,2))",
            _ => $"CASE WHEN {Bool(depth - 1)} THEN {Numeric(depth - 1)} ELSE {Int(depth - 1)} END",
        };
    }

    private string Double(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(DoubleLiterals);
        }

        return _random.Next(9) switch
        {
            4 => $"{Pick(["sqrt", "exp", "ln", "log", "sign", "trunc", "floor", "ceil"])}({Double(depth - 1)})",
            5 => $"power({Double(depth - 1)}, {Pick(["2", "0.5", "-1", "0"])})",
            6 => $"date_part({Pick(["'year'", "'month'", "'minute'", "'second'", "'dow'", "'doy'", "'epoch'", "'quarter'"])}, {Timestamp(depth - 1)})",
            7 => $"{Pick(["greatest", "least"])}({Double(depth - 1)}, {Int(depth - 1)})",
            0 => $"({Double(depth - 1)} {Pick(["+", "-", "*", "/"])} {Pick([Double(depth - 1), Int(depth - 1), Numeric(depth - 1)])})",
            1 => _random.Next(2) == 0 ? $"round({Double(depth - 1)})" : $"({Real(depth - 1)} {Pick(["+", "-", "*", "/"])} {Pick([Int(depth - 1), Numeric(depth - 1), Double(depth - 1), SmallInt(depth - 1)])})",
            2 => $"abs({Double(depth - 1)})",
            _ => $"CAST({Numeric(depth - 1)} AS DOUBLE PRECISION)",
        };
    }

    private static readonly string[] SmallIntLiterals = ["CAST(1 AS SMALLINT)", "CAST(-7 AS SMALLINT)", "CAST(32767 AS SMALLINT)", "CAST(-32768 AS SMALLINT)", "CAST(300 AS SMALLINT)", "CAST(NULL AS SMALLINT)", "CAST('12' AS INT2)", "CAST(0 AS SMALLINT)"];
    private static readonly string[] RealLiterals = ["CAST(1.5 AS REAL)", "CAST(0.1 AS REAL)", "CAST('1e30' AS REAL)", "CAST('3.4e38' AS REAL)", "CAST(-2 AS REAL)", "CAST(NULL AS REAL)", "CAST('NaN' AS REAL)", "CAST(1234567 AS REAL)", "CAST('1e-30' AS REAL)", "CAST(0 AS FLOAT4)", "CAST(2.5 AS REAL)", "CAST('-Infinity' AS REAL)"];

    private string SmallInt(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(SmallIntLiterals);
        }

        return _random.Next(9) switch
        {
            0 or 1 => $"({SmallInt(depth - 1)} {Pick(["+", "-", "*", "/", "%"])} {SmallInt(depth - 1)})",
            2 => $"abs({SmallInt(depth - 1)})",
            3 => $"(- {SmallInt(depth - 1)})",
            4 => $"CAST({Pick([Int(depth - 1), Numeric(depth - 1), Real(depth - 1), Double(depth - 1)])} AS SMALLINT)",
            5 => $"mod({SmallInt(depth - 1)}, {SmallInt(depth - 1)})",
            6 => $"CASE WHEN {Bool(depth - 1)} THEN {SmallInt(depth - 1)} ELSE {SmallInt(depth - 1)} END",
            7 => $"{Pick(["greatest", "least", "coalesce", "nullif"])}({SmallInt(depth - 1)}, {SmallInt(depth - 1)})",
            _ => $"CAST({Pick(["'123'", "' -5 '", "'40000'", "'x'", "'1.5'"])} AS SMALLINT)",
        };
    }

    private string Real(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(RealLiterals);
        }

        return _random.Next(8) switch
        {
            0 or 1 => $"({Real(depth - 1)} {Pick(["+", "-", "*", "/"])} {Real(depth - 1)})",
            2 => $"abs({Real(depth - 1)})",
            3 => $"(- {Real(depth - 1)})",
            4 => $"CAST({Pick([Int(depth - 1), Numeric(depth - 1), Double(depth - 1), SmallInt(depth - 1)])} AS REAL)",
            5 => $"CASE WHEN {Bool(depth - 1)} THEN {Real(depth - 1)} ELSE {SmallInt(depth - 1)} END",
            6 => $"{Pick(["greatest", "least", "coalesce"])}({Real(depth - 1)}, {Pick([Real(depth - 1), Int(depth - 1)])})",
            _ => $"CAST({Pick(["'0.3'", "'1e39'", "'-1.25e-3'", "'abc'", "' 7 '", "'inf'"])} AS REAL)",
        };
    }

    private static readonly string[] TimeLiterals = ["TIME '10:11:12'", "TIME '00:00'", "TIME '23:59:59.999999'", "TIME '24:00'", "CAST('1:2:3.5' AS TIME)", "CAST(NULL AS TIME)", "TIME '12:00:00.000001'"];

    private string Time(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(TimeLiterals);
        }

        return _random.Next(5) switch
        {
            0 => $"({Time(depth - 1)} {Pick(["+", "-"])} {Interval(depth - 1)})",
            1 => $"({Interval(depth - 1)} + {Time(depth - 1)})",
            2 => $"CAST({Timestamp(depth - 1)} AS TIME)",
            3 => $"CASE WHEN {Bool(depth - 1)} THEN {Time(depth - 1)} ELSE {Pick(TimeLiterals)} END",
            _ => $"CAST({Pick(["'10:00'", "'25:00'", "'x'", "' 7:30 '", "'23:59:60'"])} AS TIME)",
        };
    }

    private static readonly string[] ByteaLiterals = ["CAST('\\x0a0b' AS BYTEA)", "CAST('abc' AS BYTEA)", "CAST('\\x' AS BYTEA)", "CAST('a\\\\b\\001' AS BYTEA)", "CAST(NULL AS BYTEA)", "CAST('\\xFF00' AS BYTEA)", "CAST('é' AS BYTEA)"];

    private string Bytea(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(ByteaLiterals);
        }

        return _random.Next(4) switch
        {
            0 or 1 => $"({Bytea(depth - 1)} || {Pick([Bytea(depth - 1), "'\\x01'", "'z'"])})",
            2 => $"CASE WHEN {Bool(depth - 1)} THEN {Bytea(depth - 1)} ELSE {Bytea(depth - 1)} END",
            _ => $"CAST({Pick(["'\\x0g'", "'\\x0'", "'a\\9'", "'\\x 01 02'", "'plain'"])} AS BYTEA)",
        };
    }

    private string Text(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(TextLiterals);
        }

        return _random.Next(17) switch
        {
            9 => $"{Pick(["initcap", "ltrim", "rtrim", "reverse"])}({Text(depth - 1)})",
            10 => $"replace({Text(depth - 1)}, {Pick(["'a'", "'l'", "''", "' '"])}, {Pick(["'X'", "''", "'--'"])})",
            11 => $"{Pick(["left", "right"])}({Text(depth - 1)}, {Pick(["2", "-2", "0", "10"])})",
            12 => $"{Pick(["lpad", "rpad"])}({Text(depth - 1)}, {Pick(["5", "2", "0"])}, {Pick(["'*'", "'ab'", "''"])})",
            13 => $"split_part({Text(depth - 1)}, {Pick(["' '", "'l'", "''"])}, {Pick(["1", "2", "-1", "0"])})",
            14 => $"repeat({Text(depth - 1)}, {Pick(["0", "2", "-1"])})",
            15 => $"concat_ws({Pick(["','", "NULL", "''"])}, {Text(depth - 1)}, {Int(depth - 1)}, {Bool(depth - 1)})",
            16 => $"nullif({Text(depth - 1)}, {Text(depth - 1)})",
            0 => $"({Text(depth - 1)} || {Text(depth - 1)})",
            1 => $"upper({Text(depth - 1)})",
            2 => $"lower({Text(depth - 1)})",
            3 => $"substring({Text(depth - 1)}, {Pick(["1", "2", "0", "-1", "5"])}, {Pick(["1", "3", "0", "10", "-1"])})",
            4 => $"trim({Text(depth - 1)})",
            5 => $"concat({Text(depth - 1)}, {Int(depth - 1)}, {Text(depth - 1)})",
            6 => $"CAST({Pick([Int(depth - 1), Numeric(depth - 1), Bool(depth - 1), SmallInt(depth - 1), Real(depth - 1), Time(depth - 1), Bytea(depth - 1)])} AS VARCHAR)",
            7 => $"coalesce({Text(depth - 1)}, {Text(depth - 1)})",
            _ => $"({Text(depth - 1)} || {Int(depth - 1)})",
        };
    }

    private string Bool(int depth)
    {
        if (depth == 0 || Chance(20))
        {
            return Pick(BoolLiterals);
        }

        return _random.Next(12) switch
        {
            0 => $"({Int(depth - 1)} {Comparison()} {Int(depth - 1)})",
            1 => _random.Next(3) switch
            {
                0 => $"({Numeric(depth - 1)} {Comparison()} {Pick([Numeric(depth - 1), Int(depth - 1)])})",
                1 => $"({SmallInt(depth - 1)} {Comparison()} {Pick([SmallInt(depth - 1), Int(depth - 1), Real(depth - 1)])})",
                _ => $"({Real(depth - 1)} {Comparison()} {Pick([Real(depth - 1), Double(depth - 1), Numeric(depth - 1)])})",
            },
            2 => _random.Next(3) == 0 ? $"({Bytea(depth - 1)} {Comparison()} {Bytea(depth - 1)})" : $"({Text(depth - 1)} {Comparison()} {Text(depth - 1)})",
            3 => $"({Bool(depth - 1)} {Pick(["AND", "OR"])} {Bool(depth - 1)})",
            4 => $"(NOT {Bool(depth - 1)})",
            5 => $"({Pick([Int(depth - 1), Text(depth - 1), Numeric(depth - 1)])} IS {Pick(["", "NOT "])}NULL)",
            6 => $"({Int(depth - 1)} IS {Pick(["", "NOT "])}DISTINCT FROM {Int(depth - 1)})",
            7 => $"({Text(depth - 1)} {Pick(["LIKE", "NOT LIKE", "ILIKE"])} {Pick(["'a%'", "'%c'", "'_b_'", "'%'", "'ABC'", "'a\\_c\\%'"])})",
            8 => $"({Int(depth - 1)} {Pick(["IN", "NOT IN"])} ({Int(0)}, {Int(0)}, {Int(0)}))",
            9 => $"({Int(depth - 1)} {Pick(["BETWEEN", "NOT BETWEEN"])} {Int(0)} AND {Int(0)})",
            10 => _random.Next(3) switch
            {
                0 => $"({Timestamp(depth - 1)} {Comparison()} {Timestamp(depth - 1)})",
                1 => $"({Time(depth - 1)} {Comparison()} {Time(depth - 1)})",
                _ => $"({Interval(depth - 1)} {Comparison()} {Interval(depth - 1)})",
            },
            _ => $"({Bool(depth - 1)} IS {Pick(["", "NOT "])}{Pick(["TRUE", "FALSE"])})",
        };
    }

    private string Timestamp(int depth)
    {
        if (depth == 0 || Chance(60))
        {
            return Pick(TimestampLiterals);
        }

        return _random.Next(2) == 0
            ? _random.Next(2) == 0 ? $"({Timestamp(depth - 1)} {Pick(["+", "-"])} {Interval(depth - 1)})" : $"CASE WHEN {Bool(depth - 1)} THEN {Timestamp(depth - 1)} ELSE {Pick(TimestampLiterals)} END"
            : $"date_trunc({Pick(["'hour'", "'day'", "'month'", "'year'", "'week'", "'minute'", "'quarter'"])}, {Timestamp(depth - 1)})";
    }

    private static readonly string[] IntervalLiterals = ["INTERVAL '1' MINUTE", "INTERVAL '1 day 02:03:04.5'", "INTERVAL '-1 days 2 hours'", "INTERVAL '14 months'", "INTERVAL '90 seconds'", "INTERVAL '0 seconds'", "CAST(NULL AS INTERVAL)", "INTERVAL '3 weeks'"];
    private static readonly string[] DateLiterals = ["DATE '2026-01-31'", "DATE '2024-02-29'", "CAST('1999-12-31' AS DATE)", "CAST(NULL AS DATE)"];

    private string Interval(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(IntervalLiterals);
        }

        return _random.Next(5) switch
        {
            0 => $"({Interval(depth - 1)} {Pick(["+", "-"])} {Interval(depth - 1)})",
            1 => $"({Interval(depth - 1)} * {Pick(["2", "0.5", "-1", "3"])})",
            2 => $"({Interval(depth - 1)} / {Pick(["2", "4", "0"])})",
            3 => _random.Next(2) == 0 ? $"({Timestamp(depth - 1)} - {Timestamp(depth - 1)})" : $"({Time(depth - 1)} - {Time(depth - 1)})",
            _ => $"(- {Interval(depth - 1)})",
        };
    }

    private string DateValue(int depth)
    {
        if (depth == 0 || Chance(30))
        {
            return Pick(DateLiterals);
        }

        return _random.Next(5) switch
        {
            0 => $"({DateValue(depth - 1)} {Pick(["+", "-"])} {Pick(["1", "30", "-366"])})",
            1 => $"CAST({Timestamp(depth - 1)} AS DATE)",
            2 => $"CAST(({DateValue(depth - 1)} - {DateValue(depth - 1)}) AS VARCHAR)",
            3 => $"CAST(({DateValue(depth - 1)} + {Time(depth - 1)}) AS VARCHAR)",
            _ => $"CAST(({DateValue(depth - 1)} + {Interval(depth - 1)}) AS VARCHAR)",
        };
    }

    private string Comparison() => Pick(["=", "<>", "<", "<=", ">", ">="]);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
