using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>Metadata (key 3, v0-v8): this server as the only broker and leader of every partition; auto-creates requested topics when the client allows it.</summary>
internal sealed class MetadataHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.Metadata;

    public short MinVersion => 0;

    public short MaxVersion => 8;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var count = request.ArrayLength();
        List<string>? names = null;
        if (count >= 0 && !(version == 0 && count == 0))
        {
            names = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                names.Add(request.String());
            }
        }

        // Before v4 the broker decides; StreamSql then auto-creates, as a broker with auto.create.topics.enable does.
        var autoCreate = version < 4 || request.Bool();
        var topics = exchange.Broker.Topics;
        var response = exchange.Response;
        if (version >= 3)
        {
            response.Int32(0);
        }

        response.ArrayLength(1);
        response.Int32(KafkaDefaults.NodeId);
        response.String(exchange.Session.AdvertisedHost);
        response.Int32(exchange.Session.AdvertisedPort);
        if (version >= 1)
        {
            response.NullableString(null);
        }

        if (version >= 2)
        {
            response.NullableString(KafkaDefaults.ClusterId);
        }

        if (version >= 1)
        {
            response.Int32(KafkaDefaults.NodeId);
        }

        if (names is null)
        {
            var all = topics.List().Where(t => !t.Name.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal)).ToList();
            response.ArrayLength(all.Count);
            foreach (var topic in all)
            {
                WriteTopic(response, version, topic.Name, topic, ErrorCode.None);
            }
        }
        else
        {
            response.ArrayLength(names.Count);
            foreach (var name in names)
            {
                var topic = topics.Find(name);
                var error = ErrorCode.None;
                if (topic is null)
                {
                    if (!KafkaDefaults.IsValidTopicName(name) || name.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal))
                    {
                        error = ErrorCode.InvalidTopic;
                    }
                    else if (autoCreate)
                    {
                        topic = topics.GetOrCreate(name, KafkaDefaults.AutoCreatePartitions);
                    }
                    else
                    {
                        error = ErrorCode.UnknownTopicOrPartition;
                    }
                }

                WriteTopic(response, version, name, topic, error);
            }
        }

        if (version >= 8)
        {
            response.Int32(int.MinValue);
        }

        return ValueTask.FromResult(true);
    }

    private static void WriteTopic(KafkaWriter response, short version, string name, ITopicLog? topic, short error)
    {
        response.Int16(error);
        response.String(name);
        if (version >= 1)
        {
            response.Bool(name.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal));
        }

        var partitions = topic?.PartitionCount ?? 0;
        response.ArrayLength(partitions);
        for (var p = 0; p < partitions; p++)
        {
            response.Int16(ErrorCode.None);
            response.Int32(p);
            response.Int32(KafkaDefaults.NodeId);
            if (version >= 7)
            {
                response.Int32(-1);
            }

            response.ArrayLength(1);
            response.Int32(KafkaDefaults.NodeId);
            response.ArrayLength(1);
            response.Int32(KafkaDefaults.NodeId);
            if (version >= 5)
            {
                response.ArrayLength(0);
            }
        }

        if (version >= 8)
        {
            response.Int32(int.MinValue);
        }
    }
}
