using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StreamSql.Planner.Catalog;
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
        new("id", SqlTypeKind.BigInt, e => Read((Person)e, 0)),
        new("name", SqlTypeKind.Varchar, e => Read((Person)e, 1)),
        new("email_address", SqlTypeKind.Varchar, e => Read((Person)e, 2)),
        new("credit_card", SqlTypeKind.Varchar, e => Read((Person)e, 3)),
        new("city", SqlTypeKind.Varchar, e => Read((Person)e, 4)),
        new("state", SqlTypeKind.Varchar, e => Read((Person)e, 5)),
        new("date_time", SqlTypeKind.Timestamp, e => Read((Person)e, 6)),
        new("extra", SqlTypeKind.Varchar, e => Read((Person)e, 7)),
    ];

    public static readonly IReadOnlyList<NexmarkField> AuctionFields =
    [
        new("id", SqlTypeKind.BigInt, e => Read((Auction)e, 0)),
        new("item_name", SqlTypeKind.Varchar, e => Read((Auction)e, 1)),
        new("description", SqlTypeKind.Varchar, e => Read((Auction)e, 2)),
        new("initial_bid", SqlTypeKind.BigInt, e => Read((Auction)e, 3)),
        new("reserve", SqlTypeKind.BigInt, e => Read((Auction)e, 4)),
        new("date_time", SqlTypeKind.Timestamp, e => Read((Auction)e, 5)),
        new("expires", SqlTypeKind.Timestamp, e => Read((Auction)e, 6)),
        new("seller", SqlTypeKind.BigInt, e => Read((Auction)e, 7)),
        new("category", SqlTypeKind.BigInt, e => Read((Auction)e, 8)),
        new("extra", SqlTypeKind.Varchar, e => Read((Auction)e, 9)),
    ];

    public static readonly IReadOnlyList<NexmarkField> BidFields =
    [
        new("auction", SqlTypeKind.BigInt, e => Read((Bid)e, 0)),
        new("bidder", SqlTypeKind.BigInt, e => Read((Bid)e, 1)),
        new("price", SqlTypeKind.BigInt, e => Read((Bid)e, 2)),
        new("channel", SqlTypeKind.Varchar, e => Read((Bid)e, 3)),
        new("url", SqlTypeKind.Varchar, e => Read((Bid)e, 4)),
        new("date_time", SqlTypeKind.Timestamp, e => Read((Bid)e, 5)),
        new("extra", SqlTypeKind.Varchar, e => Read((Bid)e, 6)),
    ];

    // Field i of an event, as the lists above number them: the per-record path reads the event where it lies, unboxed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value Read(in Person p, int field) => field switch
    {
        0 => Value.FromBigInt(p.Id),
        1 => Value.FromString(p.Name),
        2 => Value.FromString(p.EmailAddress),
        3 => Value.FromString(p.CreditCard),
        4 => Value.FromString(p.City),
        5 => Value.FromString(p.State),
        6 => Ts(p.DateTime),
        _ => Value.FromString(p.Extra),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value Read(in Auction a, int field) => field switch
    {
        0 => Value.FromBigInt(a.Id),
        1 => Value.FromString(a.ItemName),
        2 => Value.FromString(a.Description),
        3 => Value.FromBigInt(a.InitialBid),
        4 => Value.FromBigInt(a.Reserve),
        5 => Ts(a.DateTime),
        6 => Ts(a.Expires),
        7 => Value.FromBigInt(a.Seller),
        8 => Value.FromBigInt(a.Category),
        _ => Value.FromString(a.Extra),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value Read(in Bid b, int field) => field switch
    {
        0 => Value.FromBigInt(b.Auction),
        1 => Value.FromBigInt(b.Bidder),
        2 => Value.FromBigInt(b.Price),
        3 => Value.FromString(b.Channel),
        4 => Value.FromString(b.Url),
        5 => Ts(b.DateTime),
        _ => Value.FromString(b.Extra),
    };

    /// <summary>For columns, the index of the table's field each names (-1: not a field).</summary>
    public static int[] FieldIndexes(NexmarkEventType table, IReadOnlyList<ColumnSchema> columns)
    {
        var fields = Fields(table);
        var indexes = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            indexes[i] = -1;
            for (var f = 0; f < fields.Count; f++)
            {
                if (fields[f].Name == columns[i].Name)
                {
                    indexes[i] = f;
                }
            }
        }

        return indexes;
    }

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
