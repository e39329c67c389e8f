using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Tests.Types;

/// <summary>Text input and output of real, time and bytea, with the expected strings taken from PostgreSQL 15.</summary>
public sealed class TextValuesTests
{
    [Theory]
    [InlineData(0.1f, "0.1")]
    [InlineData(1234567f, "1.234567e+06")]
    [InlineData(123456f, "123456")]
    [InlineData(1e20f, "1e+20")]
    [InlineData(1e-5f, "1e-05")]
    [InlineData(0.0001f, "0.0001")]
    [InlineData(16777217f, "1.6777216e+07")]
    [InlineData(123456.7f, "123456.7")]
    [InlineData(1f / 3f, "0.33333334")]
    [InlineData(-2.5f, "-2.5")]
    [InlineData(-0f, "-0")]
    [InlineData(float.MaxValue, "3.4028235e+38")]
    [InlineData(float.Epsilon, "1e-45")]
    public void RealPrintsTheShortestRoundTrip(float value, string expected) => Assert.Equal(expected, TextValues.FormatReal(value));

    [Theory]
    [InlineData("10:11:12", "10:11:12")]
    [InlineData("1:2:3.5", "01:02:03.5")]
    [InlineData("10:00:00.1234567", "10:00:00.123457")]
    [InlineData("24:00", "24:00:00")]
    [InlineData("2026-01-02 03:04:05", "03:04:05")]
    public void TimeRoundTrips(string input, string expected) => Assert.Equal(expected, TextValues.FormatTime(TextValues.ParseTime(input, null)));

    [Theory]
    [InlineData("25:00", SqlState.DatetimeFieldOverflow)]
    [InlineData("abc", SqlState.InvalidDatetimeFormat)]
    public void BadTimesFail(string input, string sqlState) =>
        Assert.Equal(sqlState, Assert.Throws<SqlException>(() => TextValues.ParseTime(input, null)).SqlState);

    [Theory]
    [InlineData("\\x0A0b", "\\x0a0b")]
    [InlineData("\\x 0a 0b", "\\x0a0b")]
    [InlineData("abc", "\\x616263")]
    [InlineData("a\\\\b\\001", "\\x615c6201")]
    [InlineData("", "\\x")]
    public void ByteaRoundTrips(string input, string expected) => Assert.Equal(expected, TextValues.FormatBytea(TextValues.ParseBytea(input, null)));

    [Theory]
    [InlineData("\\x0g", SqlState.InvalidParameterValue)]
    [InlineData("\\x0", SqlState.InvalidParameterValue)]
    [InlineData("a\\9", SqlState.InvalidTextRepresentation)]
    public void BadByteaFails(string input, string sqlState) =>
        Assert.Equal(sqlState, Assert.Throws<SqlException>(() => TextValues.ParseBytea(input, null)).SqlState);

    // Epoch microseconds and their text from PostgreSQL 15 (SELECT t::timestamp, extract(epoch FROM t::timestamp) * 1000000).
    [Theory]
    [InlineData(-500000L, "1969-12-31 23:59:59.5")]
    [InlineData(-62135596800000000L, "0001-01-01 00:00:00")]
    [InlineData(253402300799999999L, "9999-12-31 23:59:59.999999")]
    [InlineData(946684800000001L, "2000-01-01 00:00:00.000001")]
    [InlineData(1795719845120000L, "2026-11-26 19:04:05.12")]
    [InlineData(-2203934399876600L, "1900-02-28 12:00:00.1234")]
    [InlineData(0L, "1970-01-01 00:00:00")]
    public void TimestampPrintsAsPostgres(long micros, string expected)
    {
        Assert.Equal(expected, TextValues.FormatTimestamp(micros));
        Assert.Equal(expected + "+00", TextValues.FormatTimestampTz(micros));
    }

    /// <summary>Random times of years 1 to 9999 against .NET's formatting of the same instant.</summary>
    [Fact]
    public void TimestampTextMatchesTheCalendar()
    {
        var random = new Random(5);
        var epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 20_000; i++)
        {
            var micros = random.NextInt64(-62135596800000000L, 253402300799999999L);
            // Some whole seconds and some whole milliseconds, as well as any microsecond.
            micros = (i % 3) switch { 0 => micros - (micros % 1_000_000), 1 => micros - (micros % 1000), _ => micros };
            var dt = epoch.AddTicks(micros * 10);
            var expected = dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
            Assert.Equal(expected, TextValues.FormatTimestamp(micros));
        }

        Assert.ThrowsAny<ArgumentException>(() => TextValues.FormatTimestamp(253402300800000000L));
    }
}
