using StreamSql.Runtime.Nexmark;

namespace StreamSql.Bench;

/// <summary>Hand-written Nexmark queries: plain loops over the generated events, no engine. Each feeds its output rows to a checksum.</summary>
public static class Baselines
{
    public static readonly IReadOnlyList<string> Queries = ["q0", "q1", "q2", "q14", "q21", "q22"];

    /// <summary>Runs a query over events 0..events-1 of the generator's timeline.</summary>
    public static void Run(string query, NexmarkGenerator generator, long events, RowChecksum output)
    {
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
