using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>JoinGroup (key 11, v0-v5): waits until the group's rebalance completes and returns the generation (and, to the leader, every member).</summary>
/// <remarks>Member ids are assigned on the first join in every version (KIP-394's MEMBER_ID_REQUIRED round trip is not used); group.instance.id is ignored.</remarks>
internal sealed class JoinGroupHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.JoinGroup;

    public short MinVersion => 0;

    public short MaxVersion => 5;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var groupId = request.String();
        var sessionTimeout = request.Int32();
        var rebalanceTimeout = version >= 1 ? request.Int32() : sessionTimeout;
        var memberId = request.String();
        if (version >= 5)
        {
            request.NullableString();
        }

        var protocolType = request.String();
        var count = request.ArrayLength();
        var protocols = new List<GroupProtocol>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            protocols.Add(new GroupProtocol(request.String(), request.Bytes()));
        }

        var join = new JoinRequest(groupId, memberId, exchange.Header.ClientId ?? "client", sessionTimeout, rebalanceTimeout, protocolType, protocols);
        var result = await exchange.Broker.Groups.JoinAsync(join, cancellationToken).ConfigureAwait(false);

        var response = exchange.Response;
        if (version >= 2)
        {
            response.Int32(0);
        }

        response.Int16(result.Error);
        response.Int32(result.Generation);
        response.String(result.ProtocolName);
        response.String(result.Leader);
        response.String(result.MemberId);
        response.ArrayLength(result.Members.Count);
        foreach (var (id, metadata) in result.Members)
        {
            response.String(id);
            if (version >= 5)
            {
                response.NullableString(null);
            }

            response.Bytes(metadata);
        }

        return true;
    }
}
