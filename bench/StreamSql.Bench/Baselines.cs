using StreamSql.Runtime.Nexmark;

namespace StreamSql.Bench;

/// <summary>Hand-written Nexmark queries: plain loops over the generated events, no engine. Each feeds its output rows to a checksum.</summary>
public static class Baselines
{
    public static readonly IReadOnlyList<string> Queries = ["q0", "q1", "q2", "q22"];

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
