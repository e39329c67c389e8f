using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Runs one producer per partition into a bounded channel and yields their rows to a single consumer; when the consumer
/// stops (LIMIT reached, client gone) the producers are cancelled and awaited, and a producer's failure ends the stream.
/// Producers write chunks of rows (a batch's at a time): one channel operation per chunk, not per row.
/// </summary>
public static class PartitionFanIn
{
    /// <summary>Chunks the channel holds before producers wait for the consumer.</summary>
    private const int ChunkCapacity = 8;

    /// <param name="running">Told +1 when the rows start flowing and -1 when the stream ends (a running-queries count).</param>
    public static async IAsyncEnumerable<Value[]> RunAsync(int partitions, Func<int, ChannelWriter<Value[][]>, CancellationToken, Task> produce,
        long? limit, Action<int>? running = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (limit is 0)
        {
            yield break;
        }

        running?.Invoke(1);
        var channel = Channel.CreateBounded<Value[][]>(new BoundedChannelOptions(ChunkCapacity) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[partitions];
        for (var p = 0; p < tasks.Length; p++)
        {
            var partition = p;
            tasks[p] = Task.Run(() => produce(partition, channel.Writer, stop.Token));
        }

        _ = Task.WhenAll(tasks).ContinueWith(
            t => channel.Writer.TryComplete(t.IsFaulted && !stop.IsCancellationRequested ? t.Exception!.GetBaseException() : null),
            TaskScheduler.Default);

        long count = 0;
        try
        {
            var reader = channel.Reader;
            while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var chunk))
                {
                    foreach (var row in chunk)
                    {
                        yield return row;
                        if (limit is { } n && ++count >= n)
                        {
                            yield break;
                        }
                    }
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Producers end with cancellation once the consumer has what it asked for.
            }
            finally
            {
                running?.Invoke(-1);
            }
        }
    }
}
