using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Run-time casts between scalar types, with PostgreSQL's rounding and range errors.</summary>
public static class CastOps
{
    public static Value Cast(Value v, SqlType type)
    {
        if (v.IsNull)
        {
            return Value.Null;
        }

        var target = type.Kind;
        if (target == SqlTypeKind.Array && v.Kind == ValueKind.Array)
        {
            // An array to another element type: each element cast (NULLs stay NULL).
            var elements = v.AsArray;
            var cast = new Value[elements.Length];
            for (var i = 0; i < elements.Length; i++)
            {
                cast[i] = Cast(elements[i], type.Element!);
            }

            return Value.FromArray(cast);
        }

        if (target == SqlTypeKind.Map && v.Kind == ValueKind.Map)
        {
            // A map to another value type: each value cast.
            var map = v.AsMap;
            var values = new Value[map.Values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Cast(map.Values[i], type.Element!);
            }

            return Value.FromMap(new MapValue(map.Keys, values));
        }

        if (target == SqlTypeKind.Struct && v.Kind == ValueKind.Struct)
        {
            // A struct to another struct type: fields match by name (exactly, then ignoring case); missing ones are NULL.
            var source = v.AsStruct;
            var fields = type.Fields!;
            var names = new string[fields.Count];
            var values = new Value[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                names[i] = fields[i].Name;
                var from = Array.IndexOf(source.Names, fields[i].Name);
                from = from >= 0 ? from : Array.FindIndex(source.Names, n => string.Equals(n, fields[i].Name, StringComparison.OrdinalIgnoreCase));
                values[i] = from >= 0 ? Cast(source.Fields[from], fields[i].Type) : Value.Null;
            }

            return Value.FromStruct(new StructValue(names, values));
        }

        if (target == SqlTypeKind.Array && v.Kind == ValueKind.String)
        {
            // array_in: '{1,"a b",NULL}', each element read by the element type's input function.
            var texts = ArrayLiteral.Parse(v.AsString);
            var elements = new Value[texts.Count];
            for (var i = 0; i < elements.Length; i++)
            {
                elements[i] = texts[i] is { } text ? FromText(text, type.Element!) : Value.Null;
            }

            return Value.FromArray(elements);
        }

        switch (target)
        {
            case SqlTypeKind.Varchar:
                // boolean::text is 'true'/'false' in PostgreSQL, while its output function prints t/f.
                return Value.FromString(v.Kind == ValueKind.Boolean ? (v.AsBoolean ? "true" : "false") : v.ToText());
            case SqlTypeKind.SmallInt:
                return v.Kind switch
                {
                    ValueKind.SmallInt => v,
                    ValueKind.Int or ValueKind.BigInt => v.AsLong is < short.MinValue or > short.MaxValue ? throw ValueOps.SmallIntOutOfRange() : Value.FromSmallInt((short)v.AsLong),
                    ValueKind.Double or ValueKind.Real => DoubleToSmallInt(v.AsDouble),
                    ValueKind.Numeric => Value.FromSmallInt((short)NumericToLong(v.AsNumeric, short.MinValue, short.MaxValue, ValueOps.SmallIntOutOfRange)),
                    ValueKind.String => FromText(v.AsString, SqlType.SmallInt),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Real:
                return v.Kind switch
                {
                    ValueKind.Real => v,
                    ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => Value.FromReal(v.AsLong),
                    ValueKind.Double => Value.FromReal(TextValues.ToReal(v.AsDouble)),
                    ValueKind.Numeric => Value.FromReal(float.Parse(v.AsNumeric.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)),
                    ValueKind.String => FromText(v.AsString, SqlType.Real),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Int:
                return v.Kind switch
                {
                    ValueKind.Int => v,
                    ValueKind.SmallInt => Value.FromInt(v.AsInt),
                    ValueKind.BigInt => v.AsLong is < int.MinValue or > int.MaxValue ? throw ValueOps.IntOutOfRange() : Value.FromInt((int)v.AsLong),
                    ValueKind.Double or ValueKind.Real => DoubleToInt(v.AsDouble),
                    ValueKind.Numeric => Value.FromInt((int)NumericToLong(v.AsNumeric, int.MinValue, int.MaxValue, ValueOps.IntOutOfRange)),
                    ValueKind.Boolean => Value.FromInt(v.AsBoolean ? 1 : 0),
                    ValueKind.String => FromText(v.AsString, SqlType.Int),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.BigInt:
                return v.Kind switch
                {
                    ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => Value.FromBigInt(v.AsLong),
                    ValueKind.Double or ValueKind.Real => DoubleToBigInt(v.AsDouble),
                    ValueKind.Numeric => Value.FromBigInt(NumericToLong(v.AsNumeric, long.MinValue, long.MaxValue, ValueOps.BigIntOutOfRange)),
                    ValueKind.String => FromText(v.AsString, SqlType.BigInt),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Double:
                return v.Kind switch
                {
                    ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => Value.FromDouble(v.AsLong),
                    ValueKind.Double => v,
                    ValueKind.Real => Value.FromDouble(v.AsDouble),
                    ValueKind.Numeric => Value.FromDouble(NumericMath.ToDouble(v.AsNumeric)),
                    ValueKind.String => FromText(v.AsString, SqlType.Double),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Numeric:
                var m = v.Kind switch
                {
                    ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => v.AsLong,
                    ValueKind.Numeric => v.AsNumeric,
                    ValueKind.Real => NumericMath.FromReal(v.AsReal),
                    ValueKind.Double => NumericMath.FromDouble(v.AsDouble),
                    ValueKind.String => FromText(v.AsString, SqlType.Numeric).AsNumeric,
                    _ => throw CannotCast(v, target),
                };
                return Value.FromNumeric(NumericMath.ApplyTypmod(m, type.Precision, type.NumericScale));
            case SqlTypeKind.Boolean:
                return v.Kind switch
                {
                    ValueKind.Boolean => v,
                    ValueKind.Int => Value.FromBoolean(v.AsInt != 0),
                    ValueKind.String => FromText(v.AsString, SqlType.Boolean),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                var micros = v.Kind switch
                {
                    ValueKind.Timestamp or ValueKind.TimestampTz => v.AsLong,
                    ValueKind.Date => CalendarMath.DateToTimestamp((int)v.AsLong),
                    ValueKind.String => FromText(v.AsString, type).AsLong,
                    _ => throw CannotCast(v, target),
                };
                return target == SqlTypeKind.Timestamp ? Value.FromTimestamp(micros) : Value.FromTimestampTz(micros);
            case SqlTypeKind.Date:
                return v.Kind switch
                {
                    ValueKind.Date => v,
                    ValueKind.Timestamp or ValueKind.TimestampTz => Value.FromDate(CalendarMath.TimestampToDate(v.AsLong)),
                    ValueKind.String => FromText(v.AsString, SqlType.Date),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Bytea:
                return v.Kind switch
                {
                    ValueKind.Bytes => v,
                    ValueKind.String => FromText(v.AsString, SqlType.Bytea),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Time:
                return v.Kind switch
                {
                    ValueKind.Time => v,
                    ValueKind.Timestamp or ValueKind.TimestampTz => Value.FromTime(CalendarMath.TimeOfDay(v.AsLong)),
                    ValueKind.String => FromText(v.AsString, SqlType.Time),
                    _ => throw CannotCast(v, target),
                };
            case SqlTypeKind.Interval:
                return v.Kind switch
                {
                    ValueKind.Interval => v,
                    ValueKind.Time => Value.FromInterval(Interval.FromMicros(v.AsLong)),
                    ValueKind.String => FromText(v.AsString, SqlType.Interval),
                    _ => throw CannotCast(v, target),
                };
            default:
                throw CannotCast(v, target);
        }
    }

    private static Value FromText(string text, SqlType type) => Value.FromConstant(TextValues.Parse(text, type, null), type);

    private static long NumericToLong(decimal m, long min, long max, Func<Parser.Errors.SqlException> overflow)
    {
        var r = Math.Round(m, MidpointRounding.AwayFromZero);
        return r < min || r > max ? throw overflow() : (long)r;
    }

    private static Value DoubleToInt(double d)
    {
        var r = Math.Round(d, MidpointRounding.ToEven);
        return double.IsNaN(r) || r < int.MinValue || r > int.MaxValue ? throw ValueOps.IntOutOfRange() : Value.FromInt((int)r);
    }

    private static Value DoubleToSmallInt(double d)
    {
        var r = Math.Round(d, MidpointRounding.ToEven);
        return double.IsNaN(r) || r < short.MinValue || r > short.MaxValue ? throw ValueOps.SmallIntOutOfRange() : Value.FromSmallInt((short)r);
    }

    private static Value DoubleToBigInt(double d)
    {
        var r = Math.Round(d, MidpointRounding.ToEven);
        return double.IsNaN(r) || r < long.MinValue || r >= 9.2233720368547758E18 ? throw ValueOps.BigIntOutOfRange() : Value.FromBigInt((long)r);
    }

    private static SqlException CannotCast(Value v, SqlTypeKind target) =>
        new(SqlState.CannotCoerce, $"cannot cast {v.Kind} to {target}");
}
