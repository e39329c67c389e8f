using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace StreamSql.Bench;

/// <summary>
/// --alloc-profile: samples the runtime's allocation ticks (one event per ~100 KB allocated, naming the type of the
/// allocation that crossed it) and prints the types with the largest share, to find what a query allocates per event;
/// also counts the collections by generation and the runtime's reason for each, with their time from start to end (a full collection triggered by large or
/// pinned allocations, which count toward gen2's budget, says who to look at).
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private readonly ConcurrentDictionary<string, long> _collections = new();

    // Time from each collection's start to its end, by the same "gen, reason" key.
    private readonly ConcurrentDictionary<string, double> _collectionMilliseconds = new();
    private string? _collecting;
    private DateTime _collectionStart;

    // The runtime's GC reasons (GCStart's Reason field), by number.
    private static readonly string[] Reasons =
    [
        "small allocations", "induced", "low memory", "empty", "large/pinned allocations", "out of space (small)", "out of space (large)",
        "induced, not forced", "stress", "induced low memory", "induced compacting", "provisional: low memory", "provisional: gen2 budget",
    ];
    private bool _enabled;

    // Bytes the collections marked live, by where the marking started (GCMarkWithType's Type field): a gen0 collection
    // that marks much through "older generation" is paying for references stored into old objects (card marking).
    private readonly ConcurrentDictionary<string, long> _markedBytes = new();
    private static readonly string[] MarkRoots =
    [
        "stack", "finalize queue", "handles", "older generation (cards)", "sized ref", "overflow", "dependent handles", "new FQ", "steal", "big FQ",
    ];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Keyword 0x1: GC events, which include GCAllocationTick at the verbose level.
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    public void Start() => Volatile.Write(ref _enabled, true);

    public void Stop() => Volatile.Write(ref _enabled, false);

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Volatile.Read(ref _enabled) || e.EventName is null || e.PayloadNames is null)
        {
            return;
        }

        if (e.EventName.StartsWith("GCStart", StringComparison.Ordinal))
        {
            var depth = e.PayloadNames.IndexOf("Depth") is var d and >= 0 ? Convert.ToInt32(e.Payload![d], System.Globalization.CultureInfo.InvariantCulture) : -1;
            var reason = e.PayloadNames.IndexOf("Reason") is var r and >= 0 ? Convert.ToInt32(e.Payload![r], System.Globalization.CultureInfo.InvariantCulture) : -1;
            var name = reason >= 0 && reason < Reasons.Length ? Reasons[reason] : $"reason {reason}";
            var key = $"gen{depth} collections, {name}";
            _collections.AddOrUpdate(key, 1, (_, n) => n + 1);
            (_collecting, _collectionStart) = (key, e.TimeStamp);
            return;
        }

        if (e.EventName.StartsWith("GCMarkWithType", StringComparison.Ordinal))
        {
            var rootType = e.PayloadNames.IndexOf("Type") is var rt and >= 0 ? Convert.ToInt32(e.Payload![rt], System.Globalization.CultureInfo.InvariantCulture) : -1;
            var marked = e.PayloadNames.IndexOf("Bytes") is var mb and >= 0 ? Convert.ToInt64(e.Payload![mb], System.Globalization.CultureInfo.InvariantCulture) : 0;
            var root = rootType >= 0 && rootType < MarkRoots.Length ? MarkRoots[rootType] : $"root {rootType}";
            _markedBytes.AddOrUpdate($"{_collecting ?? "?"}: from {root}", marked, (_, sum) => sum + marked);
            return;
        }

        if (e.EventName.StartsWith("GCEnd", StringComparison.Ordinal))
        {
            if (_collecting is { } collecting)
            {
                var elapsed = (e.TimeStamp - _collectionStart).TotalMilliseconds;
                _collectionMilliseconds.AddOrUpdate(collecting, elapsed, (_, sum) => sum + elapsed);
                _collecting = null;
            }

            return;
        }

        if (!e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            return;
        }

        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        // Large (LOH) and pinned (POH) allocations count toward gen2's budget: shown apart.
        var kind = e.PayloadNames.IndexOf("AllocationKind") is var k and >= 0 ? Convert.ToInt32(e.Payload![k], System.Globalization.CultureInfo.InvariantCulture) : 0;
        type += kind switch { 1 => " (large object heap)", 2 => " (pinned object heap)", _ => "" };
        _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>Collections by generation and reason, as "count what" lines.</summary>
    public IEnumerable<string> Collections() => _collections.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Value,6} {p.Key}: {_collectionMilliseconds.GetValueOrDefault(p.Key):F0} ms");

    /// <summary>Bytes marked live, by collection kind and where the marking started, as "MB what" lines.</summary>
    public IEnumerable<string> Marked() => _markedBytes.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Value / 1e6,8:F1} MB {p.Key}");

    /// <summary>The types with the largest sampled share, as "share% type" lines.</summary>
    public IEnumerable<string> Top(int count)
    {
        var total = Math.Max(1, _bytesByType.Values.Sum());
        return _bytesByType.OrderByDescending(p => p.Value).Take(count)
            .Select(p => $"{100.0 * p.Value / total,5:F1}% {p.Key}");
    }
}
