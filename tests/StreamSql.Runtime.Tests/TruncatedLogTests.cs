using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>A partition log whose file lost its tail (disk trouble, a copy cut short) is never read as silently shorter.</summary>
public sealed class TruncatedLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-truncated-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TruncatedSegmentIsReportedNamingTheFile()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            var topic = store.GetOrCreate("t", 1);
            for (var i = 0; i < 20; i++)
            {
                await topic.AppendAsync(0, [new ProducedRecord(null, new byte[100], i)]);
            }
        }

        var segment = Directory.GetFiles(Path.Combine(_directory, "topics", "t", "0"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("commit", StringComparison.OrdinalIgnoreCase) && new FileInfo(f).Length > 0)
            .OrderByDescending(f => new FileInfo(f).Length).First();
        var length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(length / 2);
        }

        var error = Record.Exception(() =>
        {
            using var reopened = new EmbeddedTopicStore(_directory);
            var records = new List<TopicRecord>();
            using var reader = reopened.Find("t")!.OpenReader(0, 0);
            while (reader.TryRead(records, 100) > 0)
            {
            }

            Assert.Equal(20, records.Count);
        });

        Assert.NotNull(error);
        Assert.Contains("t/0", error.Message.Replace('\\', '/'));
    }
}
