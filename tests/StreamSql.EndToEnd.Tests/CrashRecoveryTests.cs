using Confluent.Kafka;
using Xunit.Abstractions;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// kill -9 of the server process at random moments while rows stream through persistent queries (a filter, a stream–table
/// join through a repartition, stream–stream joins with and without one, a windowed aggregation, a GROUP BY on a non-key column of a 4-partition stream through a repartition and an
/// aggregation over it, an aggregation over a table): after each restart the queries restore their state, complete any interrupted batch and
/// resume, and in the end every output equals, record for record, what the same SQL computes over the input as a pull query.
/// The suite runs a short version; scripts/crash-test.sh runs it longer (STREAMSQL_CRASH_KILLS, STREAMSQL_CRASH_EVENTS).
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper report) : IDisposable
{
    private static readonly int Kills = Setting("STREAMSQL_CRASH_KILLS", 10);

    // Events written to the source stream at least (each is also written to the keyed stream and the table).
    private static readonly int Events = Setting("STREAMSQL_CRASH_EVENTS", 0);

    private readonly ServerProcess _server = new(Directory.CreateTempSubdirectory("streamsql-crash-").FullName, "--checkpoint-interval", "500ms");

    private static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_server.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task SigkilledServerLosesAndDuplicatesNoOutput()
    {
        await _server.StartAsync();
        await using (var setup = await _server.ConnectAsync())
        {
            await setup.ExecuteAsync("CREATE STREAM crash_src (id INT, v INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE STREAM crash_out AS SELECT id, v * 10 AS w FROM crash_src WHERE v % 3 <> 0");
            // Most batches of these have no output: their offsets are committed lazily (with the next intent, or periodically).
            await setup.ExecuteAsync("CREATE STREAM crash_rare AS SELECT id, v FROM crash_src WHERE id % 101 = 17");
            await setup.ExecuteAsync("CREATE TABLE crash_rare_counts AS SELECT v, count(*) AS n, sum(id) AS s FROM crash_src WHERE id % 53 = 3 GROUP BY v");
            await setup.ExecuteAsync("CREATE STREAM crash_keyed (id INT KEY, v INT) WITH (partitions=4)");
            await setup.ExecuteAsync("CREATE TABLE crash_by_v AS SELECT v, count(*) AS n, sum(id) AS s FROM crash_keyed GROUP BY v");
            // An aggregation over that aggregation: three stages (re-key by v, the counts' changes keyed by n, the histogram).
            // A Top-N over it: the counts' changes go to one partition (no PARTITION BY), where the three largest are ranked.
            await setup.ExecuteAsync("CREATE TABLE crash_top AS SELECT v, n, rn FROM (SELECT v, n, ROW_NUMBER() OVER (ORDER BY n DESC) AS rn FROM (SELECT v, count(*) AS n FROM crash_keyed GROUP BY v) c) r WHERE rn <= 3");
            await setup.ExecuteAsync("CREATE TABLE crash_nested AS SELECT n, count(*) AS vs, sum(s) AS s FROM (SELECT v, count(*) AS n, sum(id) AS s FROM crash_keyed GROUP BY v) c GROUP BY n");
            await setup.ExecuteAsync("CREATE TABLE crash_windows AS SELECT v, windowstart, count(*) AS n FROM crash_src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY v");
            // Consolidated hopping windows: a batch's rows of one v and slide are aggregated once, then merged into each window.
            await setup.ExecuteAsync("CREATE TABLE crash_hops WITH (consolidate='batch') AS SELECT v, windowstart, count(*) AS n, max(id) AS hi FROM crash_src WINDOW HOPPING (SIZE 2 SECONDS, ADVANCE BY 1 SECOND) GROUP BY v");
            // Consolidated session windows: keys queued for closing by their sessions' earliest end, queued again at a restart.
            await setup.ExecuteAsync("CREATE TABLE crash_sessions WITH (consolidate='batch') AS SELECT v, windowstart, windowend, count(*) AS n FROM crash_src WINDOW SESSION (300 MILLISECONDS) GROUP BY v");
            await setup.ExecuteAsync("CREATE TABLE crash_latest (v INT PRIMARY KEY, id INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE TABLE crash_latest_sum AS SELECT count(*) AS n, sum(id) AS s FROM crash_latest");

            // A dimension table written before the stream: the join's output is then the same whenever rows are processed. The
            // stream has no key, so the join first repartitions it by v (an internal topic, a stage of its own).
            await setup.ExecuteAsync("CREATE TABLE crash_dim (v INT PRIMARY KEY, name VARCHAR) WITH (partitions=2)");
            await setup.ExecuteAsync("INSERT INTO crash_dim VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (6, 'six')");
            await setup.ExecuteAsync("CREATE STREAM crash_joined AS SELECT s.id, d.name FROM crash_src s JOIN crash_dim d ON s.v = d.v");
            // Windows over the same join: three stages (re-key crash_src by v, join keyed by name, windowed count).
            await setup.ExecuteAsync("CREATE TABLE crash_name_windows AS SELECT d.name, windowstart, count(*) AS n, sum(s.id) AS s FROM crash_src s JOIN crash_dim d ON s.v = d.v WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY d.name");
            await setup.ExecuteAsync("CREATE TABLE crash_tt (v INT PRIMARY KEY, w INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE TABLE crash_tj AS SELECT a.v, a.id, b.w FROM crash_latest a LEFT JOIN crash_tt b ON a.v = b.v");
            await setup.ExecuteAsync("CREATE STREAM crash_jl (k INT KEY, id INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE STREAM crash_jr (k INT KEY, id INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE STREAM crash_ss_joined AS SELECT l.k, l.id AS lid, r.id AS rid FROM crash_jl l JOIN crash_jr r WITHIN 1 HOUR ON l.k = r.k");
            await setup.ExecuteAsync("CREATE TABLE crash_ss_counts AS SELECT l.k, count(*) AS n, sum(r.id) AS s FROM crash_jl l JOIN crash_jr r WITHIN 1 HOUR ON l.k = r.k GROUP BY l.k");

            // Partition counts differ: the one-partition side is repartitioned into two first.
            await setup.ExecuteAsync("CREATE STREAM crash_jr1 (k INT KEY, id INT) WITH (partitions=1)");
            await setup.ExecuteAsync("CREATE STREAM crash_ss_rp AS SELECT l.k, l.id AS lid, r.id AS rid FROM crash_jl l JOIN crash_jr1 r WITHIN 1 HOUR ON l.k = r.k");
        }

        var nextId = 0;
        var acknowledged = 0;
        var random = new Random(20261125);
        var batch = Events > 0 ? 1000 : 50;
        var kills = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Rounds in flight at a kill may or may not land: the run goes on until acknowledged rounds alone reach the target.
        for (var kill = 0; kill < Kills || Volatile.Read(ref acknowledged) < Events; kill++)
        {
            using var stopWriting = new CancellationTokenSource();
            var wroteOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // The suite's short run writes through INSERT statements; the long run (scripts/crash-test.sh) through a Kafka
            // producer, so that a million events per input fit in minutes. Either way, what became durable is the truth.
            var writer = Events > 0
                ? Task.Run(() => ProduceRounds(batch, () => Interlocked.Add(ref nextId, batch) - batch, () => Interlocked.Add(ref acknowledged, batch), wroteOnce, stopWriting.Token))
                : Task.Run(async () => await InsertRounds(batch, () => Interlocked.Add(ref nextId, batch) - batch, () => Interlocked.Add(ref acknowledged, batch), wroteOnce, stopWriting.Token));

            // Every round writes to every input at least once before the crash.
            await wroteOnce.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // The crash moment is chosen at random while rows are being written and processed.
            // A long run spreads its kills over the events: the wait is what the measured rate needs to write the rest in the
            // kills left, between 3 s and 2 min, and random around that.
            var pause = random.Next(400, 1200);
            if (Events > 0)
            {
                var written = Math.Max(1, Volatile.Read(ref nextId));
                var perSecond = written / Math.Max(1, clock.Elapsed.TotalSeconds);
                var seconds = Math.Clamp((Events - written) / perSecond / Math.Max(1, Kills - kill), 3, 120);
                pause = (int)(seconds * 1000 * (0.5 + random.NextDouble()));
            }

            await Task.Delay(pause);
            await _server.KillAsync();
            kills++;
            stopWriting.Cancel();
            await Assert.ThrowsAnyAsync<Exception>(() => writer).ContinueWith(_ => { });
            await _server.StartAsync();
        }

        await using var check = await _server.ConnectAsync();
        await check.ExecuteAsync("FLUSH");

        // Whatever INSERTs became durable before each kill is the truth the output must match, record for record.
        var source = await check.RowsAsync("SELECT id, v FROM crash_src");
        var expected = source.Select(r => r.Split('|')).Where(r => int.Parse(r[1]) % 3 != 0).Select(r => $"{r[0]}|{int.Parse(r[1]) * 10}").Order().ToList();
        var output = (await check.RowsAsync("SELECT id, w FROM crash_out")).Order().ToList();

        Assert.True(source.Count >= Math.Max(100, Events), $"only {source.Count} input rows were written");
        Assert.Equal(expected.Count, output.Count);
        Assert.Equal(expected, output);

        var rare = (await check.RowsAsync("SELECT id, v FROM crash_rare")).Order().ToList();
        Assert.True(rare.Count > 3, $"only {rare.Count} rare rows");
        Assert.Equal((await check.RowsAsync("SELECT id, v FROM crash_src WHERE id % 101 = 17")).Order().ToList(), rare);
        Assert.Equal((await check.RowsAsync("SELECT v, count(*), sum(id) FROM crash_src WHERE id % 53 = 3 GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, n, s FROM crash_rare_counts")).Order());

        // Stateful outputs: the tables equal the same aggregations computed now over their inputs.
        Assert.Equal((await check.RowsAsync("SELECT v, count(*), sum(id) FROM crash_keyed GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, n, s FROM crash_by_v")).Order());
        Assert.Equal((await check.RowsAsync("SELECT n, count(*), sum(s) FROM (SELECT v, count(*) AS n, sum(id) AS s FROM crash_keyed GROUP BY v) c GROUP BY n")).Order(),
            (await check.RowsAsync("SELECT n, vs, s FROM crash_nested")).Order());
        // Ranks 1..3, each a value with its current count, those counts the three largest (equal counts rank in arrival order).
        var counts = (await check.RowsAsync("SELECT v, count(*) FROM crash_keyed GROUP BY v")).Select(r => r.Split('|')).ToDictionary(r => r[0], r => r[1]);
        var top = (await check.RowsAsync("SELECT v, n, rn FROM crash_top ORDER BY rn")).Select(r => r.Split('|')).ToList();
        Assert.Equal(["1", "2", "3"], top.Select(r => r[2]));
        Assert.All(top, r => Assert.Equal(counts[r[0]], r[1]));
        Assert.Equal(counts.Values.Select(long.Parse).OrderDescending().Take(3), top.Select(r => long.Parse(r[1])));
        Assert.Equal((await check.RowsAsync("SELECT v, windowstart::text, count(*) FROM crash_src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, windowstart::text, n FROM crash_windows")).Order());
        Assert.Equal((await check.RowsAsync("SELECT v, windowstart::text, count(*), max(id) FROM crash_src WINDOW HOPPING (SIZE 2 SECONDS, ADVANCE BY 1 SECOND) GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, windowstart::text, n, hi FROM crash_hops")).Order());
        Assert.Equal((await check.RowsAsync("SELECT v, windowstart::text, windowend::text, count(*) FROM crash_src WINDOW SESSION (300 MILLISECONDS) GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, windowstart::text, windowend::text, n FROM crash_sessions")).Order());
        Assert.Equal(await check.RowsAsync("SELECT count(*), sum(id) FROM crash_latest"), await check.RowsAsync("SELECT n, s FROM crash_latest_sum"));
        var joined = (await check.RowsAsync("SELECT id, name FROM crash_joined")).Order().ToList();
        Assert.Equal((await check.RowsAsync("SELECT s.id, d.name FROM crash_src s JOIN crash_dim d ON s.v = d.v")).Order().ToList(), joined);

        Assert.Equal((await check.RowsAsync("SELECT d.name, windowstart::text, count(*), sum(s.id) FROM crash_src s JOIN crash_dim d ON s.v = d.v WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY d.name")).Order().ToList(),
            (await check.RowsAsync("SELECT name, windowstart::text, n, s FROM crash_name_windows")).Order().ToList());

        // The persistent table–table join equals the join of both tables' current rows.
        var right = (await check.RowsAsync("SELECT v, w FROM crash_tt")).Select(r => r.Split('|')).ToDictionary(r => r[0], r => r[1]);
        var tableJoin = (await check.RowsAsync("SELECT v, id FROM crash_latest")).Select(r => r.Split('|'))
            .Select(r => $"{r[0]}|{r[1]}|{right.GetValueOrDefault(r[0]) ?? "NULL"}").Order().ToList();
        Assert.Equal(tableJoin, (await check.RowsAsync("SELECT v, id, w FROM crash_tj")).Order().ToList());

        // The persistent stream–stream join equals the same join computed now over both inputs.
        var ssJoined = (await check.RowsAsync("SELECT l.k, l.id, r.id FROM crash_jl l JOIN crash_jr r WITHIN 1 HOUR ON l.k = r.k")).Order().ToList();
        Assert.True(ssJoined.Count > 100, $"only {ssJoined.Count} joined rows");
        Assert.Equal(ssJoined, (await check.RowsAsync("SELECT k, lid, rid FROM crash_ss_joined")).Order().ToList());
        Assert.Equal((await check.RowsAsync("SELECT l.k, count(*), sum(r.id) FROM crash_jl l JOIN crash_jr r WITHIN 1 HOUR ON l.k = r.k GROUP BY l.k")).Order().ToList(),
            (await check.RowsAsync("SELECT k, n, s FROM crash_ss_counts")).Order().ToList());
        // The repartitioned one: a key's rows of both sides are written within one round, so every pair is within the hour.
        var rights = (await check.RowsAsync("SELECT k, id FROM crash_jr1")).Select(r => r.Split('|')).ToLookup(r => r[0], r => r[1]);
        var rpJoined = (await check.RowsAsync("SELECT k, id FROM crash_jl")).Select(r => r.Split('|'))
            .SelectMany(l => rights[l[0]].Select(rid => $"{l[0]}|{l[1]}|{rid}")).Order().ToList();
        Assert.True(rpJoined.Count > 100, $"only {rpJoined.Count} repartitioned joined rows");
        Assert.Equal(rpJoined, (await check.RowsAsync("SELECT k, lid, rid FROM crash_ss_rp")).Order().ToList());
        report.WriteLine($"crash test: {clock.Elapsed.TotalMinutes:F1} min, {kills} kills, {source.Count} events through each input, {output.Count} filtered ({rare.Count} rare) and {joined.Count} stream–table joined rows, {ssJoined.Count} stream–stream joined rows, 0 mismatches");
    }

    private async Task InsertRounds(int batch, Func<int> claim, Action acknowledged, TaskCompletionSource wroteOnce, CancellationToken stop)
    {
        await using var connection = await _server.ConnectAsync();
        while (!stop.IsCancellationRequested)
        {
            var first = claim();
            var values = string.Join(", ", Enumerable.Range(first, batch).Select(i => $"({i}, {i % 7})"));
            await connection.ExecuteAsync($"INSERT INTO crash_src VALUES {values}");
            await connection.ExecuteAsync($"INSERT INTO crash_keyed VALUES {values}");
            await connection.ExecuteAsync($"INSERT INTO crash_latest VALUES {values}");

            // Each key of crash_tt is written twice (an insert, then an update); every tenth is then deleted.
            await connection.ExecuteAsync($"INSERT INTO crash_tt VALUES {string.Join(", ", Enumerable.Range(first, batch).Select(i => $"({i / 2}, {i})"))}");
            foreach (var key in Enumerable.Range(first / 2, (batch / 2) + 1).Where(k => k % 10 == 0))
            {
                // A key lookup each, so long runs do not scan the whole table per round.
                await connection.ExecuteAsync($"DELETE FROM crash_tt WHERE v = {key}");
            }

            // Three rows per key on each side of the join (nine joined rows), the two sides written separately.
            var keyed = string.Join(", ", Enumerable.Range(first, batch).Select(i => $"({i / 3}, {i})"));
            await connection.ExecuteAsync($"INSERT INTO crash_jl VALUES {keyed}");
            await connection.ExecuteAsync($"INSERT INTO crash_jr VALUES {keyed}");
            await connection.ExecuteAsync($"INSERT INTO crash_jr1 VALUES {keyed}");
            wroteOnce.TrySetResult();
        }
    }

    // The same rows as InsertRounds, as the records an INSERT makes: KAFKA-format keys (big-endian INT), JSON values
    // without the key column, tombstones for deletes, and the murmur2 partitioner the server uses.
    private void ProduceRounds(int batch, Func<int> claim, Action acknowledged, TaskCompletionSource wroteOnce, CancellationToken stop)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{_server.KafkaPort}", EnableIdempotence = true, LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random, MessageTimeoutMs = 5000,
        };
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        while (!stop.IsCancellationRequested)
        {
            var first = claim();
            for (var i = first; i < first + batch; i++)
            {
                Produce(producer, "crash_src", null, $"{{\"id\":{i},\"v\":{i % 7}}}");
                Produce(producer, "crash_keyed", IntKey(i), $"{{\"v\":{i % 7}}}");
                Produce(producer, "crash_latest", IntKey(i), $"{{\"id\":{i % 7}}}");
                Produce(producer, "crash_tt", IntKey(i / 2), $"{{\"w\":{i}}}");
                Produce(producer, "crash_jl", IntKey(i / 3), $"{{\"id\":{i}}}");
                Produce(producer, "crash_jr", IntKey(i / 3), $"{{\"id\":{i}}}");
                Produce(producer, "crash_jr1", IntKey(i / 3), $"{{\"id\":{i}}}");
            }

            for (var key = first / 2; key <= (first + batch - 1) / 2; key++)
            {
                if (key % 10 == 0)
                {
                    Produce(producer, "crash_tt", IntKey(key), null);
                }
            }

            // A round counts once the broker acknowledged it (the crash may come at any point after).
            if (producer.Flush(TimeSpan.FromSeconds(30)) == 0)
            {
                acknowledged();
                wroteOnce.TrySetResult();
            }
        }

        static byte[] IntKey(int value)
        {
            var key = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key, value);
            return key;
        }

        static void Produce(IProducer<byte[]?, byte[]?> producer, string topic, byte[]? key, string? value)
        {
            var message = new Message<byte[]?, byte[]?> { Key = key, Value = value is null ? null : System.Text.Encoding.UTF8.GetBytes(value) };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message);
                    return;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(20));
                }
            }
        }
    }
}
