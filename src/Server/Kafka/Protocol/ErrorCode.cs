namespace StreamSql.Server.Kafka.Protocol;

/// <summary>Every Kafka error code StreamSql answers with, by its name in the Kafka protocol guide.</summary>
public static class ErrorCode
{
    public const short UnknownServerError = -1;
    public const short None = 0;
    public const short OffsetOutOfRange = 1;
    public const short CorruptMessage = 2;
    public const short UnknownTopicOrPartition = 3;
    public const short InvalidTopic = 17;
    public const short RecordListTooLarge = 18;
    public const short IllegalGeneration = 22;
    public const short InconsistentGroupProtocol = 23;
    public const short InvalidGroupId = 24;
    public const short UnknownMemberId = 25;
    public const short InvalidSessionTimeout = 26;
    public const short RebalanceInProgress = 27;
    public const short UnsupportedForMessageFormat = 43;
    public const short PolicyViolation = 44;
    public const short OutOfOrderSequenceNumber = 45;
    public const short InvalidProducerEpoch = 47;
    public const short InvalidTxnState = 48;
    public const short InvalidProducerIdMapping = 49;
    public const short InvalidTransactionTimeout = 50;
    public const short ConcurrentTransactions = 51;
    public const short UnsupportedVersion = 35;
    public const short TopicAlreadyExists = 36;
    public const short InvalidPartitions = 37;
    public const short InvalidReplicationFactor = 38;
    public const short InvalidRequest = 42;
    public const short TransactionalIdAuthorizationFailed = 53;
    public const short OperationNotAttempted = 55;
    public const short UnsupportedCompressionType = 76;
    public const short InvalidRecord = 87;
    public const short ProducerFenced = 90;
}
