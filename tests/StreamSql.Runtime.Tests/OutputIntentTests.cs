using StreamSql.Runtime.Queries;

namespace StreamSql.Runtime.Tests;

public sealed class OutputIntentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-intent-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SingleInputIntentSurvivesAReopen()
    {
        new OffsetStore(_directory).SaveIntent(new OutputIntent(1, 42, [3, 4]));
        var intent = new OffsetStore(_directory).LoadIntent()!;
        Assert.Equal((1, 42L, null as JoinIntent), (intent.SourcePartition, intent.EndOffset, intent.Join));
        Assert.Equal([3L, 4L], intent.SinkEnds);
    }

    [Fact]
    public void JoinIntentRecordsBothInputs()
    {
        var store = new OffsetStore(_directory);
        store.SaveIntent(new OutputIntent(0, 10, [7], new JoinIntent(5, 2, 8, 12)));
        var intent = store.LoadIntent()!;
        Assert.Equal((0, 10L), (intent.SourcePartition, intent.EndOffset));
        Assert.Equal([7L], intent.SinkEnds);
        Assert.Equal(new JoinIntent(5, 2, 8, 12), intent.Join);
    }

    [Fact]
    public void CorruptIntentIsReported()
    {
        var store = new OffsetStore(_directory);
        File.WriteAllText(Path.Combine(_directory, "output.intent"), "0 10 7 | 5 x");
        Assert.Throws<InvalidDataException>(() => store.LoadIntent());
    }
}
