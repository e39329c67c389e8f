using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

public sealed class ChangelogNetEffectTests
{
    private static TopicRecord Record(long offset, string? key, string? value) =>
        new(offset, 0, key is null ? null : System.Text.Encoding.UTF8.GetBytes(key), value is null ? null : System.Text.Encoding.UTF8.GetBytes(value));

    [Fact]
    public void OnlyEachKeysLastRecordOfABatchIsKept()
    {
        List<TopicRecord> batch = [Record(0, "a", "1"), Record(1, "b", "1"), Record(2, "a", "2"), Record(3, null, "x"), Record(4, "a", null), Record(5, "c", "1")];
        var latest = new LatestRecordPerKey();
        latest.Mark(batch);
        var kept = new List<long>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (latest.IsLatest(batch, i))
            {
                kept.Add(batch[i].Offset);
            }
        }

        // "a" ends deleted (its tombstone is last); a record without a key is kept, to be reported as bad.
        Assert.Equal([1L, 3L, 4L, 5L], kept);

        latest.Mark([Record(6, "a", "3")]);
        Assert.True(latest.IsLatest([Record(6, "a", "3")], 0));
    }

    [Fact]
    public void OwnRecordRangesAnswerInOffsetOrder()
    {
        var own = new OwnRecordRanges();
        own.Add(10, 5);
        own.Add(20, 0);
        own.Add(30, 2);
        Assert.False(own.Contains(9));
        Assert.True(own.Contains(10));
        Assert.True(own.Contains(14));
        Assert.False(own.Contains(15));
        Assert.False(own.Contains(29));
        Assert.True(own.Contains(31));
        Assert.False(own.Contains(32));

        // An offset asked again after a later one was answered may only be answered no (then the record is decoded): safe.
        Assert.False(own.Contains(12));
    }

    [Fact]
    public void OwnRecordRangesOfAdjacentAppendsMergeSoThatAnUnreadTableHoldsFew()
    {
        // A table nobody has read yet (its materialization starts at the first reader) is still told of every append.
        var own = new OwnRecordRanges();
        for (var batch = 0; batch < 10_000; batch++)
        {
            own.Add(batch * 100L, 100);
        }

        Assert.Equal(1, own.RangeCount);

        // A gap (another writer's record at 1,000,000) starts a new range.
        own.Add(1_000_001, 5);
        own.Add(1_000_006, 5);
        Assert.Equal(2, own.RangeCount);

        Assert.True(own.Contains(0));
        Assert.True(own.Contains(999_999));
        Assert.False(own.Contains(1_000_000));
        Assert.True(own.Contains(1_000_010));
        Assert.False(own.Contains(1_000_011));
        Assert.Equal(0, own.RangeCount);

        // Appends noted after the reader passed their start still count from there on.
        own.Add(1_000_011, 10);
        Assert.True(own.Contains(1_000_020));
    }
}

