using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>AddPartitionsToTxn (key 24, v0-v2): adds partitions to the producer's open transaction before it produces to them.</summary>
internal sealed class AddPartitionsToTxnHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.AddPartitionsToTxn;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var transactionalId = request.String();
        var producerId = request.Int64();
        var epoch = request.Int16();
        var topicCount = request.ArrayLength();
        var wanted = new List<(string Topic, int[] Partitions)>(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            wanted.Add((request.String(), request.Int32Array()));
        }

        var results = exchange.Broker.Transactions.AddPartitions(transactionalId, producerId, epoch, wanted, exchange.Broker.Topics.Find, exchange.Version);
        var response = exchange.Response;
        response.Int32(0);
        response.ArrayLength(results.Count);
        foreach (var (topic, partitions) in results)
        {
            response.String(topic);
            response.ArrayLength(partitions.Count);
            foreach (var (partition, error) in partitions)
            {
                response.Int32(partition);
                response.Int16(error);
            }
        }

        return ValueTask.FromResult(true);
    }
}
