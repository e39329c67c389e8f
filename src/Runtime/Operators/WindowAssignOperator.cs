using System.Buffers;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>Appends window_start and window_end to each row, one copy per window its event time falls in; rows without a time are dropped.</summary>
public sealed class WindowAssignOperator(WindowFunction function, Func<Value[], Value> time, long size, long step) : IBatchOperator
{
    public void Process(RowBatch batch)
    {
        // A stateless pipeline is shared by the partition tasks: nothing of a batch may live in a field. The copy of the
        // input is pooled (a batch's would often be a large object) and cleared when returned.
        var count = batch.Count;
        var input = ArrayPool<(Value[] Row, ChangeOp Op)>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                input[i] = (batch.Row(i), batch.Op(i));
            }

            batch.Clear();
            Assign(batch, input.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<(Value[] Row, ChangeOp Op)>.Shared.Return(input, clearArray: true);
        }
    }

    private void Assign(RowBatch batch, ReadOnlySpan<(Value[] Row, ChangeOp Op)> input)
    {
        // Per call, not in a field: the pipeline is shared by the partition tasks.
        var fixedWindows = HasFixedWindows;
        var starts = fixedWindows ? ArrayPool<long>.Shared.Rent(MaxWindows) : [];
        var ends = fixedWindows ? ArrayPool<long>.Shared.Rent(MaxWindows) : [];
        try
        {
            foreach (var (row, op) in input)
            {
                var t = time(row);
                if (t.IsNull)
                {
                    continue;
                }

                if (!fixedWindows)
                {
                    // Session or sliding: a point window; the aggregate merges it with the key's windows within the gap.
                    batch.Add(Extend(row, t.AsLong, t.AsLong), op);
                    continue;
                }

                var count = WindowsOf(t.AsLong, starts, ends);
                for (var w = 0; w < count; w++)
                {
                    batch.Add(Extend(row, starts[w], ends[w]), op);
                }
            }
        }
        finally
        {
            if (fixedWindows)
            {
                ArrayPool<long>.Shared.Return(starts);
                ArrayPool<long>.Shared.Return(ends);
            }
        }
    }

    /// <summary>Windows that are fixed intervals of the event time (not session or sliding) can be enumerated by <see cref="WindowsOf"/>.</summary>
    public bool HasFixedWindows => function is WindowFunction.Tumble or WindowFunction.Hop or WindowFunction.Cumulate;

    /// <summary>The most windows one event time falls in.</summary>
    public int MaxWindows => function == WindowFunction.Tumble ? 1 : (int)(size / step) + 1;

    /// <summary>The event time of a row (a null time: the row is in no window).</summary>
    public Value TimeOf(Value[] row) => time(row);

    /// <summary>
    /// The fixed windows an event time falls in, oldest first: how many were written to starts and ends (each at least
    /// <see cref="MaxWindows"/> long). <see cref="Process"/> copies the row once per window; an aggregation above it takes
    /// the windows in place instead.
    /// </summary>
    public int WindowsOf(long ts, Span<long> starts, Span<long> ends)
    {
        var n = 0;
        switch (function)
        {
            case WindowFunction.Tumble:
                starts[0] = FloorTo(ts, size);
                ends[0] = starts[0] + size;
                return 1;
            case WindowFunction.Hop:
                // Every window [s, s + size) with s a multiple of step and s <= ts < s + size, oldest first.
                for (var s = FloorTo(ts - size + step, step); s <= ts; s += step)
                {
                    starts[n] = s;
                    ends[n++] = s + size;
                }

                return n;
            case WindowFunction.Cumulate:
                // Windows share the start of the max-size window and end at each step boundary after ts.
                var windowStart = FloorTo(ts, size);
                for (var end = FloorTo(ts, step) + step; end <= windowStart + size; end += step)
                {
                    starts[n] = windowStart;
                    ends[n++] = end;
                }

                return n;
            default:
                throw new InvalidOperationException($"{function} windows are not fixed intervals");
        }
    }

    /// <summary>Rounds down to a multiple of unit, also for times before 1970.</summary>
    public static long FloorTo(long value, long unit)
    {
        var remainder = value % unit;
        return remainder < 0 ? value - remainder - unit : value - remainder;
    }

    private static Value[] Extend(Value[] row, long start, long end)
    {
        var extended = new Value[row.Length + 2];
        row.CopyTo(extended, 0);
        extended[^2] = Value.FromTimestamp(start);
        extended[^1] = Value.FromTimestamp(end);
        return extended;
    }
}
