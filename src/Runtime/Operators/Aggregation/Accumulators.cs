using System.Buffers;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>Creates the accumulator for an aggregate call, with PostgreSQL's result types (sum(int) is bigint, avg(int) numeric, ...).</summary>
public static class Accumulators
{
    /// <summary>The accumulator factory for an aggregate; its accumulators may not retract (see <see cref="CanRetract"/>).</summary>
    public static Func<IAccumulator> Factory(BoundAggregate aggregate) => Factory(aggregate, retractable: false);

    /// <summary>
    /// The accumulator factory for an aggregate. With <paramref name="retractable"/>, every accumulator it makes can
    /// <see cref="IAccumulator.Remove"/>: aggregates that cannot retract arithmetically (<see cref="CanRetract"/> false) are
    /// wrapped in a <see cref="RetractableAccumulator"/>, which keeps their inputs and recomputes.
    /// </summary>
    public static Func<IAccumulator> Factory(BoundAggregate aggregate, bool retractable)
    {
        var plain = PlainFactory(aggregate);
        if (retractable && !aggregate.Distinct && aggregate.Name is "min" or "max" && aggregate.Arguments.Count == 1
            && RetractableExtremeAccumulator.Supports(aggregate.Arguments[0].Type.Kind))
        {
            // min/max over integers and times: a sorted count per value instead of every input kept and rescanned.
            var greatest = aggregate.Name == "max";
            return () => new RetractableExtremeAccumulator(greatest);
        }

        return retractable && !CanRetract(aggregate) ? () => new RetractableAccumulator(plain) : plain;
    }

    /// <summary>
    /// Whether the aggregate's own accumulator retracts in constant state: count, sum, avg, the variances and standard
    /// deviations, bool_and and bool_or (without DISTINCT). min, max, string_agg, the by-offset aggregates and every
    /// DISTINCT aggregate need the inputs kept (a <see cref="RetractableAccumulator"/>).
    /// </summary>
    public static bool CanRetract(BoundAggregate aggregate) => !aggregate.Distinct && aggregate.Name is "count" or "sum" or "avg"
        or "stddev_samp" or "stddev_pop" or "var_samp" or "var_pop" or "bool_and" or "bool_or" or "histogram";

    private static Func<IAccumulator> PlainFactory(BoundAggregate aggregate)
    {
        var input = aggregate.Arguments.Count > 0 ? aggregate.Arguments[0].Type.Kind : SqlTypeKind.Unknown;
        Func<IAccumulator> inner = aggregate.Name switch
        {
            "count" => () => new CountAccumulator(aggregate.Star),
            "sum" => () => new SumAccumulator(input == SqlTypeKind.SmallInt ? SqlTypeKind.Int : input),
            "avg" => () => new AverageAccumulator(Widened(input)),
            "min" => () => new ExtremeAccumulator(input, greatest: false),
            "max" => () => new ExtremeAccumulator(input, greatest: true),
            "stddev_samp" or "stddev_pop" or "var_samp" or "var_pop" => () => new VarianceAccumulator(aggregate.Name, Widened(input)),
            "bool_and" => () => new BoolAccumulator(and: true),
            "bool_or" => () => new BoolAccumulator(and: false),
            "string_agg" => () => new StringAggAccumulator(),
            "array_agg" => () => new ArrayAggAccumulator(distinct: false),
            "collect_set" => () => new ArrayAggAccumulator(distinct: true),
            "latest_by_offset" => () => new OffsetAccumulator(latest: true),
            "earliest_by_offset" => () => new OffsetAccumulator(latest: false),
            "histogram" => () => new HistogramAccumulator(),
            "topk" => () => new TopKAccumulator(input, distinct: false),
            "topkdistinct" => () => new TopKAccumulator(input, distinct: true),
            _ => throw SqlException.NotSupported($"aggregate function {aggregate.Name}"),
        };
        return aggregate.Distinct ? () => new DistinctAccumulator(inner()) : inner;
    }

    /// <summary>avg and the variances of smallint compute as over integer (to numeric), of real as over double precision.</summary>
    private static SqlTypeKind Widened(SqlTypeKind input) => input switch
    {
        SqlTypeKind.SmallInt => SqlTypeKind.Int,
        SqlTypeKind.Real => SqlTypeKind.Double,
        _ => input,
    };


    /// <summary>count(*) counts rows; count(x) counts non-NULL x.</summary>
    private sealed class CountAccumulator(bool star) : IAccumulator
    {
        private long _count;

        public void Add(Value[] arguments)
        {
            if (star || !arguments[0].IsNull)
            {
                _count++;
            }
        }

        public bool Remove(Value[] arguments)
        {
            if (star || !arguments[0].IsNull)
            {
                _count--;
            }

            return true;
        }

        public Value Result() => Value.FromBigInt(_count);

        public void Save(IBufferWriter<byte> output) => output.WriteVarInt64(_count);

        public void Load(ref StateReader reader) => _count = reader.ReadVarInt64();

        public bool TryReset()
        {
            _count = 0;
            return true;
        }

        public bool CanMerge => true;

        public void Merge(IAccumulator other) => _count += ((CountAccumulator)other)._count;
    }

    /// <summary>
    /// How many inputs had each NUMERIC display scale, so a sum that retracts its widest-scale inputs narrows back to the
    /// scale the remaining inputs give (PostgreSQL's sum shows the largest input scale: 1.50 + 2 = 3.50, but 2 alone is 2).
    /// </summary>
    private sealed class ScaleCounts
    {
        private readonly long[] _counts = new long[29];

        public void Add(int scale) => _counts[scale]++;

        public void Remove(int scale) => _counts[scale]--;

        public int Max
        {
            get
            {
                for (var s = _counts.Length - 1; s > 0; s--)
                {
                    if (_counts[s] > 0)
                    {
                        return s;
                    }
                }

                return 0;
            }
        }

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteLength(_counts.Count(c => c != 0));
            for (var s = 0; s < _counts.Length; s++)
            {
                if (_counts[s] != 0)
                {
                    output.WriteByte((byte)s);
                    output.WriteVarInt64(_counts[s]);
                }
            }
        }

        public void Load(ref StateReader reader)
        {
            Array.Clear(_counts);
            var entries = reader.ReadLength();
            for (var i = 0; i < entries; i++)
            {
                var scale = reader.ReadByte();
                if (scale >= _counts.Length)
                {
                    throw new InvalidDataException($"state: numeric scale {scale} out of range");
                }

                _counts[scale] = reader.ReadVarInt64();
            }
        }
    }

    /// <summary>
    /// A floating-point running sum that keeps NaN and the infinities as counts beside the finite sum, so retracting an
    /// infinity restores the finite sum (float error aside) instead of leaving NaN behind.
    /// </summary>
    private struct FloatSum
    {
        public double Finite;
        public long NaNs;
        public long PositiveInfinities;
        public long NegativeInfinities;

        public void Add(double x, bool real, int sign)
        {
            if (double.IsFinite(x))
            {
                Finite = real ? (float)(Finite + (sign * x)) : Finite + (sign * x);
            }
            else if (double.IsNaN(x))
            {
                NaNs += sign;
            }
            else if (x > 0)
            {
                PositiveInfinities += sign;
            }
            else
            {
                NegativeInfinities += sign;
            }
        }

        public readonly bool AnyNonFinite => NaNs > 0 || PositiveInfinities > 0 || NegativeInfinities > 0;

        /// <summary>What adding every input in turn gives: NaN absorbs, +inf and -inf together make NaN.</summary>
        public readonly double Total
        {
            get
            {
                if (NaNs > 0)
                {
                    return double.NaN;
                }

                var total = Finite;
                if (PositiveInfinities > 0)
                {
                    total += double.PositiveInfinity;
                }

                if (NegativeInfinities > 0)
                {
                    total += double.NegativeInfinity;
                }

                return total;
            }
        }

        public readonly void Save(IBufferWriter<byte> output)
        {
            output.WriteDouble(Finite);
            output.WriteVarInt64(NaNs);
            output.WriteVarInt64(PositiveInfinities);
            output.WriteVarInt64(NegativeInfinities);
        }

        public void Load(ref StateReader reader)
        {
            Finite = reader.ReadDouble();
            NaNs = reader.ReadVarInt64();
            PositiveInfinities = reader.ReadVarInt64();
            NegativeInfinities = reader.ReadVarInt64();
        }
    }

    /// <summary>sum over int (to bigint), bigint and numeric (to numeric), double, interval; NULL when no non-NULL input.</summary>
    private sealed class SumAccumulator(SqlTypeKind input) : IAccumulator
    {
        private readonly ScaleCounts? _scales = input == SqlTypeKind.Numeric ? new ScaleCounts() : null;
        private long _count;
        private long _long;
        private decimal _decimal;
        private FloatSum _double;
        private Interval _interval;

        public void Add(Value[] arguments) => Apply(arguments[0], 1);

        public bool Remove(Value[] arguments)
        {
            Apply(arguments[0], -1);
            return true;
        }

        private void Apply(Value v, int sign)
        {
            if (v.IsNull)
            {
                return;
            }

            _count += sign;
            switch (input)
            {
                case SqlTypeKind.Int:
                    _long = sign > 0 ? checked(_long + v.AsInt) : checked(_long - v.AsInt);
                    break;
                case SqlTypeKind.BigInt:
                    _decimal = sign > 0 ? NumericMath.Add(_decimal, v.AsLong) : NumericMath.Subtract(_decimal, v.AsLong);
                    break;
                case SqlTypeKind.Numeric:
                    var x = v.AsNumeric;
                    if (sign > 0)
                    {
                        _decimal = NumericMath.Add(_decimal, x);
                        _scales!.Add(x.Scale);
                    }
                    else
                    {
                        _scales!.Remove(x.Scale);
                        _decimal = NumericMath.WithScale(NumericMath.Subtract(_decimal, x), _scales.Max);
                    }

                    break;
                case SqlTypeKind.Interval:
                    _interval = _interval.Add(sign > 0 ? v.AsInterval : v.AsInterval.Negate());
                    break;
                default:
                    // sum(real) adds in float4, as PostgreSQL's float4pl does.
                    _double.Add(v.AsDouble, input == SqlTypeKind.Real, sign);
                    break;
            }
        }

        public Value Result() => _count == 0 ? Value.Null : input switch
        {
            SqlTypeKind.Int => Value.FromBigInt(_long),
            SqlTypeKind.BigInt or SqlTypeKind.Numeric => Value.FromNumeric(_decimal),
            SqlTypeKind.Interval => Value.FromInterval(_interval),
            SqlTypeKind.Real => Value.FromReal((float)_double.Total),
            _ => Value.FromDouble(_double.Total),
        };

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteVarInt64(_count);
            switch (input)
            {
                case SqlTypeKind.Int:
                    output.WriteVarInt64(_long);
                    break;
                case SqlTypeKind.BigInt or SqlTypeKind.Numeric:
                    output.WriteDecimal(_decimal);
                    _scales?.Save(output);
                    break;
                case SqlTypeKind.Interval:
                    output.WriteVarInt64(_interval.Months);
                    output.WriteVarInt64(_interval.Days);
                    output.WriteVarInt64(_interval.Micros);
                    break;
                default:
                    _double.Save(output);
                    break;
            }
        }

        public void Load(ref StateReader reader)
        {
            _count = reader.ReadVarInt64();
            switch (input)
            {
                case SqlTypeKind.Int:
                    _long = reader.ReadVarInt64();
                    break;
                case SqlTypeKind.BigInt or SqlTypeKind.Numeric:
                    _decimal = reader.ReadDecimal();
                    _scales?.Load(ref reader);
                    break;
                case SqlTypeKind.Interval:
                    _interval = new Interval(reader.ReadVarInt32(), reader.ReadVarInt32(), reader.ReadVarInt64());
                    break;
                default:
                    _double.Load(ref reader);
                    break;
            }
        }
    }

    /// <summary>avg: exact numeric sum divided with PostgreSQL's division scale, or a double average.</summary>
    private sealed class AverageAccumulator(SqlTypeKind input) : IAccumulator
    {
        private readonly SumAccumulator _sum = new(input == SqlTypeKind.Int ? SqlTypeKind.BigInt : input);
        private long _count;

        public void Add(Value[] arguments)
        {
            if (!arguments[0].IsNull)
            {
                _sum.Add(input == SqlTypeKind.Int ? [Value.FromBigInt(arguments[0].AsInt)] : arguments);
                _count++;
            }
        }

        public bool Remove(Value[] arguments)
        {
            if (!arguments[0].IsNull)
            {
                _sum.Remove(input == SqlTypeKind.Int ? [Value.FromBigInt(arguments[0].AsInt)] : arguments);
                _count--;
            }

            return true;
        }

        public Value Result()
        {
            if (_count == 0)
            {
                return Value.Null;
            }

            var sum = _sum.Result();
            return input switch
            {
                SqlTypeKind.Double => Value.FromDouble(sum.AsDouble / _count),
                SqlTypeKind.Interval => Value.FromInterval(sum.AsInterval.Divide(_count)),
                _ => Value.FromNumeric(NumericMath.Divide(sum.AsNumeric, _count)),
            };
        }

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteVarInt64(_count);
            _sum.Save(output);
        }

        public void Load(ref StateReader reader)
        {
            _count = reader.ReadVarInt64();
            _sum.Load(ref reader);
        }
    }

    private sealed class ExtremeAccumulator(SqlTypeKind input, bool greatest) : IAccumulator
    {
        private readonly Value[] _pair = new Value[2];
        private Value _best = Value.Null;

        public void Add(Value[] arguments)
        {
            _pair[0] = _best;
            _pair[1] = arguments[0];
            _best = MathFunctions.Extreme(_pair, input, greatest);
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => _best;

        public void Save(IBufferWriter<byte> output) => ValueCodec.Write(output, _best);

        public void Load(ref StateReader reader) => _best = ValueCodec.Read(ref reader);

        public bool TryReset()
        {
            _best = Value.Null;
            return true;
        }

        public bool CanMerge => true;

        public void Merge(IAccumulator other)
        {
            // min/max skip nulls: an empty other changes nothing.
            var best = ((ExtremeAccumulator)other)._best;
            if (!best.IsNull)
            {
                _pair[0] = _best;
                _pair[1] = best;
                _best = MathFunctions.Extreme(_pair, input, greatest);
            }
        }
    }

    /// <summary>Variance and standard deviation; numeric inputs use exact sums and PostgreSQL's division scale.</summary>
    private sealed class VarianceAccumulator(string name, SqlTypeKind input) : IAccumulator
    {
        private readonly ScaleCounts? _scales = input == SqlTypeKind.Numeric ? new ScaleCounts() : null;
        private readonly ScaleCounts? _squareScales = input == SqlTypeKind.Numeric ? new ScaleCounts() : null;
        private decimal _sum;
        private decimal _sumSquares;
        private double _dSum;
        private double _dSumSquares;

        // NaN and infinite double inputs: any makes the result NaN (as adding them to the sums did), counted so they retract.
        private long _nonFinite;
        private long _count;

        public void Add(Value[] arguments) => Apply(arguments[0], 1);

        public bool Remove(Value[] arguments)
        {
            Apply(arguments[0], -1);
            return true;
        }

        private void Apply(Value v, int sign)
        {
            if (v.IsNull)
            {
                return;
            }

            _count += sign;
            if (input == SqlTypeKind.Double)
            {
                var d = v.AsDouble;
                if (!double.IsFinite(d))
                {
                    _nonFinite += sign;
                    return;
                }

                _dSum += sign * d;
                _dSumSquares += sign * d * d;
                return;
            }

            var x = input == SqlTypeKind.Numeric ? v.AsNumeric : v.AsLong;
            var square = NumericMath.Multiply(x, x);
            if (sign > 0)
            {
                _sum = NumericMath.Add(_sum, x);
                _sumSquares = NumericMath.Add(_sumSquares, square);
                _scales?.Add(x.Scale);
                _squareScales?.Add(square.Scale);
                return;
            }

            _sum = NumericMath.Subtract(_sum, x);
            _sumSquares = NumericMath.Subtract(_sumSquares, square);
            if (_scales is not null)
            {
                _scales.Remove(x.Scale);
                _squareScales!.Remove(square.Scale);
                _sum = NumericMath.WithScale(_sum, _scales.Max);
                _sumSquares = NumericMath.WithScale(_sumSquares, _squareScales.Max);
            }
        }

        public Value Result()
        {
            var sample = name is "stddev_samp" or "var_samp";
            if (_count == 0 || (sample && _count == 1))
            {
                return Value.Null;
            }

            var sqrt = name.StartsWith("stddev", StringComparison.Ordinal);
            if (input == SqlTypeKind.Double)
            {
                if (_nonFinite > 0)
                {
                    return Value.FromDouble(double.NaN);
                }

                var numerator = (_count * _dSumSquares) - (_dSum * _dSum);
                var variance = Math.Max(numerator, 0) / (_count * (double)(sample ? _count - 1 : _count));
                return Value.FromDouble(sqrt ? Math.Sqrt(variance) : variance);
            }

            // PostgreSQL: (N*sum(x^2) - sum(x)^2) / (N*(N-1)), at the division's display scale.
            var exactNumerator = NumericMath.Subtract(NumericMath.Multiply(_count, _sumSquares), NumericMath.Multiply(_sum, _sum));
            var denominator = (decimal)_count * (sample ? _count - 1 : _count);
            var result = NumericMath.Divide(Math.Max(exactNumerator, 0), denominator);
            return Value.FromNumeric(sqrt ? NumericMath.WithScale(Sqrt(result), result.Scale) : result);
        }

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteVarInt64(_count);
            if (input == SqlTypeKind.Double)
            {
                output.WriteDouble(_dSum);
                output.WriteDouble(_dSumSquares);
                output.WriteVarInt64(_nonFinite);
                return;
            }

            output.WriteDecimal(_sum);
            output.WriteDecimal(_sumSquares);
            _scales?.Save(output);
            _squareScales?.Save(output);
        }

        public void Load(ref StateReader reader)
        {
            _count = reader.ReadVarInt64();
            if (input == SqlTypeKind.Double)
            {
                _dSum = reader.ReadDouble();
                _dSumSquares = reader.ReadDouble();
                _nonFinite = reader.ReadVarInt64();
                return;
            }

            _sum = reader.ReadDecimal();
            _sumSquares = reader.ReadDecimal();
            _scales?.Load(ref reader);
            _squareScales?.Load(ref reader);
        }

        private static decimal Sqrt(decimal x)
        {
            if (x == 0)
            {
                return 0;
            }

            var guess = (decimal)Math.Sqrt((double)x);
            for (var i = 0; i < 6; i++)
            {
                guess = (guess + (x / guess)) / 2;
            }

            return guess;
        }
    }

    /// <summary>bool_and / bool_or from counts of true and false inputs, so they retract (as PostgreSQL's bool_accum_inv does).</summary>
    private sealed class BoolAccumulator(bool and) : IAccumulator
    {
        private long _true;
        private long _false;

        public void Add(Value[] arguments) => Apply(arguments[0], 1);

        public bool Remove(Value[] arguments)
        {
            Apply(arguments[0], -1);
            return true;
        }

        private void Apply(Value v, int sign)
        {
            if (v.IsNull)
            {
                return;
            }

            if (v.AsBoolean)
            {
                _true += sign;
            }
            else
            {
                _false += sign;
            }
        }

        public Value Result() => _true + _false == 0 ? Value.Null : Value.FromBoolean(and ? _false == 0 : _true > 0);

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteVarInt64(_true);
            output.WriteVarInt64(_false);
        }

        public void Load(ref StateReader reader)
        {
            _true = reader.ReadVarInt64();
            _false = reader.ReadVarInt64();
        }
    }

    /// <summary>string_agg(value, delimiter) in arrival order; NULL values are skipped.</summary>
    private sealed class StringAggAccumulator : IAccumulator
    {
        private System.Text.StringBuilder? _text;

        public void Add(Value[] arguments)
        {
            if (arguments[0].IsNull)
            {
                return;
            }

            if (_text is null)
            {
                _text = new System.Text.StringBuilder(arguments[0].AsString);
                return;
            }

            _text.Append(arguments[1].IsNull ? "" : arguments[1].AsString).Append(arguments[0].AsString);
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => _text is null ? Value.Null : Value.FromString(_text.ToString());

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteBoolean(_text is not null);
            if (_text is not null)
            {
                output.WriteString(_text.ToString());
            }
        }

        public void Load(ref StateReader reader) =>
            _text = reader.ReadBoolean() ? new System.Text.StringBuilder(reader.ReadString()) : null;
    }

    /// <summary>
    /// array_agg (ksqlDB's COLLECT_LIST): every input, NULLs included, in arrival order; NULL when there was no input.
    /// collect_set: each distinct non-NULL input once, in the order first seen; NULL when there was none.
    /// </summary>
    private sealed class ArrayAggAccumulator(bool distinct) : IAccumulator
    {
        private List<Value>? _values;
        private HashSet<Value>? _seen;

        public void Add(Value[] arguments)
        {
            var value = arguments[0];
            if (distinct && (value.IsNull || !(_seen ??= []).Add(value)))
            {
                return;
            }

            (_values ??= []).Add(value);
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => _values is null ? Value.Null : Value.FromArray([.. _values]);

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteBoolean(_values is not null);
            if (_values is not null)
            {
                ValueCodec.WriteRow(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values));
            }
        }

        public void Load(ref StateReader reader)
        {
            if (!reader.ReadBoolean())
            {
                _values = null;
                _seen = null;
                return;
            }

            _values = [.. ValueCodec.ReadRow(ref reader)];
            _seen = distinct ? [.. _values] : null;
        }
    }

    /// <summary>
    /// ksqlDB's HISTOGRAM(col): a map from each distinct non-NULL text input to how often it occurred, keys in the order
    /// first seen; NULL when there was none. Retracts exactly (a count that reaches zero removes its key).
    /// </summary>
    private sealed class HistogramAccumulator : IAccumulator
    {
        private readonly List<string> _order = [];
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public void Add(Value[] arguments)
        {
            if (arguments[0].IsNull)
            {
                return;
            }

            var key = arguments[0].AsString;
            if (_counts.TryGetValue(key, out var count))
            {
                _counts[key] = count + 1;
            }
            else
            {
                _counts[key] = 1;
                _order.Add(key);
            }
        }

        public bool Remove(Value[] arguments)
        {
            if (arguments[0].IsNull)
            {
                return true;
            }

            var key = arguments[0].AsString;
            if (!_counts.TryGetValue(key, out var count))
            {
                return false;
            }

            if (count > 1)
            {
                _counts[key] = count - 1;
            }
            else
            {
                _counts.Remove(key);
                _order.Remove(key);
            }

            return true;
        }

        public Value Result()
        {
            if (_order.Count == 0)
            {
                return Value.Null;
            }

            var keys = new Value[_order.Count];
            var values = new Value[_order.Count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = Value.FromString(_order[i]);
                values[i] = Value.FromBigInt(_counts[_order[i]]);
            }

            return Value.FromMap(new MapValue(keys, values));
        }

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteInt32(_order.Count);
            foreach (var key in _order)
            {
                output.WriteString(key);
                output.WriteInt64(_counts[key]);
            }
        }

        public void Load(ref StateReader reader)
        {
            _order.Clear();
            _counts.Clear();
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                _order.Add(key);
                _counts[key] = reader.ReadInt64();
            }
        }
    }

    /// <summary>
    /// ksqlDB's TOPK(col, k) / TOPKDISTINCT(col, k): the k greatest non-NULL inputs (distinct ones for TOPKDISTINCT), greatest
    /// first; NULL when there was none. Only the k kept values are state (over a table, retractions keep every input instead).
    /// </summary>
    private sealed class TopKAccumulator(SqlTypeKind type, bool distinct) : IAccumulator
    {
        private readonly List<Value> _top = [];

        public void Add(Value[] arguments)
        {
            var value = arguments[0];
            if (value.IsNull || arguments[1].IsNull)
            {
                return;
            }

            var k = (int)arguments[1].AsLong;

            // Insertion point after every value not less than this one (equal ones keep arrival order).
            var at = _top.Count;
            while (at > 0 && ValueOrdering.Compare(_top[at - 1], value, type) < 0)
            {
                at--;
            }

            if (distinct && ((at > 0 && ValueOrdering.Compare(_top[at - 1], value, type) == 0)))
            {
                return;
            }

            if (at >= k)
            {
                return;
            }

            _top.Insert(at, value);
            if (_top.Count > k)
            {
                _top.RemoveAt(_top.Count - 1);
            }
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => _top.Count == 0 ? Value.Null : Value.FromArray([.. _top]);

        public void Save(IBufferWriter<byte> output) => ValueCodec.WriteRow(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_top));

        public void Load(ref StateReader reader)
        {
            _top.Clear();
            _top.AddRange(ValueCodec.ReadRow(ref reader));
        }
    }

    /// <summary>ksqlDB's LATEST_BY_OFFSET / EARLIEST_BY_OFFSET: the last or first non-NULL value in arrival order.</summary>
    private sealed class OffsetAccumulator(bool latest) : IAccumulator
    {
        private Value _value = Value.Null;

        public void Add(Value[] arguments)
        {
            if (!arguments[0].IsNull && (latest || _value.IsNull))
            {
                _value = arguments[0];
            }
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => _value;

        public void Save(IBufferWriter<byte> output) => ValueCodec.Write(output, _value);

        public void Load(ref StateReader reader) => _value = ValueCodec.Read(ref reader);
    }

    /// <summary>DISTINCT: feeds each distinct non-NULL argument tuple to the inner accumulator once.</summary>
    private sealed class DistinctAccumulator(IAccumulator inner) : IAccumulator
    {
        private readonly HashSet<Value> _seen = [];

        public void Add(Value[] arguments)
        {
            if (!arguments[0].IsNull && _seen.Add(arguments[0]))
            {
                inner.Add(arguments);
            }
        }

        public bool Remove(Value[] arguments) => false;

        public Value Result() => inner.Result();

        public void Save(IBufferWriter<byte> output)
        {
            output.WriteLength(_seen.Count);
            foreach (var value in _seen)
            {
                ValueCodec.Write(output, value);
            }

            inner.Save(output);
        }

        public void Load(ref StateReader reader)
        {
            _seen.Clear();
            var count = reader.ReadLength();
            for (var i = 0; i < count; i++)
            {
                _seen.Add(ValueCodec.Read(ref reader));
            }

            inner.Load(ref reader);
        }
    }
}
