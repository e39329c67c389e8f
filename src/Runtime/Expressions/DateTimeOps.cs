using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Date/time arithmetic for compiled expressions; method names are operator + operand kinds (AddTimestampInterval).</summary>
public static class DateTimeOps
{
    public static Value AddTimestampInterval(Value ts, Value iv) => ts.IsNull || iv.IsNull ? Value.Null : Value.FromTimestamp(CalendarMath.AddInterval(ts.AsLong, iv.AsInterval));

    public static Value SubtractTimestampInterval(Value ts, Value iv) => ts.IsNull || iv.IsNull ? Value.Null : Value.FromTimestamp(CalendarMath.AddInterval(ts.AsLong, iv.AsInterval.Negate()));

    public static Value AddIntervalTimestamp(Value iv, Value ts) => AddTimestampInterval(ts, iv);

    public static Value AddTimestampTzInterval(Value ts, Value iv) => ts.IsNull || iv.IsNull ? Value.Null : Value.FromTimestampTz(CalendarMath.AddInterval(ts.AsLong, iv.AsInterval));

    public static Value SubtractTimestampTzInterval(Value ts, Value iv) => ts.IsNull || iv.IsNull ? Value.Null : Value.FromTimestampTz(CalendarMath.AddInterval(ts.AsLong, iv.AsInterval.Negate()));

    public static Value AddIntervalTimestampTz(Value iv, Value ts) => AddTimestampTzInterval(ts, iv);

    public static Value SubtractTimestampTimestamp(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromInterval(CalendarMath.Difference(a.AsLong, b.AsLong));

    public static Value SubtractTimestampTzTimestampTz(Value a, Value b) => SubtractTimestampTimestamp(a, b);

    public static Value AddDateInt(Value d, Value n) => d.IsNull || n.IsNull ? Value.Null : Value.FromDate(checked((int)d.AsLong + n.AsInt));

    public static Value SubtractDateInt(Value d, Value n) => d.IsNull || n.IsNull ? Value.Null : Value.FromDate(checked((int)d.AsLong - n.AsInt));

    public static Value AddIntDate(Value n, Value d) => AddDateInt(d, n);

    public static Value SubtractDateDate(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromInt((int)(a.AsLong - b.AsLong));

    public static Value AddDateInterval(Value d, Value iv) => d.IsNull || iv.IsNull ? Value.Null : Value.FromTimestamp(CalendarMath.AddInterval(CalendarMath.DateToTimestamp((int)d.AsLong), iv.AsInterval));

    public static Value SubtractDateInterval(Value d, Value iv) => d.IsNull || iv.IsNull ? Value.Null : Value.FromTimestamp(CalendarMath.AddInterval(CalendarMath.DateToTimestamp((int)d.AsLong), iv.AsInterval.Negate()));

    public static Value AddIntervalDate(Value iv, Value d) => AddDateInterval(d, iv);

    // ---- time: interval arithmetic uses only the interval's time part and wraps around midnight ----

    public static Value AddTimeInterval(Value t, Value iv) => t.IsNull || iv.IsNull ? Value.Null : Value.FromTime(WrapTime(t.AsLong + (iv.AsInterval.Micros % Interval.MicrosPerDay)));

    public static Value SubtractTimeInterval(Value t, Value iv) => t.IsNull || iv.IsNull ? Value.Null : Value.FromTime(WrapTime(t.AsLong - (iv.AsInterval.Micros % Interval.MicrosPerDay)));

    public static Value AddIntervalTime(Value iv, Value t) => AddTimeInterval(t, iv);

    public static Value SubtractTimeTime(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromInterval(Interval.FromMicros(a.AsLong - b.AsLong));

    public static Value AddDateTime(Value d, Value t) => d.IsNull || t.IsNull ? Value.Null : Value.FromTimestamp(CalendarMath.DateToTimestamp((int)d.AsLong) + t.AsLong);

    public static Value AddTimeDate(Value t, Value d) => AddDateTime(d, t);

    private static long WrapTime(long micros)
    {
        var r = micros % Interval.MicrosPerDay;
        return r < 0 ? r + Interval.MicrosPerDay : r;
    }

    public static Value AddIntervalInterval(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromInterval(Checked(() => a.AsInterval.Add(b.AsInterval)));

    public static Value SubtractIntervalInterval(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromInterval(Checked(() => a.AsInterval.Add(b.AsInterval.Negate())));

    public static Value MultiplyIntervalDouble(Value iv, Value f) => iv.IsNull || f.IsNull ? Value.Null : Value.FromInterval(iv.AsInterval.Multiply(f.AsDouble));

    public static Value MultiplyDoubleInterval(Value f, Value iv) => MultiplyIntervalDouble(iv, f);

    public static Value DivideIntervalDouble(Value iv, Value f)
    {
        if (iv.IsNull || f.IsNull)
        {
            return Value.Null;
        }

        return f.AsDouble == 0 ? throw ValueOps.DivisionByZero() : Value.FromInterval(iv.AsInterval.Divide(f.AsDouble));
    }

    public static Value NegateInterval(Value iv) => iv.IsNull ? iv : Value.FromInterval(iv.AsInterval.Negate());

    public static int CompareInterval(Value a, Value b) => a.AsInterval.CompareTo(b.AsInterval);

    private static Interval Checked(Func<Interval> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "interval out of range");
        }
    }
}
