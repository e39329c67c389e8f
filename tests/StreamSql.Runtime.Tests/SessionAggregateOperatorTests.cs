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
/// count(*) per key in session windows with a 30-second gap over rows (key, time); its output is written as text lines
/// "op key windowstart windowend count" with the times in seconds (the event time that ends each output row is left out).
/// </summary>
public sealed class SessionAggregateOperatorTests
{
    private const long Second = 1_000_000;

    private static Value[] Row(string key, long seconds) => [Value.FromString(key), Value.FromTimestamp(seconds * Second)];

    private static SessionAggregateOperator Create(IStateStore store, bool consolidate)
    {
        var aggregate = new LogicalAggregate(new LogicalValues([], []), [], [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)],
            [new ColumnSchema("k", SqlType.Varchar), new ColumnSchema("windowstart", SqlType.Timestamp), new ColumnSchema("windowend", SqlType.Timestamp),
             new ColumnSchema("n", SqlType.BigInt)])
        {
            Window = new AggregateWindow(StartKey: 1, EndKey: 2, GraceMicros: 3600 * Second, "SESSION (30 SECONDS)", SessionGapMicros: 30 * Second),
        };
        return new SessionAggregateOperator(aggregate, [r => r[0], _ => Value.Null, _ => Value.Null], [[]], having: null, r => r[1], emitFinal: false, store,
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
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{op} {row[0].AsString} {row[1].AsLong / Second} {row[2].AsLong / Second} {row[3].AsLong}"));
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
}
