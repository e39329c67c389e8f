using System.Buffers;
using System.Globalization;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Operators.Aggregation;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using Xunit;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// count(*) (and sum(v)) per key in session windows with a 30-second gap over rows (key, time, v); its output is written
/// as text lines "op key windowstart windowend count [sum]" with the times in seconds (the event time that ends each
/// output row is left out).
/// </summary>
public sealed class SessionAggregateOperatorTests
{
    private const long Second = 1_000_000;

    private static Value[] Row(string key, long seconds, int v = 0) => [Value.FromString(key), Value.FromTimestamp(seconds * Second), Value.FromInt(v)];

    private static SessionAggregateOperator Create(IStateStore store, bool consolidate, bool withSum = false)
    {
        List<BoundAggregate> aggregates = [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)];
        List<ColumnSchema> columns =
            [new ColumnSchema("k", SqlType.Varchar), new ColumnSchema("windowstart", SqlType.Timestamp), new ColumnSchema("windowend", SqlType.Timestamp),
             new ColumnSchema("n", SqlType.BigInt)];
        Func<Value[], Value>[][] arguments = [[]];
        if (withSum)
        {
            aggregates.Add(new BoundAggregate("sum", [new BoundColumn(2, "v", SqlType.Int)], Distinct: false, Star: false, SqlType.BigInt));
            columns.Add(new ColumnSchema("total", SqlType.BigInt));
            arguments = [[], [r => r[2]]];
        }

        var aggregate = new LogicalAggregate(new LogicalValues([], []), [], aggregates, columns)
        {
            Window = new AggregateWindow(StartKey: 1, EndKey: 2, GraceMicros: 3600 * Second, "SESSION (30 SECONDS)", SessionGapMicros: 30 * Second),
        };
        return new SessionAggregateOperator(aggregate, [r => r[0], _ => Value.Null, _ => Value.Null], arguments, having: null, r => r[1], emitFinal: false, store,
            onLate: null, consolidate);
    }

    private static List<string> Run(SessionAggregateOperator sessions, params Value[][] rows)
    {
        var batch = new RowBatch();
        foreach (var row in rows)
        {
            batch.Add(row);
        }

        sessions.Process(batch);
        var lines = new List<string>();
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            var op = batch.Op(i) == ChangeOp.Delete ? "-" : "+";
            var sum = row.Length > 5 ? string.Create(CultureInfo.InvariantCulture, $" {row[4].AsLong}") : "";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{op} {row[0].AsString} {row[1].AsLong / Second} {row[2].AsLong / Second} {row[3].AsLong}{sum}"));
        }

        return lines;
    }

    // a: 0 and 20 (one session), 70 (another); b: 10. Then 45 bridges a's two sessions, b's 10 again grows its session
    // without moving its bounds, and c's 120 and 130 make a session born and grown within the batch.
    private static readonly Value[][] FirstBatch = [Row("a", 0), Row("a", 20), Row("b", 10), Row("a", 70)];
    private static readonly Value[][] SecondBatch = [Row("a", 45), Row("b", 10), Row("c", 120), Row("c", 130)];

    [Fact]
    public void Consolidated_a_batch_deletes_the_sessions_it_replaced_then_inserts_each_changed_session_once()
    {
        using var store = new MemoryStateStore();
        var sessions = Create(store, consolidate: true);
        Assert.True(sessions.ConsolidatesOutput);

        Assert.Equal(["+ a 0 20 2", "+ a 70 70 1", "+ b 10 10 1"], Run(sessions, FirstBatch));
        Assert.Equal(["- a 70 70 1", "- a 0 20 2", "- b 10 10 1", "+ a 0 70 4", "+ b 10 10 2", "+ c 120 130 2"], Run(sessions, SecondBatch));
    }

    [Fact]
    public void Unconsolidated_every_row_deletes_the_sessions_it_replaces_and_inserts_the_new_one()
    {
        using var store = new MemoryStateStore();
        var sessions = Create(store, consolidate: false);
        Assert.False(sessions.ConsolidatesOutput);

        Assert.Equal(["+ a 0 0 1", "- a 0 0 1", "+ a 0 20 2", "+ b 10 10 1", "+ a 70 70 1"], Run(sessions, FirstBatch));
        Assert.Equal(["- a 70 70 1", "- a 0 20 2", "+ a 0 70 4", "- b 10 10 1", "+ b 10 10 2", "+ c 120 120 1", "- c 120 120 1", "+ c 120 130 2"],
            Run(sessions, SecondBatch));
    }

    [Fact]
    public void Consolidated_sessions_survive_a_restart_from_the_store()
    {
        using var store = new MemoryStateStore();
        Run(Create(store, consolidate: true), FirstBatch);

        // A new operator over the same state (as after a restart) replaces the stored sessions' rows.
        Assert.Equal(["- a 70 70 1", "- a 0 20 2", "- b 10 10 1", "+ a 0 70 4", "+ b 10 10 2", "+ c 120 130 2"], Run(Create(store, consolidate: true), SecondBatch));
    }

    [Fact]
    public void Sessions_with_arguments_survive_a_restart_and_a_merge_recomputes_them()
    {
        using var store = new MemoryStateStore();
        Assert.Equal(["+ a 0 20 2 3", "+ a 70 70 1 4"], Run(Create(store, consolidate: true, withSum: true), Row("a", 0, 1), Row("a", 20, 2), Row("a", 70, 4)));

        // Restarted: the stored tuples are decoded, merged with 45's, and aggregated again.
        var restarted = Create(store, consolidate: true, withSum: true);
        Assert.Equal(["- a 70 70 1 4", "- a 0 20 2 3", "+ a 0 70 4 12"], Run(restarted, Row("a", 45, 5)));
        Assert.Equal(["- a 0 70 4 12", "+ a 0 90 5 18"], Run(restarted, Row("a", 90, 6)));
    }

    /// <summary>The stored values of the store's session keys (not its stream time entry).</summary>
    private static List<(byte[] Key, byte[] Value)> SessionEntries(MemoryStateStore store)
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        store.Scan((key, value) =>
        {
            if (!StreamTimeState.IsKey(key))
            {
                entries.Add((key.ToArray(), value.ToArray()));
            }

            return true;
        });
        return entries;
    }

    [Fact]
    public void A_count_only_sessions_state_does_not_grow_with_its_rows()
    {
        using var store = new MemoryStateStore();
        var sessions = Create(store, consolidate: true);
        Run(sessions, Row("a", 0), Row("a", 1));
        var small = Assert.Single(SessionEntries(store)).Value.Length;

        // 2,000 more rows one second apart: one session of 2,002 rows, saved in one byte more than one of 2 (its count's
        // second LEB128 byte), not a byte per row.
        Assert.Equal(["- a 0 1 2", "+ a 0 2001 2002"], Run(sessions, [.. Enumerable.Range(2, 2000).Select(t => Row("a", t))]));
        Assert.Equal(small + 1, Assert.Single(SessionEntries(store)).Value.Length);

        // And read back as such after a restart.
        Assert.Equal(["- a 0 2001 2002", "+ a 0 2010 2003"], Run(Create(store, consolidate: true), Row("a", 2010)));
    }

    [Fact]
    public void A_count_only_session_saved_with_a_byte_per_row_is_still_read()
    {
        using var store = new MemoryStateStore();
        Run(Create(store, consolidate: true), Row("a", 0));
        var stateKey = Assert.Single(SessionEntries(store)).Key;

        // The layout before counts alone: the key row, the number of sessions, then each one's start, end, row count and an
        // empty argument list (a zero length byte) per row. Here a's session [0 s, 20 s] of 5 rows.
        var old = new ArrayBufferWriter<byte>();
        ValueCodec.WriteRow(old, [Value.FromString("a"), Value.Null, Value.Null]);
        old.WriteVarInt64(1);
        old.WriteInt64(0);
        old.WriteInt64(20 * Second);
        old.WriteVarInt64(5);
        old.Write(new byte[5]);
        store.Put(stateKey, old.WrittenSpan);

        Assert.Equal(["- a 0 20 5", "+ a 0 25 6"], Run(Create(store, consolidate: true), Row("a", 25)));
    }

    [Fact]
    public void Keys_that_leave_the_cache_of_decoded_sessions_come_back_from_the_store()
    {
        using var store = new MemoryStateStore();
        var sessions = Create(store, consolidate: true);
        // More keys than the operator keeps decoded; then a batch of one key, after which the others leave the cache.
        var keys = Enumerable.Range(0, 20_000).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(20_000, Run(sessions, [.. keys.Select(k => Row(k, 0))]).Count);
        Assert.Equal(["- k0 0 0 1", "+ k0 0 10 2"], Run(sessions, Row("k0", 10)));

        var lines = Run(sessions, [.. keys.Select(k => Row(k, 20))]);
        Assert.Equal(40_000, lines.Count);
        Assert.Equal(["- k0 0 10 2", "- k1 0 0 1"], lines[..2]);
        Assert.Equal(["+ k0 0 20 3", "+ k1 0 20 2", "+ k19999 0 20 2"], [lines[20_000], lines[20_001], lines[^1]]);
    }

    [Fact]
    public void The_store_counts_each_key_with_open_sessions_once_as_keys_come_close_and_come_back()
    {
        // FASTER: the operator tells it whether a key is already there (MemoryStateStore works that out itself).
        var directory = Directory.CreateTempSubdirectory("streamsql-sessions-").FullName;
        try
        {
            using var store = new FasterStateStore(Path.Combine(directory, "s"), 1L << 22);
            var sessions = Create(store, consolidate: true);
            Run(sessions, Row("a", 0), Row("b", 10));
            Assert.Equal(3, store.Count); // a, b and the stream time
            Run(sessions, Row("a", 20));
            Assert.Equal(3, store.Count);

            // Stream time 4000 s passes a's and b's ends + gap + grace (3630 s): they leave; c arrives.
            Run(sessions, Row("c", 4000));
            Assert.Equal(2, store.Count);
            Run(sessions, Row("a", 4010));
            Assert.Equal(3, store.Count);

            var restarted = Create(store, consolidate: true);
            Assert.Equal(["- a 4010 4010 1", "+ a 4010 4020 2"], Run(restarted, Row("a", 4020)));
            Assert.Equal(3, store.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_session_grown_batch_after_batch_closes_when_stream_time_passes_its_last_end()
    {
        var directory = Directory.CreateTempSubdirectory("streamsql-sessions-").FullName;
        try
        {
            using var store = new FasterStateStore(Path.Combine(directory, "s"), 1L << 22);
            var sessions = Create(store, consolidate: true);
            for (var t = 0; t <= 200; t += 20)
            {
                Run(sessions, Row("a", t), Row("b", t + 100));
            }

            Assert.Equal(3, store.Count); // a, b and the stream time

            // Gap + grace is 3630 s. Stream time 3829 s passes the sessions' first ends, not their last (200 s, 300 s).
            Assert.Equal(["+ z 3829 3829 1"], Run(sessions, Row("z", 3829)));
            Assert.Equal(4, store.Count);
            Run(sessions, Row("z", 3830));
            Assert.Equal(3, store.Count); // a closed

            // After a restart the key is queued from the store.
            sessions = Create(store, consolidate: true);
            Run(sessions, Row("z", 3929));
            Assert.Equal(3, store.Count);
            Run(sessions, Row("z", 3930));
            Assert.Equal(2, store.Count); // b closed
            Assert.Equal(["+ a 3940 3940 1"], Run(sessions, Row("a", 3940)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
