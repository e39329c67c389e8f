using FASTER.core;
using StreamSql.Runtime.Storage;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>A partition's log commits go to two slots of one file, written in place; a torn slot costs only its own commit.</summary>
public sealed class SlottedLogCommitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-slots-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PartitionDirectory => Path.Combine(_directory, "topics", "t", "0");

    private static async Task AppendBatchesAsync(EmbeddedTopicStore store, int batches, int from = 0)
    {
        var topic = store.GetOrCreate("t", 1);
        for (var i = from; i < from + batches; i++)
        {
            await topic.AppendAsync(0, [new ProducedRecord(null, BitConverter.GetBytes(i), i)]);
        }
    }

    private List<int> ReadValues()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var records = new List<TopicRecord>();
        using var reader = store.Find("t")!.OpenReader(0, 0);
        while (reader.TryRead(records, 100) > 0)
        {
        }

        return [.. records.Select(r => BitConverter.ToInt32(r.Value))];
    }

    [Fact]
    public async Task CommitsOfEveryBatchLeaveOneFileAndReopenAtTheLast()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            await AppendBatchesAsync(store, 40);
        }

        Assert.Equal(Enumerable.Range(0, 40), ReadValues());
        Assert.Equal(8192, new FileInfo(Path.Combine(PartitionDirectory, "log-commit.slots")).Length);
        Assert.False(Directory.Exists(Path.Combine(PartitionDirectory, "log-commits")));

        using (var store = new EmbeddedTopicStore(_directory))
        {
            await AppendBatchesAsync(store, 5, from: 40);
        }

        Assert.Equal(Enumerable.Range(0, 45), ReadValues());
    }

    [Fact]
    public async Task ATornNewestSlotRecoversToTheCommitBefore()
    {
        using (var store = new EmbeddedTopicStore(_directory))
        {
            await AppendBatchesAsync(store, 3);
        }

        // A crash inside the last commit's write: its slot fails its checksum.
        var slots = Path.Combine(PartitionDirectory, "log-commit.slots");
        var newest = NewestSlot(slots);
        using (var file = new FileStream(slots, FileMode.Open))
        {
            file.Position = newest * 4096 + 24;
            var b = file.ReadByte();
            file.Position = newest * 4096 + 24;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        Assert.Equal([0, 1], ReadValues());
    }

    [Fact]
    public void ManagerListsNewestFirstAndSkipsACorruptSlot()
    {
        var path = Path.Combine(_directory, "c.slots");
        using (var manager = new SlottedLogCommitManager(path, sync: true))
        {
            Assert.Empty(manager.ListCommits());
            for (var n = 1; n <= 5; n++)
            {
                manager.Commit(0, n * 100, [(byte)n, 7, 7], n, false);
            }

            Assert.Equal([5, 4], manager.ListCommits());
        }

        using (var manager = new SlottedLogCommitManager(path, sync: true))
        {
            Assert.Equal([5, 4], manager.ListCommits());
            Assert.Equal([5, 7, 7], manager.GetCommitMetadata(5));
            Assert.Equal([4, 7, 7], manager.GetCommitMetadata(4));
            Assert.Null(manager.GetCommitMetadata(3));
            manager.RemoveCommit(5);
            Assert.Equal([4], manager.ListCommits());
            manager.Commit(0, 600, [6], 6, false);
            Assert.Equal([6, 4], manager.ListCommits());
        }

        var slot = NewestSlot(path);
        var bytes = File.ReadAllBytes(path);
        bytes[slot * 4096 + 20] ^= 1;
        File.WriteAllBytes(path, bytes);
        using (var manager = new SlottedLogCommitManager(path, sync: false))
        {
            Assert.Equal([4], manager.ListCommits());
        }
    }

    [Fact]
    public async Task AnOlderBuildsCommitFilesAreReadThenRemovedAtTheFirstCommit()
    {
        // The layout before the slots: FASTER's manager, one commit file per commit under log-commits/.
        using (var store = new EmbeddedTopicStore(_directory))
        {
            store.GetOrCreate("t", 1);
        }

        Directory.Delete(PartitionDirectory, recursive: true);
        Directory.CreateDirectory(PartitionDirectory);
        using (var device = new BufferedFileDevice(Path.Combine(PartitionDirectory, "fasterlog.log"), true))
        using (var commits = new DeviceLogCommitCheckpointManager(new BufferedFileDeviceFactory(true), new DefaultCheckpointNamingScheme(PartitionDirectory)))
        using (var log = new FasterLog(new FasterLogSettings { LogDevice = device, LogCommitManager = commits, PageSizeBits = 20, MemorySizeBits = 22, SegmentSizeBits = 28 }))
        {
            for (var i = 0; i < 3; i++)
            {
                log.Enqueue(EntryCodec.Encode(i, new ProducedRecord(null, BitConverter.GetBytes(i), i)));
                log.Commit(spinWait: true);
            }
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(PartitionDirectory, "log-commits"), "commit.*"));
        Assert.Equal([0, 1, 2], ReadValues());

        using (var store = new EmbeddedTopicStore(_directory))
        {
            await AppendBatchesAsync(store, 2, from: 3);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(PartitionDirectory, "log-commits"), "commit.*"));
        Assert.Equal([0, 1, 2, 3, 4], ReadValues());
    }

    // The slot whose commit number (bytes 8-15, after the magic and the checksum) is the larger.
    private static int NewestSlot(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var first = BitConverter.ToInt64(bytes, 8);
        var second = BitConverter.ToInt64(bytes, 4096 + 8);
        return second > first ? 1 : 0;
    }
}
