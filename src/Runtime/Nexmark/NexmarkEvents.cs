using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Nexmark;

/// <summary>An event whose fields the engine reads by number, as <see cref="NexmarkTables"/> lists its table's fields.</summary>
public interface INexmarkEvent
{
    Value Field(int field);
}

/// <summary>The three Nexmark event kinds; the numbers are Nexmark's event_type.</summary>
public enum NexmarkEventType
{
    Person = 0,
    Auction = 1,
    Bid = 2,
}

/// <summary>A new user of the auction site. Times are epoch milliseconds.</summary>
/// <remarks>The events are values: the engine reads one per record, and an object each was a third of q11's allocation.</remarks>
public readonly record struct Person(long Id, string Name, string EmailAddress, string CreditCard, string City, string State, long DateTime, string Extra) : INexmarkEvent
{
    public Value Field(int field) => NexmarkTables.Read(in this, field);
}

/// <summary>A new auction. Prices are in cents; times are epoch milliseconds.</summary>
public readonly record struct Auction(long Id, string ItemName, string Description, long InitialBid, long Reserve, long DateTime, long Expires, long Seller,
    long Category, string Extra) : INexmarkEvent
{
    public Value Field(int field) => NexmarkTables.Read(in this, field);
}

/// <summary>A bid on an auction. Price in cents; time in epoch milliseconds.</summary>
public readonly record struct Bid(long Auction, long Bidder, long Price, string Channel, string Url, long DateTime, string Extra) : INexmarkEvent
{
    public Value Field(int field) => NexmarkTables.Read(in this, field);
}

/// <summary>One event of the combined timeline: exactly one of Person, Auction, Bid is set.</summary>
public readonly record struct NexmarkEvent(long EventNumber, NexmarkEventType Type, Person? Person, Auction? Auction, Bid? Bid)
{
    public long DateTime => Type switch
    {
        NexmarkEventType.Person => Person!.Value.DateTime,
        NexmarkEventType.Auction => Auction!.Value.DateTime,
        _ => Bid!.Value.DateTime,
    };
}
