using System.Buffers.Binary;
using System.Diagnostics;
using StreamSql.Runtime.State;
using Xunit.Abstractions;

namespace StreamSql.Runtime.Tests;

public sealed class FasterStateStoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("streamsql-state-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static byte[] Key(int i) => System.Text.Encoding.UTF8.GetBytes($"key-{i}-{new string('k', i % 37)}");

    private static byte[] Value(int i, int length)
    {
        var value = new byte[length];
        for (var j = 0; j < length; j++)
        {
            value[j] = (byte)(i * 31 + j);
        }

        return value;
    }

    private static Dictionary<string, byte[]> Contents(IStateStore store)
    {
        var seen = new Dictionary<string, byte[]>();
        store.Scan((key, value) =>
        {
            Assert.True(seen.TryAdd(Convert.ToHexString(key), value.ToArray()), "key seen twice");
            return true;
        });
        return seen;
    }

    [Fact]
    public void APutThatKnowsWhetherTheKeyExistedKeepsTheCountExact()
    {
        using var store = new FasterStateStore(Path.Combine(_root, "known"), 1L << 20);
        store.Put(Key(1), Value(1, 10), existed: false);
        store.Put(Key(2), Value(2, 10), existed: false);
        store.Put(Key(1), Value(3, 10), existed: true);
        Assert.Equal(2, store.Count);
        Assert.True(store.TryGet(Key(1), out var value));
        Assert.Equal(Value(3, 10), value);
        Assert.True(store.Delete(Key(2)));
        Assert.Equal(1, store.Count);
        Assert.Single(Contents(store));

        // A delete that knows the key is there: no lookup, the count still exact.
        store.DeleteExisting(Key(1));
        Assert.Equal(0, store.Count);
        Assert.False(store.TryGet(Key(1), out _));
        Assert.Empty(Contents(store));
    }

    [Theory]
    [InlineData(1L << 20)]
    [InlineData(3L << 20)]
    [InlineData(64L << 20)]
    [InlineData(1L << 30)]
    public void IndexAndInMemoryLogStayWithinTheBudget(long budget)
    {
        var (buckets, memoryBits, pageBits) = FasterStateStore.Layout(budget);
        Assert.True(buckets * 64 + (1L << memoryBits) <= budget);
        Assert.True(buckets * 64 >= budget / 16 || buckets == 1 << 12);
        Assert.True(1L << memoryBits > budget / 4, "most of the budget goes to the log");
        Assert.InRange(memoryBits - pageBits, 1, 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FasterStateStore(Path.Combine(_root, "tiny"), 64 << 10));
    }

    [Fact]
    public void OneBudgetIsSharedAmongTheOpenStoresByDemand()
    {
        const long budget = 16L << 20;
        var provider = new FasterStateStoreProvider(_root, budget);
        var (_, memoryBits, pageBits) = FasterStateStore.Layout(budget);
        var page = 1L << pageBits;
        var stores = new List<FasterStateStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add((FasterStateStore)provider.Open($"q/p{i}"));
        }

        // Empty logs want two pages each (the floor), and get just that.
        Assert.All(stores, s => Assert.Equal(2 * page, s.LogMemoryLimitBytes));

        // One store outgrows an equal share (a quarter of the budget) while the others stay small: it gets what they
        // leave, up to its whole buffer.
        var i0 = 0;
        for (; stores[0].LogMemoryDemandBytes < budget / 2; i0++)
        {
            stores[0].Put(Key(i0), Value(i0, 1000));
        }

        Assert.True(stores[0].LogMemoryLimitBytes > budget / 4, $"{stores[0].LogMemoryLimitBytes} bytes for the growing store");
        Assert.Equal(Math.Min(stores[0].LogMemoryDemandBytes, 1L << memoryBits), stores[0].LogMemoryLimitBytes);
        Assert.All(stores.Skip(1), s => Assert.Equal(2 * page, s.LogMemoryLimitBytes));
        Assert.True(Total(stores) <= budget, $"{Total(stores)} bytes of log memory over a budget of {budget}");

        // All four writing far more than the budget: each is held to an equal share (whole pages), together within it.
        for (var i = 0; i < 40_000; i++)
        {
            stores[i % 4].Put(Key(i + 1_000_000), Value(i, 1000));
        }

        Assert.All(stores, s => Assert.InRange(s.LogMemoryLimitBytes, 2 * page, budget / 4));
        Assert.True(Total(stores) <= budget, $"{Total(stores)} bytes of log memory over a budget of {budget}");

        // Each log's in-memory part (head to tail) is within its share, give or take the page being filled, once the pages
        // whose asynchronous flush was still running (a busy disk) are evicted; older records are read back from disk.
        foreach (var store in stores)
        {
            store.EnforceLogMemoryLimit();
        }

        Assert.All(stores, s => Assert.True(s.InMemoryLogBytes <= s.LogMemoryLimitBytes + page, $"{s.InMemoryLogBytes} bytes in memory, limit {s.LogMemoryLimitBytes}"));
        for (var i = 0; i < 40_000; i += 97)
        {
            Assert.True(stores[i % 4].TryGet(Key(i + 1_000_000), out var value));
            Assert.Equal(Value(i, 1000), value);
        }

        for (var i = 0; i < i0; i += 31)
        {
            Assert.True(stores[0].TryGet(Key(i), out var value));
            Assert.Equal(Value(i, 1000), value);
        }

        // Closing stores gives their share back to the rest.
        stores[1].Dispose();
        stores[2].Dispose();
        stores[3].Dispose();
        Assert.Equal([stores[0]], provider.OpenStores());
        Assert.Equal(1L << memoryBits, stores[0].LogMemoryLimitBytes);
        stores[0].Dispose();
        Assert.Empty(provider.OpenStores());

        static long Total(List<FasterStateStore> stores)
        {
            long total = 0;
            foreach (var store in stores)
            {
                total += store.LogMemoryLimitBytes;
            }

            return total;
        }
    }

    [Fact]
    public void PutGetOverwriteDeleteAndCount()
    {
        using var store = new FasterStateStoreProvider(_root, 4 << 20).Open("q1/agg");
        int[] lengths = [0, 1, 7, 100, 1000, 4096, 10 * 1024];
        for (var i = 0; i < lengths.Length; i++)
        {
            store.Put(Key(i), Value(i, lengths[i]));
        }

        Assert.Equal(lengths.Length, store.Count);
        for (var i = 0; i < lengths.Length; i++)
        {
            Assert.True(store.TryGet(Key(i), out var value));
            Assert.Equal(Value(i, lengths[i]), value);
        }

        // Overwrites that grow, shrink and empty the value; the count does not move.
        store.Put(Key(0), Value(100, 10 * 1024));
        store.Put(Key(6), Value(101, 3));
        store.Put(Key(3), []);
        Assert.Equal(lengths.Length, store.Count);
        Assert.True(store.TryGet(Key(0), out var grown));
        Assert.Equal(Value(100, 10 * 1024), grown);
        Assert.True(store.TryGet(Key(6), out var shrunk));
        Assert.Equal(Value(101, 3), shrunk);
        Assert.True(store.TryGet(Key(3), out var empty));
        Assert.Empty(empty!);

        Assert.True(store.Delete(Key(1)));
        Assert.False(store.Delete(Key(1)));
        Assert.False(store.Delete(Key(999)));
        Assert.False(store.TryGet(Key(1), out var gone));
        Assert.Null(gone);
        Assert.Equal(lengths.Length - 1, store.Count);

        // A deleted key comes back as new.
        store.Put(Key(1), Value(7, 5));
        Assert.Equal(lengths.Length, store.Count);
        Assert.True(store.TryGet(Key(1), out var back));
        Assert.Equal(Value(7, 5), back);
        Assert.True(store.SizeBytes > 10 * 1024);
    }

    [Fact]
    public void ScanSeesEachLiveKeyOnceWithItsLatestValue()
    {
        // A small budget so older versions of the keys are on disk as well as in memory.
        using var store = new FasterStateStoreProvider(_root, 1 << 20).Open("scan");
        var expected = new Dictionary<string, byte[]>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 5000; i++)
            {
                var value = Value(i + round, 20 + i % 50);
                store.Put(Key(i), value);
                expected[Convert.ToHexString(Key(i))] = value;
            }
        }

        for (var i = 0; i < 5000; i += 3)
        {
            Assert.True(store.Delete(Key(i)));
            expected.Remove(Convert.ToHexString(Key(i)));
        }

        // Re-put some deleted keys: alive again with the new value.
        for (var i = 0; i < 5000; i += 9)
        {
            store.Put(Key(i), [1, 2, 3]);
            expected[Convert.ToHexString(Key(i))] = [1, 2, 3];
        }

        var seen = Contents(store);
        Assert.Equal(expected.Count, store.Count);
        Assert.Equal(expected.Count, seen.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, seen[key]);
        }

        var visited = 0;
        store.Scan((_, _) => ++visited < 10);
        Assert.Equal(10, visited);
    }

    [Fact]
    public void SkewedUpdatesOfManyKeysKeepEveryKey()
    {
        // Nexmark q18's table at 1 M events lost a few of 292,539 keys with a 64 MB budget: many keys, hot ones updated
        // often, values of ~200 bytes, so most versions spill while some keys are rewritten.
        using var store = new FasterStateStoreProvider(_root, 1 << 20).Open("skew");
        var random = new Random(7);
        var live = new HashSet<int>();
        for (var n = 0; n < 600_000; n++)
        {
            var i = random.Next(4) > 0 ? (n / 1000) * 7 + random.Next(3) : random.Next(n / 3 + 1) + 1_000_000;
            store.Put(Key(i), Value(i + n, 150 + n % 100));
            live.Add(i);
        }

        var missing = 0;
        foreach (var i in live)
        {
            missing += store.TryGet(Key(i), out _) ? 0 : 1;
        }

        output.WriteLine($"live {live.Count}, count {store.Count}, scan {Contents(store).Count}, missing on get {missing}");
        Assert.Equal(0, missing);
        Assert.Equal(live.Count, Contents(store).Count);
        Assert.Equal(live.Count, store.Count);
    }

    [Fact]
    public void ManyKeysSpillToDiskAndReadBack()
    {
        const int keys = 200_000;
        using var store = new FasterStateStoreProvider(_root, 1 << 20).Open("spill");
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < keys; i++)
        {
            store.Put(Key(i), Value(i, 16 + i % 64));
        }

        var putSeconds = stopwatch.Elapsed.TotalSeconds;
        Assert.Equal(keys, store.Count);
        Assert.True(store.SizeBytes > 4 << 20, $"log holds {store.SizeBytes} bytes, more than the 1 MB budget");
        stopwatch.Restart();
        for (var i = 0; i < keys; i++)
        {
            Assert.True(store.TryGet(Key(i), out var value), $"key {i}");
            Assert.Equal(Value(i, 16 + i % 64), value);
        }

        output.WriteLine($"{keys} puts in {putSeconds:F2}s ({keys / putSeconds:F0}/s), gets in {stopwatch.Elapsed.TotalSeconds:F2}s, log {store.SizeBytes} bytes");
    }

    [Fact]
    public void ReopenFromCheckpointRestoresExactlyTheCheckpointedContents()
    {
        var provider = new FasterStateStoreProvider(_root, 1 << 20);
        string token;
        Dictionary<string, byte[]> checkpointed;
        using (var store = provider.Open("q/cp"))
        {
            for (var i = 0; i < 20_000; i++)
            {
                store.Put(Key(i), Value(i, 40));
            }

            store.Delete(Key(5));
            store.Put(Key(6), Value(66, 10));
            checkpointed = Contents(store);
            token = store.Checkpoint();

            // After the checkpoint: new keys, an overwrite and a delete that must all be undone.
            for (var i = 20_000; i < 30_000; i++)
            {
                store.Put(Key(i), Value(i, 40));
            }

            store.Put(Key(7), Value(77, 10));
            store.Delete(Key(8));
            Assert.Equal(29_998, store.Count);
        }

        using (var reopened = provider.Open("q/cp", token))
        {
            Assert.Equal(checkpointed.Count, reopened.Count);
            var contents = Contents(reopened);
            Assert.Equal(checkpointed.Keys.Order(), contents.Keys.Order());
            foreach (var (key, value) in checkpointed)
            {
                Assert.Equal(value, contents[key]);
            }

            Assert.False(reopened.TryGet(Key(25_000), out _));
            Assert.True(reopened.TryGet(Key(7), out var seven));
            Assert.Equal(Value(7, 40), seven);
            Assert.True(reopened.TryGet(Key(8), out _));
            Assert.False(reopened.TryGet(Key(5), out _));

            // The recovered store keeps working and checkpointing; only the newest two checkpoints stay on disk.
            reopened.Put(Key(5), [5]);
            Assert.Equal(checkpointed.Count + 1, reopened.Count);
            reopened.Checkpoint();
            reopened.Checkpoint();
            var last = reopened.Checkpoint();
            var kept = Directory.GetDirectories(Path.Combine(_root, "q/cp/checkpoints/cpr-checkpoints"));
            Assert.Equal(2, kept.Length);
            Assert.Contains(kept, d => last.StartsWith(Path.GetFileName(d) + "@", StringComparison.Ordinal));
        }

        provider.Delete("q/cp");
        Assert.False(Directory.Exists(Path.Combine(_root, "q/cp")));
        Assert.Throws<ArgumentException>(() => provider.Open("../escape"));
    }

    [Fact]
    public void TheIndexGrowsWithTheKeysAndAStoreRecoversAtTheSizeItWasCheckpointedWith()
    {
        // 64 MB allows an 8 MB index (2^17 buckets); the store starts at 2^14 and doubles as overflow buckets pile up.
        var provider = new FasterStateStoreProvider(_root, 64L << 20);
        string small, grown;
        long grownBuckets;
        using (var store = (FasterStateStore)provider.Open("q/grow"))
        {
            Assert.Equal(1L << 14, store.IndexBuckets);
            for (var i = 0; i < 1000; i++)
            {
                store.Put(Key(i), Value(i, 20));
            }

            small = store.Checkpoint();
            Assert.EndsWith("@16384", small);
            for (var i = 1000; i < 400_000; i++)
            {
                store.Put(Key(i), Value(i, 20));
            }

            grownBuckets = store.IndexBuckets;
            Assert.True(grownBuckets >= 1L << 16, $"index of {grownBuckets} buckets for 400,000 keys");
            Assert.True(grownBuckets <= 1L << 17, $"index of {grownBuckets} buckets beyond the budget's share");
            for (var i = 0; i < 400_000; i += 997)
            {
                Assert.True(store.TryGet(Key(i), out var value), $"key {i} after growing");
                Assert.Equal(Value(i, 20), value);
            }

            Assert.Equal(400_000, store.Count);
            grown = store.Checkpoint();
        }

        using (var reopened = (FasterStateStore)provider.Open("q/grow", grown))
        {
            Assert.Equal(grownBuckets, reopened.IndexBuckets);
            Assert.Equal(400_000, reopened.Count);
            Assert.True(reopened.TryGet(Key(399_999), out var last));
            Assert.Equal(Value(399_999, 20), last);
        }

        // The older checkpoint, taken before the index grew, recovers at its own size.
        using (var older = (FasterStateStore)provider.Open("q/grow", small))
        {
            Assert.Equal(1L << 14, older.IndexBuckets);
            Assert.Equal(1000, older.Count);
            Assert.False(older.TryGet(Key(1000), out _));
        }
    }

    [Fact]
    public async Task ConcurrentWriterAndReadersSeeConsistentValues()
    {
        using var store = new FasterStateStoreProvider(_root, 1 << 20).Open("concurrent");
        const int keys = 2000;

        // Every value is the key's number followed by a version: a reader can check a value belongs to its key.
        static byte[] Versioned(int key, int version)
        {
            var value = new byte[8 + key % 100];
            BinaryPrimitives.WriteInt32LittleEndian(value, key);
            BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), version);
            return value;
        }

        for (var i = 0; i < keys; i++)
        {
            store.Put(Key(i), Versioned(i, 0));
        }

        var writer = Task.Run(() =>
        {
            for (var version = 1; version <= 20; version++)
            {
                for (var i = 0; i < keys; i++)
                {
                    store.Put(Key(i), Versioned(i, version));
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var lastVersion = new int[keys];
            var scans = 0;
            while (!writer.IsCompleted || scans == 0)
            {
                if (r == 0)
                {
                    var count = 0;
                    store.Scan((key, value) =>
                    {
                        var id = BinaryPrimitives.ReadInt32LittleEndian(value);
                        Assert.Equal(Key(id), key.ToArray());
                        Assert.Equal(8 + id % 100, value.Length);
                        count++;
                        return true;
                    });
                    Assert.Equal(keys, count);
                    scans++;
                }
                else
                {
                    for (var i = 0; i < keys; i += 7)
                    {
                        Assert.True(store.TryGet(Key(i), out var value));
                        Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(value));

                        // One writer, versions only go up.
                        var version = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4));
                        Assert.True(version >= lastVersion[i]);
                        lastVersion[i] = version;
                    }

                    scans++;
                }
            }

            return scans;
        })).ToArray();

        await Task.WhenAll([writer, .. readers]);
        Assert.Equal(keys, store.Count);
        for (var i = 0; i < keys; i++)
        {
            Assert.True(store.TryGet(Key(i), out var value));
            Assert.Equal(Versioned(i, 20), value);
        }
    }

    [Fact]
    [Trait("Category", "State")]
    public void FiveMillionCountersStayWithinMemory()
    {
        const int keys = 5_000_000;
        using var store = new FasterStateStoreProvider(_root, 64 << 20).Open("counters");
        Span<byte> key = stackalloc byte[8];
        Span<byte> value = stackalloc byte[24];
        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; i < keys; i++)
        {
            // A count per key as an aggregation would keep it: count, sum, last timestamp.
            BinaryPrimitives.WriteInt64BigEndian(key, i * 2654435761L);
            BinaryPrimitives.WriteInt64LittleEndian(value, i % 1000);
            BinaryPrimitives.WriteInt64LittleEndian(value[8..], i);
            BinaryPrimitives.WriteInt64LittleEndian(value[16..], ~i);
            store.Put(key, value);
        }

        var putSeconds = stopwatch.Elapsed.TotalSeconds;
        Assert.Equal(keys, store.Count);
        stopwatch.Restart();
        var random = new Random(42);
        for (var n = 0; n < 10_000; n++)
        {
            long i = random.Next(keys);
            BinaryPrimitives.WriteInt64BigEndian(key, i * 2654435761L);
            Assert.True(store.TryGet(key, out var read), $"key {i}");
            Assert.Equal(24, read!.Length);
            Assert.Equal(i % 1000, BinaryPrimitives.ReadInt64LittleEndian(read));
            Assert.Equal(i, BinaryPrimitives.ReadInt64LittleEndian(read.AsSpan(8)));
            Assert.Equal(~i, BinaryPrimitives.ReadInt64LittleEndian(read.AsSpan(16)));
        }

        var getSeconds = stopwatch.Elapsed.TotalSeconds;
        var peakRss = PeakRssBytes();
        output.WriteLine(
            $"{keys} puts in {putSeconds:F1}s ({keys / putSeconds:F0}/s); 10000 random gets in {getSeconds:F2}s; log {store.SizeBytes >> 20} MB; peak RSS (VmHWM) {peakRss >> 20} MB");
        Assert.True(peakRss < 1L << 30, $"peak RSS {peakRss >> 20} MB");
    }

    private static long PeakRssBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
    }
}
