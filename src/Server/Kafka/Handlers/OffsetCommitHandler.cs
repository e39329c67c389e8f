using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>OffsetCommit (key 8, v2-v7): checks the member and generation, then stores the offsets durably.</summary>
internal sealed class OffsetCommitHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetCommit;

    public short MinVersion => 2;

    public short MaxVersion => 7;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var groupId = request.String();
        var generation = request.Int32();
        var memberId = request.String();
        if (version >= 7)
        {
            request.NullableString();
        }

        if (version <= 4)
        {
            request.Int64();
        }

        var groups = exchange.Broker.Groups;
        var error = groups.CheckCommit(groupId, generation, memberId);
        var (offsets, answers) = OffsetCommitTopics.Read(request, groupId, withLeaderEpoch: version >= 6);
        var commits = error == ErrorCode.None ? offsets : [];
        await groups.Offsets.CommitAsync(commits, cancellationToken).ConfigureAwait(false);
        var response = exchange.Response;
        if (version >= 3)
        {
            response.Int32(0);
        }

        OffsetCommitTopics.WriteAnswers(response, answers, error);
        return true;
    }
}
