using StreamSql.Runtime.Topics;

namespace StreamSql.Server.Kafka.Records;

/// <summary>One record batch of a Produce request, decoded: the idempotent-producer fields, the transactional flag and the records to append.</summary>
public sealed record DecodedBatch(long ProducerId, short ProducerEpoch, int BaseSequence, int RecordCount, IReadOnlyList<ProducedRecord> Records, bool IsTransactional = false);
