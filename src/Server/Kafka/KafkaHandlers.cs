using StreamSql.Server.Kafka.Handlers;

namespace StreamSql.Server.Kafka;

/// <summary>The handler of every served API key, in key order; ApiVersions advertises exactly this table.</summary>
internal sealed class KafkaHandlers
{
    private readonly Dictionary<short, IKafkaHandler> _byKey;

    public KafkaHandlers()
    {
        All =
        [
            new ProduceHandler(),
            new FetchHandler(),
            new ListOffsetsHandler(),
            new MetadataHandler(),
            new OffsetCommitHandler(),
            new OffsetFetchHandler(),
            new FindCoordinatorHandler(),
            new JoinGroupHandler(),
            new HeartbeatHandler(),
            new LeaveGroupHandler(),
            new SyncGroupHandler(),
            new ApiVersionsHandler(() => All!),
            new CreateTopicsHandler(),
            new DeleteTopicsHandler(),
            new InitProducerIdHandler(),
            new AddPartitionsToTxnHandler(),
            new AddOffsetsToTxnHandler(),
            new EndTxnHandler(),
            new TxnOffsetCommitHandler(),
        ];
        _byKey = All.ToDictionary(h => (short)h.Key);
    }

    public IReadOnlyList<IKafkaHandler> All { get; }

    public IKafkaHandler? Find(short apiKey) => _byKey.GetValueOrDefault(apiKey);
}
