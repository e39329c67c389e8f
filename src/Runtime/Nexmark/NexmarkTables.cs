using System.Buffers;
using System.Text.Json;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Nexmark;

/// <summary>One field of a Nexmark table: its snake_case name (RisingWave's), its SQL type and how to read it from an event.</summary>
public sealed record NexmarkField(string Name, SqlTypeKind Type, Func<object, Value> Read);

/// <summary>The three Nexmark tables as streams: their fields, JSON encoding and rows.</summary>
public static class NexmarkTables
{
    private static Value Ts(long millis) => Value.FromTimestamp(TextValues.TimestampFromMillis(millis));

    public static readonly IReadOnlyList<NexmarkField> PersonFields =
    [
        new("id", SqlTypeKind.BigInt, e => Value.FromBigInt(((Person)e).Id)),
        new("name", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).Name)),
        new("email_address", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).EmailAddress)),
        new("credit_card", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).CreditCard)),
        new("city", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).City)),
        new("state", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).State)),
        new("date_time", SqlTypeKind.Timestamp, e => Ts(((Person)e).DateTime)),
        new("extra", SqlTypeKind.Varchar, e => Value.FromString(((Person)e).Extra)),
    ];

    public static readonly IReadOnlyList<NexmarkField> AuctionFields =
    [
        new("id", SqlTypeKind.BigInt, e => Value.FromBigInt(((Auction)e).Id)),
        new("item_name", SqlTypeKind.Varchar, e => Value.FromString(((Auction)e).ItemName)),
        new("description", SqlTypeKind.Varchar, e => Value.FromString(((Auction)e).Description)),
        new("initial_bid", SqlTypeKind.BigInt, e => Value.FromBigInt(((Auction)e).InitialBid)),
        new("reserve", SqlTypeKind.BigInt, e => Value.FromBigInt(((Auction)e).Reserve)),
        new("date_time", SqlTypeKind.Timestamp, e => Ts(((Auction)e).DateTime)),
        new("expires", SqlTypeKind.Timestamp, e => Ts(((Auction)e).Expires)),
        new("seller", SqlTypeKind.BigInt, e => Value.FromBigInt(((Auction)e).Seller)),
        new("category", SqlTypeKind.BigInt, e => Value.FromBigInt(((Auction)e).Category)),
        new("extra", SqlTypeKind.Varchar, e => Value.FromString(((Auction)e).Extra)),
    ];

    public static readonly IReadOnlyList<NexmarkField> BidFields =
    [
        new("auction", SqlTypeKind.BigInt, e => Value.FromBigInt(((Bid)e).Auction)),
        new("bidder", SqlTypeKind.BigInt, e => Value.FromBigInt(((Bid)e).Bidder)),
        new("price", SqlTypeKind.BigInt, e => Value.FromBigInt(((Bid)e).Price)),
        new("channel", SqlTypeKind.Varchar, e => Value.FromString(((Bid)e).Channel)),
        new("url", SqlTypeKind.Varchar, e => Value.FromString(((Bid)e).Url)),
        new("date_time", SqlTypeKind.Timestamp, e => Ts(((Bid)e).DateTime)),
        new("extra", SqlTypeKind.Varchar, e => Value.FromString(((Bid)e).Extra)),
    ];

    /// <summary>The event kind of a table name (person, auction, bid), or null.</summary>
    public static NexmarkEventType? Parse(string table) => table.ToLowerInvariant() switch
    {
        "person" => NexmarkEventType.Person,
        "auction" => NexmarkEventType.Auction,
        "bid" => NexmarkEventType.Bid,
        _ => null,
    };

    public static IReadOnlyList<NexmarkField> Fields(NexmarkEventType table) => table switch
    {
        NexmarkEventType.Person => PersonFields,
        NexmarkEventType.Auction => AuctionFields,
        _ => BidFields,
    };

    /// <summary>The event of a table kind at an event number (which must be of that kind).</summary>
    /// <param name="fields">The fields wanted (bit i: field i of the table); the others' text may be null.</param>
    public static object Event(NexmarkGenerator generator, NexmarkEventType table, long eventNumber, ulong fields = NexmarkGenerator.AllFields) => table switch
    {
        NexmarkEventType.Person => generator.NextPerson(eventNumber, fields),
        NexmarkEventType.Auction => generator.NextAuction(eventNumber, fields),
        _ => generator.NextBid(eventNumber, fields),
    };

    public static long DateTimeOf(object e) => e switch
    {
        Person p => p.DateTime,
        Auction a => a.DateTime,
        _ => ((Bid)e).DateTime,
    };

    /// <summary>Writes an event as a JSON object with every field of its table (times as epoch milliseconds), reusing buffer and writer.</summary>
    public static byte[] ToJson(object e, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.Clear();
        writer.Reset(buffer);
        writer.WriteStartObject();
        switch (e)
        {
            case Person p:
                writer.WriteNumber("id", p.Id);
                writer.WriteString("name", p.Name);
                writer.WriteString("email_address", p.EmailAddress);
                writer.WriteString("credit_card", p.CreditCard);
                writer.WriteString("city", p.City);
                writer.WriteString("state", p.State);
                writer.WriteNumber("date_time", p.DateTime);
                writer.WriteString("extra", p.Extra);
                break;
            case Auction a:
                writer.WriteNumber("id", a.Id);
                writer.WriteString("item_name", a.ItemName);
                writer.WriteString("description", a.Description);
                writer.WriteNumber("initial_bid", a.InitialBid);
                writer.WriteNumber("reserve", a.Reserve);
                writer.WriteNumber("date_time", a.DateTime);
                writer.WriteNumber("expires", a.Expires);
                writer.WriteNumber("seller", a.Seller);
                writer.WriteNumber("category", a.Category);
                writer.WriteString("extra", a.Extra);
                break;
            case Bid b:
                writer.WriteNumber("auction", b.Auction);
                writer.WriteNumber("bidder", b.Bidder);
                writer.WriteNumber("price", b.Price);
                writer.WriteString("channel", b.Channel);
                writer.WriteString("url", b.Url);
                writer.WriteNumber("date_time", b.DateTime);
                writer.WriteString("extra", b.Extra);
                break;
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
