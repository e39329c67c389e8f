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
}
