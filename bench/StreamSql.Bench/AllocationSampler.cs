using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace StreamSql.Bench;

/// <summary>
/// --alloc-profile: samples the runtime's allocation ticks (one event per ~100 KB allocated, naming the type of the
/// allocation that crossed it) and prints the types with the largest share, to find what a query allocates per event.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private bool _enabled;

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
        if (!Volatile.Read(ref _enabled) || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
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

    /// <summary>The types with the largest sampled share, as "share% type" lines.</summary>
    public IEnumerable<string> Top(int count)
    {
        var total = Math.Max(1, _bytesByType.Values.Sum());
        return _bytesByType.OrderByDescending(p => p.Value).Take(count)
            .Select(p => $"{100.0 * p.Value / total,5:F1}% {p.Key}");
    }
}
