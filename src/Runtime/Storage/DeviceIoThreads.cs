namespace StreamSql.Runtime.Storage;

/// <summary>
/// Dedicated threads for device writes (reads run on their caller: see BufferedFileDevice.ReadAsync). On the shared
/// thread pool a write, and every step of a commit that follows it (page flush, commit record, completion), would queue
/// behind operators' batches, which keep the pool's threads busy for tens of milliseconds each: commits then wait on
/// the queue, not on the disk.
/// An idle thread blocks on a monitor instead of spinning (as BlockingCollection's semaphore does): spinning I/O
/// threads took CPU time from the operators on the other cores, more than the I/O itself.
/// </summary>
internal static class DeviceIoThreads
{
    private const int Threads = 4;
    private static readonly object Gate = new();
    private static readonly Queue<Action> Pending = new();
    private static int _idle;

    static DeviceIoThreads()
    {
        for (var i = 0; i < Threads; i++)
        {
            new Thread(Serve)
            {
                IsBackground = true,
                Name = "streamsql-io-" + i,
            }.Start();
        }
    }

    public static void Run(Action io)
    {
        lock (Gate)
        {
            Pending.Enqueue(io);
            if (_idle > 0)
            {
                Monitor.Pulse(Gate);
            }
        }
    }

    private static void Serve()
    {
        while (true)
        {
            Action io;
            lock (Gate)
            {
                while (Pending.Count == 0)
                {
                    _idle++;
                    Monitor.Wait(Gate);
                    _idle--;
                }

                io = Pending.Dequeue();
            }

            io();
        }
    }
}
