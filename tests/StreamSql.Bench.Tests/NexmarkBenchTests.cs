using System.Text.Json;

namespace StreamSql.Bench.Tests;

/// <summary>Runs the Nexmark benchmark on a tiny event count so it cannot rot: engine and baseline must agree.</summary>
public sealed class NexmarkBenchTests
{
    [Theory]
    [InlineData("q0", "generator")]
    [InlineData("q1", "generator")]
    [InlineData("q2", "generator")]
    [InlineData("q14", "generator")]
    [InlineData("q21", "generator")]
    [InlineData("q22", "generator")]
    [InlineData("q0", "topic")]
    [InlineData("q1", "topic")]
    [InlineData("q2", "topic")]
    [InlineData("q3", "topic")]
    [InlineData("q4", "topic")]
    [InlineData("q5", "topic")]
    [InlineData("q7", "topic")]
    [InlineData("q8", "topic")]
    [InlineData("q11", "topic")]
    [InlineData("q12", "topic")]
    [InlineData("q15", "topic")]
    [InlineData("q16", "topic")]
    [InlineData("q17", "topic")]
    [InlineData("q18", "topic")]
    [InlineData("q19", "topic")]
    [InlineData("q3", "generator")]
    [InlineData("q4", "generator")]
    [InlineData("q5", "generator")]
    [InlineData("q5-tables", "generator")]
    [InlineData("q5-tables", "topic")]
    [InlineData("q7", "generator")]
    [InlineData("q8", "generator")]
    [InlineData("q8-tables", "generator")]
    [InlineData("q8-tables", "topic")]
    [InlineData("q11", "generator")]
    [InlineData("q12", "generator")]
    [InlineData("q15", "generator")]
    [InlineData("q16", "generator")]
    [InlineData("q17", "generator")]
    [InlineData("q18", "generator")]
    [InlineData("q19", "generator")]
    public async Task Engine_and_baseline_agree(string query, string source)
    {
        var result = await NexmarkBench.RunAsync(query, 2_000, source);

        Assert.True(result.ChecksumMatch, $"{query}/{source}: engine {result.Rows} rows, baseline {result.BaselineRows}");
        Assert.True(result.Rows > 0);
        if (query is "q0" or "q1" or "q2")
        {
            // 2000 events hold 1840 bids; two of them are on a multiple of auction 123.
            Assert.Equal(query == "q2" ? 2 : 1_840, result.Rows);
        }

        // Every run measures latency: generator runs per event, topic runs per batch of the engine's tasks.
        Assert.NotNull(result.P50LatencyMs);
        Assert.NotNull(result.P99LatencyMs);

        if (query == "q7")
        {
            // 2000 events are 0.2 s of event time: one 10-second window.
            Assert.Equal(1, result.Rows);
        }

        // The JSON line carries the fields the issue lists.
        using var json = JsonDocument.Parse(result.ToJson());
        foreach (var field in (string[])["query", "source", "workers", "events", "wall_seconds", "cpu_seconds", "engine_events_per_sec", "engine_events_per_cpu_sec",
                     "baseline_events_per_sec", "ratio", "peak_rss_mb", "p50_latency_ms", "p99_latency_ms", "rows", "checksum_match"])
        {
            Assert.True(json.RootElement.TryGetProperty(field, out _), field);
        }
    }

    [Theory]
    [InlineData("q0", "generator")]
    [InlineData("q0", "topic")]
    [InlineData("q5-tables", "topic")]
    [InlineData("q8", "topic")]
    [InlineData("q5-tables", "generator")]
    [InlineData("q5", "generator")]
    [InlineData("q5", "topic")]
    [InlineData("q8", "generator")]
    public async Task Two_workers_give_the_same_output(string query, string source)
    {
        var result = await NexmarkBench.RunAsync(query, 2_000, source, seed: 0, workers: 2);

        Assert.True(result.ChecksumMatch, $"{query}/{source}: engine {result.Rows} rows, baseline {result.BaselineRows}");
        Assert.Equal(2, result.Workers);
        Assert.Equal(source, result.Source);
        Assert.NotNull(result.P50LatencyMs);
        Assert.True(result.P99LatencyMs >= result.P50LatencyMs);
    }

    // Many chunks of 4,096 events, each taken by whichever worker asks first: every event is still processed exactly once.
    [Theory]
    [InlineData("q0")]
    [InlineData("q2")]
    public async Task Two_generator_workers_share_the_chunks_without_losing_or_repeating_one(string query)
    {
        var result = await NexmarkBench.RunAsync(query, 100_000, "generator", seed: 3, workers: 2);

        Assert.True(result.ChecksumMatch, $"{query}: engine {result.Rows} rows, baseline {result.BaselineRows}");
        Assert.True(result.Rows > 0);
    }

    [Fact]
    public async Task A_stream_join_needs_one_worker()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => NexmarkBench.RunAsync("q3", 2_000, "topic", seed: 0, workers: 2));
    }

    [Fact]
    public async Task Repeated_runs_report_the_run_with_the_median_ratio_whole()
    {
        var measured = await NexmarkBench.RunAsync("q1", 2_000, "generator");
        BenchResult[] runs =
        [
            measured with { Ratio = 0.40, EngineEventsPerSec = 4 },
            measured with { Ratio = 0.20, EngineEventsPerSec = 2 },
            measured with { Ratio = 0.30, EngineEventsPerSec = 3 },
        ];

        var median = RepeatedRuns.Median(runs);

        // The middle run's own figures, not a mix of runs.
        Assert.Equal(0.30, median.Ratio);
        Assert.Equal(3, median.EngineEventsPerSec);
        Assert.Equal(3, median.Runs);
        Assert.Equal([0.20, 0.30, 0.40], median.RunRatios);
        using var json = JsonDocument.Parse(median.ToJson());
        Assert.Equal(3, json.RootElement.GetProperty("runs").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("run_ratios").GetArrayLength());

        // Of an even count, the lower middle; one run that disagreed with its baseline makes the result disagree.
        var even = RepeatedRuns.Median([.. runs, measured with { Ratio = 0.10, ChecksumMatch = false }]);
        Assert.Equal(0.20, even.Ratio);
        Assert.False(even.ChecksumMatch);
    }
}
