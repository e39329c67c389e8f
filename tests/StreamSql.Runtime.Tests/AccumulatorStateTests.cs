using System.Buffers;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators.Aggregation;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Tests;

/// <summary>Save/Load and retraction of every aggregate, checked against a fresh accumulator fed what should remain.</summary>
public sealed class AccumulatorStateTests
{
    private static readonly string[] Words = ["a", "b", "ß", "日本", "", "x y", "a"];

    private sealed record Case(string Label, BoundAggregate Aggregate, Func<Random, Value[]> Arguments)
    {
        public override string ToString() => Label;
    }

    private static readonly Dictionary<string, Case> Cases = BuildCases().ToDictionary(c => c.Label);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var label in Cases.Keys)
        {
            data.Add(label);
        }

        return data;
    }

    private static IEnumerable<Case> BuildCases()
    {
        var generators = new (SqlType Type, Func<Random, Value> Generate)[]
        {
            (SqlType.SmallInt, r => Value.FromSmallInt((short)r.Next(-1000, 1000))),
            (SqlType.Int, r => Value.FromInt(r.Next(-1000, 1000))),
            (SqlType.BigInt, r => Value.FromBigInt(r.NextInt64(-1_000_000_000, 1_000_000_000))),
            (SqlType.Numeric, RandomNumeric),
            (SqlType.Real, r => Value.FromReal((float)(r.Next(40) == 0 ? NonFinite(r) : r.Next(-1000, 1000)))),
            (SqlType.Double, r => Value.FromDouble(r.Next(40) == 0 ? NonFinite(r) : r.Next(-1000, 1000))),
            (SqlType.Interval, r => Value.FromInterval(new Interval(r.Next(-30, 30), r.Next(-60, 60), r.NextInt64(-100_000_000_000, 100_000_000_000)))),
            (SqlType.Varchar, r => Value.FromString(Words[r.Next(Words.Length)])),
            (SqlType.Timestamp, r => Value.FromTimestamp(r.NextInt64(0, 2_000_000_000_000_000))),
            (SqlType.Boolean, r => Value.FromBoolean(r.Next(2) == 0)),
        };

        Func<Random, Value[]> One(Func<Random, Value> generate) => r => [r.Next(7) == 0 ? Value.Null : generate(r)];
        Case Make(string name, SqlType type, Func<Random, Value> generate, bool distinct = false) =>
            new($"{name}({(distinct ? "DISTINCT " : "")}{type.Kind})", Aggregate(name, type, distinct), One(generate));

        var byType = generators.ToDictionary(g => g.Type.Kind, g => g.Generate);
        yield return new Case("count(*)", new BoundAggregate("count", [], false, true, SqlType.BigInt), _ => []);
        yield return Make("count", SqlType.Int, byType[SqlTypeKind.Int]);
        yield return Make("count", SqlType.Int, byType[SqlTypeKind.Int], distinct: true);
        foreach (var kind in new[] { SqlTypeKind.SmallInt, SqlTypeKind.Int, SqlTypeKind.BigInt, SqlTypeKind.Numeric, SqlTypeKind.Real, SqlTypeKind.Double, SqlTypeKind.Interval })
        {
            var type = generators.First(g => g.Type.Kind == kind).Type;
            yield return Make("sum", type, byType[kind]);
            yield return Make("avg", type, byType[kind]);
        }

        yield return Make("sum", SqlType.Numeric, byType[SqlTypeKind.Numeric], distinct: true);
        foreach (var name in new[] { "stddev_samp", "stddev_pop", "var_samp", "var_pop" })
        {
            foreach (var kind in new[] { SqlTypeKind.SmallInt, SqlTypeKind.Int, SqlTypeKind.BigInt, SqlTypeKind.Numeric, SqlTypeKind.Real, SqlTypeKind.Double })
            {
                yield return Make(name, generators.First(g => g.Type.Kind == kind).Type, byType[kind]);
            }
        }

        foreach (var name in new[] { "min", "max" })
        {
            foreach (var kind in new[] { SqlTypeKind.Int, SqlTypeKind.Numeric, SqlTypeKind.Double, SqlTypeKind.Varchar, SqlTypeKind.Timestamp, SqlTypeKind.Interval })
            {
                yield return Make(name, generators.First(g => g.Type.Kind == kind).Type, byType[kind]);
            }
        }

        yield return Make("bool_and", SqlType.Boolean, byType[SqlTypeKind.Boolean]);
        yield return Make("bool_or", SqlType.Boolean, byType[SqlTypeKind.Boolean]);
        foreach (var distinct in new[] { false, true })
        {
            yield return new Case(distinct ? "string_agg(DISTINCT)" : "string_agg",
                new BoundAggregate("string_agg", [Column(SqlType.Varchar), Column(SqlType.Varchar)], distinct, false, SqlType.Varchar),
                r => [r.Next(7) == 0 ? Value.Null : Value.FromString(Words[r.Next(Words.Length)]), r.Next(5) == 0 ? Value.Null : Value.FromString(r.Next(2) == 0 ? "," : "; ")]);
        }

        foreach (var name in new[] { "array_agg", "collect_set" })
        {
            yield return Make(name, SqlType.Int, byType[SqlTypeKind.Int]);
            yield return Make(name, SqlType.Numeric, byType[SqlTypeKind.Numeric]);
            yield return Make(name, SqlType.Varchar, byType[SqlTypeKind.Varchar]);
        }

        foreach (var name in new[] { "latest_by_offset", "earliest_by_offset" })
        {
            yield return Make(name, SqlType.Varchar, byType[SqlTypeKind.Varchar]);
            yield return Make(name, SqlType.Numeric, byType[SqlTypeKind.Numeric]);
        }
    }

    private static double NonFinite(Random r) => r.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };

    // Equal values with different display scales (1.5, 1.50) on purpose.
    private static Value RandomNumeric(Random r)
    {
        var units = r.Next(-100_000, 100_000);
        var scale = (byte)r.Next(4);
        return Value.FromNumeric(new decimal(Math.Abs(units), 0, 0, units < 0, scale) * (r.Next(3) == 0 ? 1.00m : 1m));
    }

    private static BoundColumn Column(SqlType type) => new(0, "x", type);

    private static BoundAggregate Aggregate(string name, SqlType input, bool distinct) => new(name, [Column(input)], distinct, false, SqlType.Unknown);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Save_then_load_restores_the_state(string label)
    {
        var test = Cases[label];
        foreach (var retractable in new[] { false, true })
        {
            var factory = Accumulators.Factory(test.Aggregate, retractable);
            var random = new Random(StableHash(label) ^ 17);
            for (var round = 0; round < 20; round++)
            {
                var original = factory();
                for (var i = random.Next(0, 25); i > 0; i--)
                {
                    original.Add(test.Arguments(random));
                }

                var restored = RoundTrip(factory, original);
                AssertSame(original.Result(), restored.Result(), label);
                Assert.Equal(Save(original), Save(restored));
                for (var i = random.Next(1, 10); i > 0; i--)
                {
                    var arguments = test.Arguments(random);
                    original.Add(arguments);
                    restored.Add((Value[])arguments.Clone());
                    AssertSame(original.Result(), restored.Result(), label);
                }

                Assert.Equal(Save(original), Save(restored));
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Retraction_matches_recomputing_over_the_remaining_inputs(string label)
    {
        var test = Cases[label];
        var factory = Accumulators.Factory(test.Aggregate, retractable: true);
        var plain = Accumulators.Factory(test.Aggregate);
        var random = new Random(1234 + StableHash(label));
        for (var round = 0; round < 200; round++)
        {
            var inputs = Enumerable.Range(0, random.Next(0, 20)).Select(_ => test.Arguments(random)).ToList();
            var accumulator = factory();
            foreach (var arguments in inputs)
            {
                accumulator.Add(arguments);
            }

            // Retract a random subset, in random order; the inputs list follows the documented rule (earliest identical).
            var remaining = inputs.ToList();
            foreach (var retracted in inputs.OrderBy(_ => random.Next()).Take(random.Next(0, inputs.Count + 1)).ToList())
            {
                Assert.True(accumulator.Remove((Value[])retracted.Clone()), label);
                remaining.RemoveAt(remaining.FindIndex(kept => Identical(kept, retracted)));
                if (random.Next(4) == 0)
                {
                    AssertSame(Recompute(plain, remaining), accumulator.Result(), $"{label} round {round}");
                }
            }

            AssertSame(Recompute(plain, remaining), accumulator.Result(), $"{label} round {round}");

            // Retracted state saves and loads, and keeps adding like a fresh accumulator fed the remaining inputs.
            var restored = RoundTrip(factory, accumulator);
            for (var i = random.Next(0, 5); i > 0; i--)
            {
                var arguments = test.Arguments(random);
                remaining.Add(arguments);
                accumulator.Add(arguments);
                restored.Add(arguments);
            }

            var expected = Recompute(plain, remaining);
            AssertSame(expected, accumulator.Result(), $"{label} round {round} after adds");
            AssertSame(expected, restored.Result(), $"{label} round {round} after load and adds");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Plain_accumulators_retract_only_when_they_can(string label)
    {
        var test = Cases[label];
        var canRetract = Accumulators.CanRetract(test.Aggregate);
        var accumulator = Accumulators.Factory(test.Aggregate)();
        var random = new Random(7);
        var inputs = Enumerable.Range(0, 10).Select(_ => test.Arguments(random)).ToList();
        inputs.ForEach(accumulator.Add);
        var before = Save(accumulator);

        Assert.Equal(canRetract, accumulator.Remove(inputs[3]));
        if (!canRetract)
        {
            Assert.Equal(before, Save(accumulator));
            var retractable = Accumulators.Factory(test.Aggregate, retractable: true)();
            if (test.Aggregate is { Name: "min" or "max", Distinct: false } && RetractableExtremeAccumulator.Supports(test.Aggregate.Arguments[0].Type.Kind))
            {
                // min/max over integers and times keep a sorted count per value instead.
                Assert.IsType<RetractableExtremeAccumulator>(retractable);
            }
            else
            {
                Assert.IsType<RetractableAccumulator>(retractable);
            }
        }
        else
        {
            Assert.IsNotType<RetractableAccumulator>(Accumulators.Factory(test.Aggregate, retractable: true)());
            inputs.RemoveAt(3);
            AssertSame(Recompute(Accumulators.Factory(test.Aggregate), inputs), accumulator.Result(), label);
        }
    }

    [Fact]
    public void Retraction_undoes_infinities_and_numeric_scale()
    {
        var sum = Accumulators.Factory(Aggregate("sum", SqlType.Double, false), retractable: true)();
        sum.Add([Value.FromDouble(2)]);
        sum.Add([Value.FromDouble(double.PositiveInfinity)]);
        sum.Add([Value.FromDouble(double.NegativeInfinity)]);
        Assert.True(double.IsNaN(sum.Result().AsDouble));
        sum.Remove([Value.FromDouble(double.NegativeInfinity)]);
        Assert.Equal(double.PositiveInfinity, sum.Result().AsDouble);
        sum.Remove([Value.FromDouble(double.PositiveInfinity)]);
        Assert.Equal("2", sum.Result().ToText());

        var numeric = Accumulators.Factory(Aggregate("sum", SqlType.Numeric, false), retractable: true)();
        numeric.Add([Value.FromNumeric(1.500m)]);
        numeric.Add([Value.FromNumeric(2m)]);
        Assert.Equal("3.500", numeric.Result().ToText());
        numeric.Remove([Value.FromNumeric(1.500m)]);
        Assert.Equal("2", numeric.Result().ToText());
        numeric.Remove([Value.FromNumeric(2m)]);
        Assert.True(numeric.Result().IsNull);
    }

    [Fact]
    public void Retractable_string_agg_removes_the_earliest_identical_input_and_rejects_unknown_ones()
    {
        var agg = Accumulators.Factory(new BoundAggregate("string_agg", [Column(SqlType.Varchar), Column(SqlType.Varchar)], false, false, SqlType.Varchar), retractable: true)();
        foreach (var word in new[] { "a", "b", "a", "c" })
        {
            agg.Add([Value.FromString(word), Value.FromString(",")]);
        }

        Assert.Equal("a,b,a,c", agg.Result().AsString);
        agg.Remove([Value.FromString("a"), Value.FromString(",")]);
        Assert.Equal("b,a,c", agg.Result().AsString);
        Assert.Throws<InvalidOperationException>(() => agg.Remove([Value.FromString("z"), Value.FromString(",")]));

        var max = Accumulators.Factory(Aggregate("max", SqlType.Numeric, false), retractable: true)();
        max.Add([Value.FromNumeric(1.5m)]);
        max.Add([Value.FromNumeric(1.50m)]);
        max.Remove([Value.FromNumeric(1.50m)]);
        Assert.Equal("1.5", max.Result().ToText());
    }

    private static Value Recompute(Func<IAccumulator> factory, IEnumerable<Value[]> inputs)
    {
        var fresh = factory();
        foreach (var arguments in inputs)
        {
            fresh.Add(arguments);
        }

        return fresh.Result();
    }

    private static IAccumulator RoundTrip(Func<IAccumulator> factory, IAccumulator source)
    {
        var bytes = Save(source);
        var restored = factory();
        var reader = new StateReader(bytes);
        restored.Load(ref reader);
        Assert.True(reader.End);
        return restored;
    }

    private static byte[] Save(IAccumulator accumulator)
    {
        var output = new ArrayBufferWriter<byte>();
        accumulator.Save(output);
        return output.WrittenSpan.ToArray();
    }

    private static bool Identical(Value[] a, Value[] b) =>
        ValueCodec.EncodeRow(a).AsSpan().SequenceEqual(ValueCodec.EncodeRow(b));

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));

    private static void AssertSame(Value expected, Value actual, string label)
    {
        Assert.True(expected.Kind == actual.Kind, $"{label}: kind {expected.Kind} vs {actual.Kind}");
        Assert.True(expected.ToText() == actual.ToText(), $"{label}: expected {expected}, got {actual}");
        Assert.True(expected.Equals(actual), $"{label}: expected {expected}, got {actual}");
    }
}
