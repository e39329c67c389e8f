using StreamSql.Runtime.Nexmark;

namespace StreamSql.Runtime.Tests;

public sealed class NexmarkGeneratorTests
{
    private static List<NexmarkEvent> Events(long count, long seed = 0) =>
        new NexmarkGenerator(new NexmarkConfig { Events = count, Seed = seed }).All().ToList();

    [Fact]
    public void Proportions_are_1_3_46()
    {
        var events = Events(50_000);
        Assert.Equal(1_000, events.Count(e => e.Type == NexmarkEventType.Person));
        Assert.Equal(3_000, events.Count(e => e.Type == NexmarkEventType.Auction));
        Assert.Equal(46_000, events.Count(e => e.Type == NexmarkEventType.Bid));
        Assert.Equal(NexmarkEventType.Person, events[0].Type);
        Assert.Equal([NexmarkEventType.Auction, NexmarkEventType.Auction, NexmarkEventType.Auction, NexmarkEventType.Bid], events.Skip(1).Take(4).Select(e => e.Type));
    }

    [Fact]
    public void Same_seed_gives_the_same_events_and_another_seed_others()
    {
        var a = Events(5_000, seed: 42);
        var b = Events(5_000, seed: 42);
        var c = Events(5_000, seed: 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Where(e => e.Bid is not null).Select(e => e.Bid!.Value.Price), c.Where(e => e.Bid is not null).Select(e => e.Bid!.Value.Price));

        // Any event can be generated on its own, with the same result as in sequence.
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 5_000, Seed = 42 });
        Assert.Equal(a[4321], generator.Generate(4321));
    }

    [Fact]
    public void Event_times_are_monotonic_and_follow_the_rate()
    {
        var events = Events(20_000);
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].DateTime >= events[i - 1].DateTime, $"event {i} goes back in time");
        }

        Assert.Equal(NexmarkConfig.DefaultBaseTime, events[0].DateTime);
        Assert.Equal(NexmarkConfig.DefaultBaseTime + 1_000, events[10_000].DateTime);
        var fast = new NexmarkGenerator(new NexmarkConfig { Events = 10, EventRate = 1_000_000 });
        Assert.Equal(NexmarkConfig.DefaultBaseTime + 1, fast.Generate(1_000).DateTime);
    }

    [Fact]
    public void Ids_hot_keys_and_prices_follow_the_spec()
    {
        var events = Events(100_000);
        var persons = events.Where(e => e.Person is not null).Select(e => e.Person!.Value).ToList();
        var auctions = events.Where(e => e.Auction is not null).Select(e => e.Auction!.Value).ToList();
        var bids = events.Where(e => e.Bid is not null).Select(e => e.Bid!.Value).ToList();
        Assert.Equal(Enumerable.Range(1000, persons.Count).Select(i => (long)i), persons.Select(p => p.Id));
        Assert.Equal(Enumerable.Range(1000, auctions.Count).Select(i => (long)i), auctions.Select(a => a.Id));
        Assert.All(auctions, a => Assert.InRange(a.Category, 10, 14));
        Assert.All(auctions, a => Assert.True(a.Expires > a.DateTime && a.Reserve >= a.InitialBid));
        Assert.All(bids, b => Assert.InRange(b.Price, 100, 100_000_000));

        // Half the bids go to a hot auction (a multiple of 100, + 1000), three quarters come from a hot bidder (x00 + 1 + 1000).
        var hotAuctions = bids.Count(b => b.Auction % 100 == 0) / (double)bids.Count;
        var hotBidders = bids.Count(b => b.Bidder % 100 == 1) / (double)bids.Count;
        var hotSellers = auctions.Count(a => a.Seller % 100 == 0) / (double)auctions.Count;
        Assert.InRange(hotAuctions, 0.48, 0.53);
        Assert.InRange(hotBidders, 0.73, 0.78);
        Assert.InRange(hotSellers, 0.72, 0.79);

        // Log-uniform prices: a sixth of them below $10 (1000 cents), half below $1000.
        Assert.InRange(bids.Count(b => b.Price < 1_000) / (double)bids.Count, 0.15, 0.18);
        Assert.InRange(bids.Count(b => b.Price < 100_000) / (double)bids.Count, 0.48, 0.52);

        // Half the bids on the four hot channels; strings padded to the average sizes.
        Assert.InRange(bids.Count(b => b.Channel is "Google" or "Facebook" or "Baidu" or "Apple") / (double)bids.Count, 0.48, 0.52);
        Assert.InRange(bids.Average(b => b.Extra.Length + 32), 95, 105);
        Assert.All(bids.Take(100), b => Assert.StartsWith("https://www.nexmark.com/", b.Url));
    }

    [Fact]
    public void Events_built_with_some_fields_have_those_fields_as_built_with_all()
    {
        var generator = new NexmarkGenerator(new NexmarkConfig { Events = 20_000, Seed = 7 });
        var random = new Random(3);
        for (var n = 0L; n < 20_000; n++)
        {
            var type = generator.TypeOf(n);
            var fields = NexmarkTables.Fields(type);
            var full = NexmarkTables.Event(generator, type, n);
            // Every single field alone (a skipped text before it must leave the random draws where they were), then random sets.
            var mask = n < fields.Count * 50 ? 1UL << (int)(n % fields.Count) : (ulong)random.NextInt64(1L << fields.Count);
            var part = NexmarkTables.Event(generator, type, n, mask);
            for (var i = 0; i < fields.Count; i++)
            {
                var wanted = (mask & (1UL << i)) != 0;
                var value = fields[i].Read(part);
                if (wanted || fields[i].Type != Planner.Types.SqlTypeKind.Varchar)
                {
                    Assert.True(fields[i].Read(full).IsIdenticalTo(value), $"event {n} ({type}) field {fields[i].Name} with fields {mask:x}");
                }
            }
        }
    }
}
