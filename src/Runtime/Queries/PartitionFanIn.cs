using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Runs one producer per partition into a bounded channel and yields their rows to a single consumer; when the consumer
/// stops (LIMIT reached, client gone) the producers are cancelled and awaited, and a producer's failure ends the stream.
/// </summary>
public static class PartitionFanIn
{
    public static async IAsyncEnumerable<Value[]> RunAsync(int partitions, Func<int, ChannelWriter<Value[]>, CancellationToken, Task> produce,
        long? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (limit is 0)
        {
            yield break;
        }

        var channel = Channel.CreateBounded<Value[]>(new BoundedChannelOptions(1024) { SingleReader = true });
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
            await foreach (var row in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                yield return row;
                if (limit is { } n && ++count >= n)
                {
                    yield break;
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
        }
    }
}
