using StreamSql.Runtime.Expressions;

namespace StreamSql.Runtime.Tests;

/// <summary>A unit named by several literals of one query (each its own string object) resolves without allocating per row.</summary>
public sealed class TimeFieldNamesTests
{
    [Fact]
    public void Units_named_by_several_literals_are_remembered()
    {
        var names = new TimeFieldNames(new Dictionary<string, TimeField> { ["minute"] = TimeField.Minute, ["second"] = TimeField.Second });
        // Distinct objects, as the parser makes one per literal.
        string[] units = [new("minute".AsSpan()), new("MINUTE".AsSpan()), new("minute".AsSpan()), new("second".AsSpan())];
        TimeField[] expected = [TimeField.Minute, TimeField.Minute, TimeField.Minute, TimeField.Second];
        for (var i = 0; i < units.Length; i++)
        {
            Assert.Equal(expected[i], names.Find(units[i]));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var row = 0; row < 1000; row++)
        {
            for (var i = 0; i < units.Length; i++)
            {
                if (names.Find(units[i]) != expected[i])
                {
                    Assert.Fail($"row {row}: {units[i]} resolved to {names.Find(units[i])}");
                }
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(TimeField.Unknown, names.Find("fortnight"));
    }
}
