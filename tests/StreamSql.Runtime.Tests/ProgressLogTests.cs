using StreamSql.Runtime.Queries;

namespace StreamSql.Runtime.Tests;

/// <summary>A query's offsets and intent in its append-only progress log: reopened, torn by a crash, compacted, or next to an earlier version's files.</summary>
public sealed class ProgressLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-progress-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string LogPath => Path.Combine(_directory, "progress.log");

    [Fact]
    public void The_last_commit_of_each_partition_and_the_last_intent_are_what_a_reopen_sees()
    {
        var store = new OffsetStore(_directory);
        store.Save(0, 10);
        store.Save(1, 5);
        store.SaveIntent(new OutputIntent(0, 20, [7]));
        store.Save(0, 20);

        var reopened = new OffsetStore(_directory);
        Assert.Equal((20L, 5L, false), (reopened.Load(0), reopened.Load(1), reopened.Exists(2)));
        Assert.Equal(20, reopened.LoadIntent()!.EndOffset);

        reopened.ClearIntent();
        Assert.Null(new OffsetStore(_directory).LoadIntent());

        // One file, appended to: no file per commit.
        Assert.Equal(["progress.log"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_record_torn_by_a_crash_is_cut_off_and_later_commits_are_read()
    {
        var store = new OffsetStore(_directory);
        store.Save(0, 10);
        var whole = new FileInfo(LogPath).Length;
        store.Save(0, 11);

        // The second record half written: as if the process died in the middle of the write.
        using (var file = new FileStream(LogPath, FileMode.Open))
        {
            file.SetLength(whole + 5);
        }

        var reopened = new OffsetStore(_directory);
        Assert.Equal(10, reopened.Load(0));
        Assert.Equal(whole, new FileInfo(LogPath).Length);

        reopened.Save(0, 12);
        Assert.Equal(12, new OffsetStore(_directory).Load(0));
    }

    [Fact]
    public void A_record_whose_checksum_fails_ends_the_log()
    {
        var store = new OffsetStore(_directory);
        store.Save(0, 10);
        store.Save(0, 11);
        var bytes = File.ReadAllBytes(LogPath);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(LogPath, bytes);

        Assert.Equal(10, new OffsetStore(_directory).Load(0));
    }

    [Fact]
    public void A_long_log_is_rewritten_with_the_current_state_only()
    {
        var store = new OffsetStore(_directory, sync: false);
        store.SaveIntent(new OutputIntent(3, 1, [2]));
        for (var i = 0; i < 20_000; i++)
        {
            store.Save(i % 4, i);
        }

        Assert.True(new FileInfo(LogPath).Length < 256 * 1024, "the log was compacted");
        var reopened = new OffsetStore(_directory);
        Assert.Equal([19_996L, 19_997L, 19_998L, 19_999L], Enumerable.Range(0, 4).Select(reopened.Load));
        Assert.Equal(3, reopened.LoadIntent()!.SourcePartition);
    }

    [Fact]
    public void An_offset_saved_later_is_written_with_the_next_record_or_when_pending_offsets_are_saved()
    {
        var store = new OffsetStore(_directory);
        store.Save(0, 10);
        store.SaveLater(0, 20);
        store.SaveLater(1, 5);

        // Not yet in the file: a crash now resumes partition 0 at 10 and partition 1 from nothing.
        var reopened = new OffsetStore(_directory);
        Assert.Equal((10L, false), (reopened.Load(0), reopened.Exists(1)));

        // An intent carries the pending offsets with it (one write, one flush), before itself.
        var length = new FileInfo(LogPath).Length;
        store.SaveIntent(new OutputIntent(0, 30, [3]));
        Assert.Equal(length + 2 * (8 + 13) + 8 + "0 30 3".Length + 1, new FileInfo(LogPath).Length);
        reopened = new OffsetStore(_directory);
        Assert.Equal((20L, 5L, 30L), (reopened.Load(0), reopened.Load(1), reopened.LoadIntent()!.EndOffset));

        // A commit of the partition supersedes its pending one; SavePending writes the others.
        store.SaveLater(0, 25);
        store.SaveLater(1, 7);
        store.Save(0, 30);
        Assert.Equal((30L, 7L), (new OffsetStore(_directory).Load(0), new OffsetStore(_directory).Load(1)));
        store.SaveLater(1, 9);
        store.SavePending();
        Assert.Equal((30L, 9L), (new OffsetStore(_directory).Load(0), new OffsetStore(_directory).Load(1)));

        // Nothing pending: nothing written.
        length = new FileInfo(LogPath).Length;
        store.SavePending();
        Assert.Equal(length, new FileInfo(LogPath).Length);
    }

    [Fact]
    public void An_earlier_versions_files_are_read_until_the_log_says_otherwise()
    {
        File.WriteAllText(Path.Combine(_directory, "partition-0.offset"), "40");
        File.WriteAllText(Path.Combine(_directory, "partition-1.offset"), "50");
        File.WriteAllText(Path.Combine(_directory, "output.intent"), "1 60 9");

        var store = new OffsetStore(_directory);
        Assert.Equal((40L, 50L, 60L), (store.Load(0), store.Load(1), store.LoadIntent()!.EndOffset));

        store.Save(0, 45);
        store.ClearIntent();
        var reopened = new OffsetStore(_directory);
        Assert.Equal((45L, 50L), (reopened.Load(0), reopened.Load(1)));
        Assert.Null(reopened.LoadIntent());
    }
}
