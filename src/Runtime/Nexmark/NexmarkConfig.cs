namespace StreamSql.Runtime.Nexmark;

/// <summary>
/// Settings of the Nexmark generator (defaults of nexmark-flink's NexmarkConfiguration). Events are numbered from
/// <see cref="FirstEventNumber"/>; event number n has id FirstEventId + n and time
/// BaseTime + (long)(n * InterEventDelayMicros) / 1000 ms.
/// </summary>
public sealed record NexmarkConfig
{
    public const int PersonProportion = 1;
    public const int AuctionProportion = 3;
    public const int BidProportion = 46;
    public const int TotalProportion = PersonProportion + AuctionProportion + BidProportion;
    public const long FirstPersonId = 1000;
    public const long FirstAuctionId = 1000;
    public const long FirstCategoryId = 10;
    public const int NumCategories = 5;
    public const int PersonIdLead = 10;
    public const int AuctionIdLead = 10;
    public const int HotAuctionBucket = 100;
    public const int HotSellerBucket = 100;
    public const int HotBidderBucket = 100;
    public const int ChannelsNumber = 10_000;
    public const int HotChannelsRatio = 2;

    /// <summary>2015-07-15T00:00Z, the fixed base time of Beam and RisingWave (nexmark-flink uses the wall clock).</summary>
    public const long DefaultBaseTime = 1_436_918_400_000;

    /// <summary>How many events in total (all three kinds).</summary>
    public long Events { get; init; } = 10_000;

    /// <summary>Events per second of event time (firstEventRate = nextEventRate).</summary>
    public double EventRate { get; init; } = 10_000;

    /// <summary>Generators sharing the timeline (the inter-event delay is multiplied by it, as in nexmark).</summary>
    public int NumEventGenerators { get; init; } = 1;

    public long FirstEventId { get; init; }

    public long FirstEventNumber { get; init; }

    public long BaseTime { get; init; } = DefaultBaseTime;

    /// <summary>Seeds every event's random stream together with its id: the same seed gives the same events.</summary>
    public long Seed { get; init; }

    public int HotAuctionRatio { get; init; } = 2;

    public int HotSellersRatio { get; init; } = 4;

    public int HotBiddersRatio { get; init; } = 4;

    public int NumInFlightAuctions { get; init; } = 100;

    public int NumActivePeople { get; init; } = 1000;

    public int AvgPersonByteSize { get; init; } = 200;

    public int AvgAuctionByteSize { get; init; } = 500;

    public int AvgBidByteSize { get; init; } = 100;

    public double InterEventDelayMicros => 1_000_000.0 / EventRate * NumEventGenerators;

    /// <summary>Event time (epoch ms) of an event number.</summary>
    public long TimestampFor(long eventNumber) => TimestampFor(BaseTime, InterEventDelayMicros, eventNumber);

    /// <summary>As the instance method, for a reader that keeps the timeline's base and delay at hand.</summary>
    public static long TimestampFor(long baseTime, double interEventDelayMicros, long eventNumber) =>
        baseTime + (long)(eventNumber * interEventDelayMicros) / 1000;

    public static NexmarkEventType TypeOf(long eventId)
    {
        var rem = eventId % TotalProportion;
        return rem < PersonProportion ? NexmarkEventType.Person
            : rem < PersonProportion + AuctionProportion ? NexmarkEventType.Auction
            : NexmarkEventType.Bid;
    }
}
