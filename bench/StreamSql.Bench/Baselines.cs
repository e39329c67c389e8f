using System.Globalization;
using System.Runtime.InteropServices;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Nexmark;

namespace StreamSql.Bench;

/// <summary>Hand-written Nexmark queries: plain loops over the generated events, no engine. Each feeds its output rows to a checksum.</summary>
public static class Baselines
{
    /// <summary>The stateless queries: their result is the stream of output rows.</summary>
    public static readonly IReadOnlyList<string> StatelessQueries = ["q0", "q1", "q2", "q14", "q21", "q22"];

    public static IReadOnlyList<string> Queries => [.. StatelessQueries, .. AggregateQueries];

    public static bool IsAggregate(string query) => AggregateQueries.Contains(query);


    /// <summary>Runs a query over events 0..events-1 of the generator's timeline.</summary>
    public static void Run(string query, NexmarkGenerator generator, long events, RowChecksum output)
    {
        if (IsAggregate(query))
        {
            RunAggregate(query, generator, events, output);
            return;
        }

        switch (query)
        {
            case "q0":
                ForEachBid(generator, events, b =>
                {
                    output.Add(b.Auction);
                    output.Add(b.Bidder);
                    output.Add(b.Price);
                    output.AddTimestampMillis(b.DateTime);
                    output.Add(b.Extra);
                    output.EndRow();
                });
                break;
            case "q1":
                ForEachBid(generator, events, b =>
                {
                    output.Add(b.Auction);
                    output.Add(b.Bidder);
                    output.Add(0.908m * b.Price);
                    output.AddTimestampMillis(b.DateTime);
                    output.Add(b.Extra);
                    output.EndRow();
                });
                break;
            case "q2":
                ForEachBid(generator, events, b =>
                {
                    if (b.Auction % 123 == 0)
                    {
                        output.Add(b.Auction);
                        output.Add(b.Price);
                        output.EndRow();
                    }
                });
                break;
            case "q14":
                ForEachBid(generator, events, b =>
                {
                    var euros = 0.908m * b.Price;
                    if (euros > 1_000_000 && euros < 50_000_000)
                    {
                        var hour = DateTimeOffset.FromUnixTimeMilliseconds(b.DateTime).UtcDateTime.Hour;
                        output.Add(b.Auction);
                        output.Add(b.Bidder);
                        output.Add(euros);
                        output.Add(hour is >= 8 and <= 18 ? "dayTime" : hour is <= 6 or >= 20 ? "nightTime" : "otherTime");
                        output.AddTimestampMillis(b.DateTime);
                        output.Add(b.Extra);
                        output.Add(b.Extra.Count(c => c == 'c'));
                        output.EndRow();
                    }
                });
                break;
            case "q21":
                ForEachBid(generator, events, b =>
                {
                    var at = b.Url.IndexOf("&channel_id=", StringComparison.Ordinal);
                    var fromUrl = at < 0 || at + 12 == b.Url.Length ? null : b.Url[(at + 12)..];
                    var id = b.Channel.ToLowerInvariant() switch
                    {
                        "apple" => "0",
                        "google" => "1",
                        "facebook" => "2",
                        "baidu" => "3",
                        _ => fromUrl,
                    };
                    if (fromUrl is not null || b.Channel.ToLowerInvariant() is "apple" or "google" or "facebook" or "baidu")
                    {
                        output.Add(b.Auction);
                        output.Add(b.Bidder);
                        output.Add(b.Price);
                        output.Add(b.Channel);
                        output.Add(id);
                        output.EndRow();
                    }
                });
                break;
            case "q22":
                ForEachBid(generator, events, b =>
                {
                    output.Add(b.Auction);
                    output.Add(b.Bidder);
                    output.Add(b.Price);
                    output.Add(b.Channel);
                    var parts = b.Url.Split('/');
                    output.Add(parts.Length > 3 ? parts[3] : "");
                    output.Add(parts.Length > 4 ? parts[4] : "");
                    output.Add(parts.Length > 5 ? parts[5] : "");
                    output.EndRow();
                });
                break;
            default:
                throw new ArgumentException($"no baseline for {query}", nameof(query));
        }
    }

    /// <summary>
    /// The persistent queries (aggregations and joins): their result is the final contents of the query file's last
    /// CREATE TABLE/STREAM ... AS SELECT (a table's rows, or every row a stream received).
    /// </summary>
    public static readonly IReadOnlyList<string> AggregateQueries = ["q3", "q4", "q5", "q7", "q8", "q11", "q12", "q15", "q16", "q17", "q18", "q19"];

    private const long Second = 1000;
    private const long Day = 86_400_000;

    /// <summary>Computes an aggregating query's final table over events 0..events-1 with dictionaries and feeds its rows to output.</summary>
    public static void RunAggregate(string query, NexmarkGenerator generator, long events, RowChecksum output)
    {
        switch (query)
        {
            case "q3":
            {
                // The unbounded inner join: every category-10 auction with its seller, when the seller lives in OR, ID or CA
                // (the seller may come before or after the auction in the stream).
                var sellers = new Dictionary<long, Person>();
                ForEachPerson(generator, events, p =>
                {
                    if (p.State is "OR" or "ID" or "CA")
                    {
                        sellers[p.Id] = p;
                    }
                });
                ForEachAuction(generator, events, a =>
                {
                    if (a.Category == 10 && sellers.TryGetValue(a.Seller, out var p))
                    {
                        output.Add(p.Name);
                        output.Add(p.City);
                        output.Add(p.State);
                        output.Add(a.Id);
                        output.EndRow();
                    }
                });
                break;
            }

            case "q4":
            {
                // Each auction's highest bid between its start and its expiry (auctions without one drop out), averaged per category.
                var auctions = new Dictionary<long, Auction>();
                ForEachAuction(generator, events, a => auctions[a.Id] = a);
                var finals = new Dictionary<long, long>();
                ForEachBid(generator, events, b =>
                {
                    if (auctions.TryGetValue(b.Auction, out var a) && b.DateTime >= a.DateTime && b.DateTime <= a.Expires)
                    {
                        ref var final = ref CollectionsMarshal.GetValueRefOrAddDefault(finals, b.Auction, out var exists);
                        final = exists ? Math.Max(final, b.Price) : b.Price;
                    }
                });
                var categories = new Dictionary<long, (decimal Sum, long Count)>();
                foreach (var (id, final) in finals)
                {
                    ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(categories, auctions[id].Category, out _);
                    c = (c.Sum + final, c.Count + 1);
                }

                foreach (var (category, (sum, count)) in categories)
                {
                    output.Add(category);

                    // avg(bigint) is numeric with PostgreSQL's division scale.
                    output.Add(NumericMath.Divide(sum, count));
                    output.EndRow();
                }

                break;
            }

            case "q18":
            {
                // The last bid of each (auction, bidder): bids come in event-time order, a later one replaces the earlier.
                var last = new Dictionary<(long Auction, long Bidder), Bid>();
                ForEachBid(generator, events, b => last[(b.Auction, b.Bidder)] = b);
                foreach (var ((auction, bidder), b) in last)
                {
                    output.Add(auction);
                    output.Add(bidder);
                    output.Add(b.Price);
                    output.Add(b.Channel);
                    output.Add(b.Url);
                    output.AddTimestampMillis(b.DateTime);
                    output.Add(b.Extra);
                    output.EndRow();
                }

                break;
            }

            case "q19":
            {
                // The 10 highest bids of each auction; an equal price ranks after the bids already there (arrival order).
                var top = new Dictionary<long, List<Bid>>();
                ForEachBid(generator, events, b =>
                {
                    if (!top.TryGetValue(b.Auction, out var bids))
                    {
                        top[b.Auction] = bids = new List<Bid>(11);
                    }

                    var position = bids.Count;
                    while (position > 0 && bids[position - 1].Price < b.Price)
                    {
                        position--;
                    }

                    if (position < 10)
                    {
                        bids.Insert(position, b);
                        if (bids.Count > 10)
                        {
                            bids.RemoveAt(10);
                        }
                    }
                });
                foreach (var (auction, bids) in top)
                {
                    for (var r = 0; r < bids.Count; r++)
                    {
                        var b = bids[r];
                        output.Add(auction);
                        output.Add(b.Bidder);
                        output.Add(b.Price);
                        output.Add(b.Channel);
                        output.Add(b.Url);
                        output.AddTimestampMillis(b.DateTime);
                        output.Add(b.Extra);
                        output.Add((long)(r + 1));
                        output.EndRow();
                    }
                }

                break;
            }

            case "q8":
            {
                // Persons and sellers per 10-second tumbling window; a person who opened an auction in the window it registered in.
                var sellers = new HashSet<(long Seller, long Start)>();
                ForEachAuction(generator, events, a => sellers.Add((a.Seller, a.DateTime - Mod(a.DateTime, 10 * Second))));
                ForEachPerson(generator, events, p =>
                {
                    var start = p.DateTime - Mod(p.DateTime, 10 * Second);
                    if (sellers.Contains((p.Id, start)))
                    {
                        output.Add(p.Id);
                        output.Add(p.Name);
                        output.AddTimestampMillis(start);
                        output.AddTimestampMillis(start + 10 * Second);
                        output.EndRow();
                    }
                });
                break;
            }

            case "q5":
            {
                // HOP(2 s slide, 10 s size): a bid at t is in the windows starting at the multiples of 2 s in (t - 10 s, t].
                var counts = new Dictionary<(long Auction, long Start), long>();
                ForEachBid(generator, events, b =>
                {
                    for (var start = b.DateTime - Mod(b.DateTime, 2 * Second); start > b.DateTime - 10 * Second; start -= 2 * Second)
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(counts, (b.Auction, start), out _)++;
                    }
                });
                var max = new Dictionary<long, long>();
                foreach (var ((_, start), num) in counts)
                {
                    ref var m = ref CollectionsMarshal.GetValueRefOrAddDefault(max, start, out _);
                    m = Math.Max(m, num);
                }

                foreach (var (start, maxn) in max)
                {
                    output.AddTimestampMillis(start);
                    output.Add(maxn);
                    output.EndRow();
                }

                break;
            }

            case "q7":
            {
                var max = new Dictionary<long, long>();
                ForEachBid(generator, events, b =>
                {
                    ref var m = ref CollectionsMarshal.GetValueRefOrAddDefault(max, b.DateTime - Mod(b.DateTime, 10 * Second), out var exists);
                    m = exists ? Math.Max(m, b.Price) : b.Price;
                });
                foreach (var (start, price) in max)
                {
                    output.AddTimestampMillis(start);
                    output.AddTimestampMillis(start + 10 * Second);
                    output.Add(price);
                    output.EndRow();
                }

                break;
            }

            case "q11":
            {
                // Bids come in event-time order: a bidder's bid joins the open session when at most the gap after its last bid.
                var open = new Dictionary<long, (long Start, long End, long Count)>();
                var closed = new List<(long Bidder, long Start, long End, long Count)>();
                ForEachBid(generator, events, b =>
                {
                    ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(open, b.Bidder, out var exists);
                    if (exists && b.DateTime <= s.End + 10 * Second)
                    {
                        s = (s.Start, Math.Max(s.End, b.DateTime), s.Count + 1);
                        return;
                    }

                    if (exists)
                    {
                        closed.Add((b.Bidder, s.Start, s.End, s.Count));
                    }

                    s = (b.DateTime, b.DateTime, 1);
                });
                closed.AddRange(open.Select(o => (o.Key, o.Value.Start, o.Value.End, o.Value.Count)));
                foreach (var (bidder, start, end, count) in closed)
                {
                    output.Add(bidder);
                    output.AddTimestampMillis(start);
                    output.AddTimestampMillis(end);
                    output.Add(count);
                    output.EndRow();
                }

                break;
            }

            case "q12":
            {
                var counts = new Dictionary<(long Bidder, long Start), long>();
                ForEachBid(generator, events, b => CollectionsMarshal.GetValueRefOrAddDefault(counts, (b.Bidder, b.DateTime - Mod(b.DateTime, 10 * Second)), out _)++);
                foreach (var ((bidder, start), count) in counts)
                {
                    output.Add(bidder);
                    output.AddTimestampMillis(start);
                    output.AddTimestampMillis(start + 10 * Second);
                    output.Add(count);
                    output.EndRow();
                }

                break;
            }

            case "q15":
            {
                var days = new Dictionary<long, DayStats>();
                ForEachBid(generator, events, b =>
                {
                    var day = Floor(b.DateTime, Day);
                    if (!days.TryGetValue(day, out var stats))
                    {
                        days[day] = stats = new DayStats();
                    }

                    stats.Add(b);
                });
                foreach (var (day, stats) in days)
                {
                    output.AddDate(day);
                    stats.Write(output);
                    output.EndRow();
                }

                break;
            }

            case "q16":
            {
                var groups = new Dictionary<(string Channel, long Day), DayStats>();
                ForEachBid(generator, events, b =>
                {
                    var key = (b.Channel, Floor(b.DateTime, Day));
                    if (!groups.TryGetValue(key, out var stats))
                    {
                        groups[key] = stats = new DayStats();
                    }

                    stats.Add(b);
                    var minute = DateTimeOffset.FromUnixTimeMilliseconds(b.DateTime).UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
                    if (stats.MaxMinute is null || string.CompareOrdinal(minute, stats.MaxMinute) > 0)
                    {
                        stats.MaxMinute = minute;
                    }
                });
                foreach (var ((channel, day), stats) in groups)
                {
                    output.Add(channel);
                    output.AddDate(day);
                    output.Add(stats.MaxMinute);
                    stats.Write(output);
                    output.EndRow();
                }

                break;
            }

            case "q17":
            {
                var groups = new Dictionary<(long Auction, long Day), AuctionDayStats>();
                ForEachBid(generator, events, b =>
                {
                    ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, (b.Auction, Floor(b.DateTime, Day)), out var exists);
                    if (!exists)
                    {
                        s.Min = long.MaxValue;
                        s.Max = long.MinValue;
                    }

                    s.Count++;
                    s.Rank1 += b.Price < 10_000 ? 1 : 0;
                    s.Rank2 += b.Price is >= 10_000 and < 1_000_000 ? 1 : 0;
                    s.Rank3 += b.Price >= 1_000_000 ? 1 : 0;
                    s.Min = Math.Min(s.Min, b.Price);
                    s.Max = Math.Max(s.Max, b.Price);
                    s.Sum += b.Price;
                });
                foreach (var ((auction, day), s) in groups)
                {
                    output.Add(auction);
                    output.AddDate(day);
                    output.Add(s.Count);
                    output.Add(s.Rank1);
                    output.Add(s.Rank2);
                    output.Add(s.Rank3);
                    output.Add(s.Min);
                    output.Add(s.Max);

                    // avg(bigint) is numeric with PostgreSQL's division scale; sum(bigint) is numeric.
                    output.Add(NumericMath.Divide(s.Sum, s.Count));
                    output.Add(s.Sum);
                    output.EndRow();
                }

                break;
            }

            default:
                throw new ArgumentException($"no baseline for {query}", nameof(query));
        }
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;

    private static long Floor(long a, long b) => (a - Mod(a, b)) / b;

    private struct AuctionDayStats
    {
        public long Count, Rank1, Rank2, Rank3, Min, Max;
        public decimal Sum;
    }

    /// <summary>q15/q16's counts per price rank and distinct bidders and auctions, overall and per rank.</summary>
    private sealed class DayStats
    {
        private readonly long[] _bids = new long[4];
        private readonly HashSet<long>[] _bidders = [[], [], [], []];
        private readonly HashSet<long>[] _auctions = [[], [], [], []];

        public string? MaxMinute { get; set; }

        public void Add(Bid b)
        {
            var rank = b.Price < 10_000 ? 1 : b.Price < 1_000_000 ? 2 : 3;
            foreach (var i in (ReadOnlySpan<int>)[0, rank])
            {
                _bids[i]++;
                _bidders[i].Add(b.Bidder);
                _auctions[i].Add(b.Auction);
            }
        }

        public void Write(RowChecksum output)
        {
            foreach (var n in _bids)
            {
                output.Add(n);
            }

            foreach (var s in _bidders)
            {
                output.Add(s.Count);
            }

            foreach (var s in _auctions)
            {
                output.Add(s.Count);
            }
        }
    }

    private static void ForEachPerson(NexmarkGenerator generator, long events, Action<Person> action)
    {
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) == NexmarkEventType.Person)
            {
                action(generator.NextPerson(n));
            }
        }
    }

    private static void ForEachAuction(NexmarkGenerator generator, long events, Action<Auction> action)
    {
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) == NexmarkEventType.Auction)
            {
                action(generator.NextAuction(n));
            }
        }
    }

    /// <summary>The bids among events 0..events-1 (only bid events are generated; the others are skipped by number).</summary>
    private static void ForEachBid(NexmarkGenerator generator, long events, Action<Bid> action)
    {
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) == NexmarkEventType.Bid)
            {
                action(generator.NextBid(n));
            }
        }
    }
}
