using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>Creates the accumulator for an aggregate call, with PostgreSQL's result types (sum(int) is bigint, avg(int) numeric, ...).</summary>
public static class Accumulators
{
    public static Func<IAccumulator> Factory(BoundAggregate aggregate)
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
            "latest_by_offset" => () => new OffsetAccumulator(latest: true),
            "earliest_by_offset" => () => new OffsetAccumulator(latest: false),
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

        public Value Result() => Value.FromBigInt(_count);
    }

    /// <summary>sum over int (to bigint), bigint and numeric (to numeric), double, interval; NULL when no non-NULL input.</summary>
    private sealed class SumAccumulator(SqlTypeKind input) : IAccumulator
    {
        private long _long;
        private decimal _decimal;
        private double _double;
        private Interval _interval;
        private bool _any;

        public void Add(Value[] arguments)
        {
            var v = arguments[0];
            if (v.IsNull)
            {
                return;
            }

            _any = true;
            switch (input)
            {
                case SqlTypeKind.Int:
                    _long = checked(_long + v.AsInt);
                    break;
                case SqlTypeKind.BigInt or SqlTypeKind.Numeric:
                    _decimal = NumericMath.Add(_decimal, input == SqlTypeKind.BigInt ? v.AsLong : v.AsNumeric);
                    break;
                case SqlTypeKind.Interval:
                    _interval = _interval.Add(v.AsInterval);
                    break;
                case SqlTypeKind.Real:
                    // sum(real) adds in float4, as PostgreSQL's float4pl does.
                    _double = (float)(_double + v.AsDouble);
                    break;
                default:
                    _double += v.AsDouble;
                    break;
            }
        }

        public Value Result() => !_any ? Value.Null : input switch
        {
            SqlTypeKind.Int => Value.FromBigInt(_long),
            SqlTypeKind.BigInt or SqlTypeKind.Numeric => Value.FromNumeric(_decimal),
            SqlTypeKind.Interval => Value.FromInterval(_interval),
            SqlTypeKind.Real => Value.FromReal((float)_double),
            _ => Value.FromDouble(_double),
        };
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

        public Value Result() => _best;
    }

    /// <summary>Variance and standard deviation; numeric inputs use exact sums and PostgreSQL's division scale.</summary>
    private sealed class VarianceAccumulator(string name, SqlTypeKind input) : IAccumulator
    {
        private decimal _sum;
        private decimal _sumSquares;
        private double _dSum;
        private double _dSumSquares;
        private long _count;

        public void Add(Value[] arguments)
        {
            var v = arguments[0];
            if (v.IsNull)
            {
                return;
            }

            _count++;
            if (input == SqlTypeKind.Double)
            {
                _dSum += v.AsDouble;
                _dSumSquares += v.AsDouble * v.AsDouble;
                return;
            }

            var x = input == SqlTypeKind.Numeric ? v.AsNumeric : v.AsLong;
            _sum = NumericMath.Add(_sum, x);
            _sumSquares = NumericMath.Add(_sumSquares, NumericMath.Multiply(x, x));
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

    private sealed class BoolAccumulator(bool and) : IAccumulator
    {
        private bool? _result;

        public void Add(Value[] arguments)
        {
            if (!arguments[0].IsNull)
            {
                _result = _result is null ? arguments[0].AsBoolean : and ? _result.Value && arguments[0].AsBoolean : _result.Value || arguments[0].AsBoolean;
            }
        }

        public Value Result() => _result is { } b ? Value.FromBoolean(b) : Value.Null;
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

        public Value Result() => _text is null ? Value.Null : Value.FromString(_text.ToString());
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

        public Value Result() => _value;
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

        public Value Result() => inner.Result();
    }
}
