using FASTER.core;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Storage;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>The FASTER device the topics and state stores write through, with and without a flush to disk per write.</summary>
public sealed class BufferedFileDeviceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-device-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writes_land_in_segment_files_and_read_back(bool sync)
    {
        var path = Path.Combine(_directory, "log");
        using var device = new BufferedFileDevice(path, sync);
        device.Initialize(1L << 20);
        var page = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();

        await WriteAsync(device, page, segment: 1, offset: 512);
        Assert.True(File.Exists(path + ".1"));
        Assert.Equal(512 + page.Length, device.GetFileSize(1));
        Assert.Equal(0, device.GetFileSize(2));

        var back = await ReadAsync(device, segment: 1, offset: 512, length: page.Length);
        Assert.Equal(page, back);

        device.RemoveSegment(1);
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void A_reopened_log_takes_its_segments_from_the_files()
    {
        var path = Path.Combine(_directory, "hlog.log");
        foreach (var segment in new[] { 3, 4, 5 })
        {
            File.WriteAllBytes(path + "." + segment, [1]);
        }

        using var device = new BufferedFileDevice(path, sync: false, recover: true);
        Assert.Equal(3, device.StartSegment);
        Assert.Equal(5, device.EndSegment);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Topics_and_state_stores_reopen_with_what_was_written(bool sync)
    {
        using (var store = new EmbeddedTopicStore(_directory, sync))
        {
            var topic = store.GetOrCreate("t", 1);
            for (var i = 0; i < 50; i++)
            {
                await topic.AppendAsync(0, [new ProducedRecord(null, BitConverter.GetBytes(i), i)]);
            }
        }

        using (var reopened = new EmbeddedTopicStore(_directory, sync))
        {
            var records = new List<TopicRecord>();
            using var reader = reopened.Find("t")!.OpenReader(0, 0);
            while (reader.TryRead(records, 100) > 0)
            {
            }

            Assert.Equal(Enumerable.Range(0, 50), records.Select(r => BitConverter.ToInt32(r.Value)));
        }

        string token;
        var stateDirectory = Path.Combine(_directory, "state");
        using (var state = new FasterStateStore(stateDirectory, 1 << 20, syncWrites: sync))
        {
            for (var i = 0; i < 20_000; i++)
            {
                state.Put(BitConverter.GetBytes(i), BitConverter.GetBytes(i * 3));
            }

            token = state.Checkpoint();
        }

        using var recovered = new FasterStateStore(stateDirectory, 1 << 20, token, syncWrites: sync);
        Assert.Equal(20_000, recovered.Count);
        Assert.True(recovered.TryGet(BitConverter.GetBytes(12_345), out var value));
        Assert.Equal(12_345 * 3, BitConverter.ToInt32(value));
    }

    private static Task WriteAsync(IDevice device, byte[] data, int segment, ulong offset)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pinned = System.Runtime.InteropServices.GCHandle.Alloc(data, System.Runtime.InteropServices.GCHandleType.Pinned);
        device.WriteAsync(pinned.AddrOfPinnedObject(), segment, offset, (uint)data.Length, (error, written, _) =>
        {
            pinned.Free();
            if (error != 0 || written != data.Length)
            {
                done.SetException(new IOException($"write failed: error {error}, {written} bytes"));
            }
            else
            {
                done.SetResult();
            }
        }, null);
        return done.Task;
    }

    private static async Task<byte[]> ReadAsync(IDevice device, int segment, ulong offset, int length)
    {
        var buffer = new byte[length];
        var done = new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pinned = System.Runtime.InteropServices.GCHandle.Alloc(buffer, System.Runtime.InteropServices.GCHandleType.Pinned);
        device.ReadAsync(segment, offset, pinned.AddrOfPinnedObject(), (uint)length, (error, read, _) =>
        {
            pinned.Free();
            if (error != 0)
            {
                done.SetException(new IOException($"read failed: error {error}"));
            }
            else
            {
                done.SetResult(read);
            }
        }, null);
        Assert.Equal((uint)length, await done.Task);
        return buffer;
    }
}
