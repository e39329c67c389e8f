using System.Globalization;
using System.Text;

namespace StreamSql.Runtime.Nexmark;

/// <summary>
/// The Nexmark event generator (nexmark-flink's NexmarkGenerator, see ../shared/NEXMARK.md): Person, Auction and Bid events
/// in proportions 1:3:46 on one event-time timeline, hot auctions, sellers and bidders, log-uniform prices. Every event
/// is computed from its event number alone (a random stream seeded by the configured seed and the event id), so the
/// output is deterministic for a seed and any event can be produced on its own (<see cref="Generate"/>) — a source that
/// only needs bids can skip the other kinds without changing the bids.
/// </summary>
/// <remarks>
/// Deviations from nexmark-flink: the random numbers (SplitMix64 per event instead of one SplittableRandom per
/// generator), the fixed hot-channel URLs and the channel URL cache are drawn from the seed; bidder ids add
/// FIRST_PERSON_ID once (as Feldera does, not twice as nexmark-flink HEAD does); the base time defaults to
/// 2015-07-15T00:00Z (Beam, RisingWave) instead of the wall clock.
/// </remarks>
public sealed class NexmarkGenerator
{
    private static readonly string[] FirstNames = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
    private static readonly string[] LastNames = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];
    private static readonly string[] Cities = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
    private static readonly string[] States = ["AZ", "CA", "ID", "OR", "WA", "WY"];
    private static readonly string[] HotChannels = ["Google", "Facebook", "Baidu", "Apple"];
    // The extra fields are substrings of one random text. 64 KB of it stay in a core's cache beside the engine's own work;
    // the 2 MB this was at first (1 << 20 chars) did not, and each substring then cost the engine cache misses the
    // baseline, with its small working set, did not pay (10 M q7 events: 0.65 s copying them in the engine, 0.1 s in the baseline).
    private const int ExtraSourceLength = 1 << 15;

    // The setup stream's draws for the text as it was first (1 << 20 chars): the URLs drawn after it stay what they were.
    private const int ExtraSourceDraws = 1 << 20;
    private const int MinStringLength = 3;

    private readonly string[] _hotUrls;
    private readonly string[] _channelNames;
    private readonly string[] _channelUrls;
    private readonly string _extraSource;
    private readonly long _auctionHorizonEvents;

    public NexmarkGenerator(NexmarkConfig config)
    {
        Config = config;
        var setup = new NexmarkRandom(config.Seed, -1);
        var extra = new char[ExtraSourceLength];
        for (var i = 0; i < extra.Length; i++)
        {
            extra[i] = (char)('a' + setup.NextInt(26));
        }

        _extraSource = new string(extra);
        setup.Skip(ExtraSourceDraws - ExtraSourceLength);
        _hotUrls = new string[HotChannels.Length];
        for (var i = 0; i < _hotUrls.Length; i++)
        {
            _hotUrls[i] = BaseUrl(ref setup);
        }

        _channelNames = new string[NexmarkConfig.ChannelsNumber];
        _channelUrls = new string[NexmarkConfig.ChannelsNumber];
        for (var i = 0; i < NexmarkConfig.ChannelsNumber; i++)
        {
            _channelNames[i] = "channel-" + i.ToString(CultureInfo.InvariantCulture);
            var url = BaseUrl(ref setup);
            if (setup.NextInt(10) > 0)
            {
                url += "&channel_id=" + JavaAbs(ReverseBits(i)).ToString(CultureInfo.InvariantCulture);
            }

            _channelUrls[i] = url;
        }

        _auctionHorizonEvents = (long)config.NumInFlightAuctions * NexmarkConfig.TotalProportion / NexmarkConfig.AuctionProportion;
    }

    public NexmarkConfig Config { get; }

    /// <summary>All configured events in order.</summary>
    public IEnumerable<NexmarkEvent> All()
    {
        for (var n = 0L; n < Config.Events; n++)
        {
            yield return Generate(Config.FirstEventNumber + n);
        }
    }

    public NexmarkEventType TypeOf(long eventNumber) => NexmarkConfig.TypeOf(Config.FirstEventId + eventNumber);

    public NexmarkEvent Generate(long eventNumber)
    {
        var eventId = Config.FirstEventId + eventNumber;
        return NexmarkConfig.TypeOf(eventId) switch
        {
            NexmarkEventType.Person => new NexmarkEvent(eventNumber, NexmarkEventType.Person, NextPerson(eventNumber), null, null),
            NexmarkEventType.Auction => new NexmarkEvent(eventNumber, NexmarkEventType.Auction, null, NextAuction(eventNumber), null),
            _ => new NexmarkEvent(eventNumber, NexmarkEventType.Bid, null, null, NextBid(eventNumber)),
        };
    }

    /// <summary>Every field of an event (bit i: field i of its table in <see cref="NexmarkTables"/>).</summary>
    public const ulong AllFields = ulong.MaxValue;

    /// <summary>
    /// The person of an event number that is a person event. Text fields outside <paramref name="fields"/> (bit i: field
    /// i of <see cref="NexmarkTables.PersonFields"/>) are null: their random draws are made, their strings not built.
    /// </summary>
    public Person NextPerson(long eventNumber, ulong fields = AllFields)
    {
        var eventId = Config.FirstEventId + eventNumber;
        var random = new NexmarkRandom(Config.Seed, eventId);
        var timestamp = Config.TimestampFor(eventNumber);
        var id = LastBase0PersonId(eventId) + NexmarkConfig.FirstPersonId;
        var first = FirstNames[random.NextInt(FirstNames.Length)];
        var last = LastNames[random.NextInt(LastNames.Length)];
        var name = Wanted(fields, 1) ? first + " " + last : null;
        var nameLength = first.Length + 1 + last.Length;
        string? email = null;
        int emailLength;
        if (Wanted(fields, 2))
        {
            email = NextString(ref random, 7) + "@" + NextString(ref random, 5) + ".com";
            emailLength = email.Length;
        }
        else
        {
            emailLength = SkipString(ref random, 7) + 1 + SkipString(ref random, 5) + 4;
        }

        string? creditCard = null;
        if (Wanted(fields, 3))
        {
            var card = new StringBuilder(19);
            for (var i = 0; i < 4; i++)
            {
                if (i > 0)
                {
                    card.Append(' ');
                }

                card.Append(random.NextInt(10000).ToString("D4", CultureInfo.InvariantCulture));
            }

            creditCard = card.ToString();
        }
        else
        {
            for (var i = 0; i < 4; i++)
            {
                random.NextInt(10000);
            }
        }

        var city = Cities[random.NextInt(Cities.Length)];
        var state = States[random.NextInt(States.Length)];
        var currentSize = 8 + nameLength + emailLength + 19 + city.Length + state.Length;
        return new Person(id, name!, email!, creditCard!, city, state, timestamp, NextExtra(ref random, currentSize, Config.AvgPersonByteSize, Wanted(fields, 7))!);
    }

    private static bool Wanted(ulong fields, int field) => (fields & (1UL << field)) != 0;

    /// <summary>The auction of an event number that is an auction event (text fields outside fields null, as for a person).</summary>
    public Auction NextAuction(long eventNumber, ulong fields = AllFields)
    {
        var eventId = Config.FirstEventId + eventNumber;
        var random = new NexmarkRandom(Config.Seed, eventId);
        var timestamp = Config.TimestampFor(eventNumber);
        var id = LastBase0AuctionId(eventId) + NexmarkConfig.FirstAuctionId;
        var seller = random.NextInt(Config.HotSellersRatio) > 0
            ? LastBase0PersonId(eventId) / NexmarkConfig.HotSellerBucket * NexmarkConfig.HotSellerBucket
            : NextBase0PersonId(eventId, ref random);
        seller += NexmarkConfig.FirstPersonId;
        var category = NexmarkConfig.FirstCategoryId + random.NextInt(NexmarkConfig.NumCategories);
        var initialBid = NextPrice(ref random);
        var itemName = Wanted(fields, 1) ? NextString(ref random, 20) : null;
        var itemNameLength = itemName?.Length ?? SkipString(ref random, 20);
        var description = Wanted(fields, 2) ? NextString(ref random, 100) : null;
        var descriptionLength = description?.Length ?? SkipString(ref random, 100);
        var reserve = initialBid + NextPrice(ref random);
        var horizon = Config.TimestampFor(eventNumber + _auctionHorizonEvents) - timestamp;
        var expires = timestamp + 1 + random.NextLong(Math.Max(horizon * 2, 1));
        var currentSize = 8 + itemNameLength + descriptionLength + 8 + 8 + 8 + 8 + 8;
        return new Auction(id, itemName!, description!, initialBid, reserve, timestamp, expires, seller, category,
            NextExtra(ref random, currentSize, Config.AvgAuctionByteSize, Wanted(fields, 9))!);
    }

    /// <summary>The bid of an event number that is a bid event (extra null unless in fields, field 6).</summary>
    public Bid NextBid(long eventNumber, ulong fields = AllFields)
    {
        var eventId = Config.FirstEventId + eventNumber;
        var random = new NexmarkRandom(Config.Seed, eventId);
        var timestamp = Config.TimestampFor(eventNumber);
        var auction = random.NextInt(Config.HotAuctionRatio) > 0
            ? LastBase0AuctionId(eventId) / NexmarkConfig.HotAuctionBucket * NexmarkConfig.HotAuctionBucket
            : NextBase0AuctionId(eventId, ref random);
        auction += NexmarkConfig.FirstAuctionId;
        var bidder = random.NextInt(Config.HotBiddersRatio) > 0
            ? LastBase0PersonId(eventId) / NexmarkConfig.HotBidderBucket * NexmarkConfig.HotBidderBucket + 1
            : NextBase0PersonId(eventId, ref random);
        bidder += NexmarkConfig.FirstPersonId;
        var price = NextPrice(ref random);
        string channel, url;
        if (random.NextInt(NexmarkConfig.HotChannelsRatio) > 0)
        {
            var i = random.NextInt(HotChannels.Length);
            channel = HotChannels[i];
            url = _hotUrls[i];
        }
        else
        {
            var i = random.NextInt(NexmarkConfig.ChannelsNumber);
            channel = _channelNames[i];
            url = _channelUrls[i];
        }

        return new Bid(auction, bidder, price, channel, url, timestamp, NextExtra(ref random, 32, Config.AvgBidByteSize, Wanted(fields, 6))!);
    }

    internal static long LastBase0PersonId(long eventId)
    {
        var epoch = eventId / NexmarkConfig.TotalProportion;
        var offset = eventId % NexmarkConfig.TotalProportion;
        if (offset >= NexmarkConfig.PersonProportion)
        {
            offset = NexmarkConfig.PersonProportion - 1;
        }

        return epoch * NexmarkConfig.PersonProportion + offset;
    }

    internal static long LastBase0AuctionId(long eventId)
    {
        var epoch = eventId / NexmarkConfig.TotalProportion;
        var offset = eventId % NexmarkConfig.TotalProportion;
        if (offset < NexmarkConfig.PersonProportion)
        {
            epoch--;
            offset = NexmarkConfig.AuctionProportion - 1;
        }
        else if (offset >= NexmarkConfig.PersonProportion + NexmarkConfig.AuctionProportion)
        {
            offset = NexmarkConfig.AuctionProportion - 1;
        }
        else
        {
            offset -= NexmarkConfig.PersonProportion;
        }

        return epoch * NexmarkConfig.AuctionProportion + offset;
    }

    private long NextBase0PersonId(long eventId, ref NexmarkRandom random)
    {
        var numPeople = LastBase0PersonId(eventId) + 1;
        var activePeople = Math.Min(numPeople, Config.NumActivePeople);
        var n = random.NextLong(activePeople + NexmarkConfig.PersonIdLead);
        return numPeople - activePeople + n;
    }

    private long NextBase0AuctionId(long eventId, ref NexmarkRandom random)
    {
        var maxAuction = LastBase0AuctionId(eventId);
        var minAuction = Math.Max(maxAuction - Config.NumInFlightAuctions, 0);
        return minAuction + random.NextLong(maxAuction - minAuction + 1 + NexmarkConfig.AuctionIdLead);
    }

    /// <summary>Log-uniform between 1 and 1e6 dollars, in cents.</summary>
    private static long NextPrice(ref NexmarkRandom random) => (long)Math.Round(Math.Pow(10.0, random.NextDouble() * 6.0) * 100.0);

    private static string NextString(ref NexmarkRandom random, int maxLength, char special = ' ')
    {
        var length = MinStringLength + random.NextInt(maxLength - MinStringLength);
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.NextInt(13) == 0 ? special : (char)('a' + random.NextInt(26));
        }

        return new string(chars.Trim(' '));
    }

    /// <summary>The draws of <see cref="NextString"/> (special ' '): the length of the string it would return.</summary>
    private static int SkipString(ref NexmarkRandom random, int maxLength)
    {
        var length = MinStringLength + random.NextInt(maxLength - MinStringLength);
        int first = -1, last = -1;
        for (var i = 0; i < length; i++)
        {
            if (random.NextInt(13) != 0)
            {
                random.NextInt(26);
                last = i;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        return first < 0 ? 0 : last - first + 1;
    }

    private static string BaseUrl(ref NexmarkRandom random) =>
        "https://www.nexmark.com/" + NextString(ref random, 5, '_') + "/" + NextString(ref random, 5, '_') + "/" + NextString(ref random, 5, '_') + "/item.htm?query=1";

    private string? NextExtra(ref NexmarkRandom random, int currentSize, int desiredAverageSize, bool build = true)
    {
        if (currentSize > desiredAverageSize)
        {
            return build ? "" : null;
        }

        var remaining = desiredAverageSize - currentSize;
        var delta = (int)Math.Round(remaining * 0.2);
        var size = remaining - delta + (delta == 0 ? 0 : random.NextInt(2 * delta));
        var start = random.NextInt(ExtraSourceLength - size);
        return build ? _extraSource.Substring(start, size) : null;
    }

    /// <summary>Java's Math.abs: int.MinValue stays negative.</summary>
    private static int JavaAbs(int value) => value == int.MinValue ? value : Math.Abs(value);

    private static int ReverseBits(int value)
    {
        var v = (uint)value;
        uint r = 0;
        for (var i = 0; i < 32; i++)
        {
            r = (r << 1) | (v & 1);
            v >>= 1;
        }

        return (int)r;
    }
}
