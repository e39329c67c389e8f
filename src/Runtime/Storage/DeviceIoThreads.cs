using System.Collections.Concurrent;

namespace StreamSql.Runtime.Storage;

/// <summary>
/// Dedicated threads for device reads and writes. On the shared thread pool an I/O, and every step of a commit that
/// follows it (page flush, commit record, completion), would queue behind operators' batches, which keep the pool's
/// threads busy for tens of milliseconds each: commits then wait on the queue, not on the disk.
/// </summary>
internal static class DeviceIoThreads
{
    private const int Threads = 4;
    private static readonly BlockingCollection<Action> Queue = Start();

    public static void Run(Action io) => Queue.Add(io);

    private static BlockingCollection<Action> Start()
    {
        var queue = new BlockingCollection<Action>();
        for (var i = 0; i < Threads; i++)
        {
            new Thread(() =>
            {
                foreach (var io in queue.GetConsumingEnumerable())
                {
                    io();
                }
            })
            {
                IsBackground = true,
                Name = "streamsql-io-" + i,
            }.Start();
        }

        return queue;
    }
}
