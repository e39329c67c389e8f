using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Arrays (one-dimensional, 1-based as in PostgreSQL): the constructor, subscripts, cardinality, array_length.</summary>
public static class ArrayFunctions
{
    /// <summary>ARRAY[a, b, ...]: the elements, NULLs included.</summary>
    public static Value MakeArray(Value[] elements) => Value.FromArray(elements);

    /// <summary>a[i]: the i-th element (from 1); NULL when i is out of range or either side is NULL.</summary>
    public static Value ArraySubscript(Value array, Value index)
    {
        if (array.IsNull || index.IsNull)
        {
            return Value.Null;
        }

        var elements = array.AsArray;
        var i = index.AsLong;
        return i >= 1 && i <= elements.Length ? elements[i - 1] : Value.Null;
    }

    /// <summary>array || array: the elements of both; a NULL side gives the other.</summary>
    public static Value ArrayCat(Value left, Value right) =>
        left.IsNull ? right : right.IsNull ? left : Value.FromArray([.. left.AsArray, .. right.AsArray]);

    /// <summary>array || element: the element added at the end (a NULL array counts as empty).</summary>
    public static Value ArrayAppend(Value array, Value element) =>
        Value.FromArray(array.IsNull ? [element] : [.. array.AsArray, element]);

    /// <summary>element || array: the element added at the front (a NULL array counts as empty).</summary>
    public static Value ArrayPrepend(Value element, Value array) =>
        Value.FromArray(array.IsNull ? [element] : [element, .. array.AsArray]);

    /// <summary>cardinality(a): the number of elements (0 for an empty array).</summary>
    public static Value Cardinality(Value array) => array.IsNull ? array : Value.FromInt(array.Kind == ValueKind.Map ? array.AsMap.Keys.Length : array.AsArray.Length);

    /// <summary>array_length(a, dim): the length of dimension 1; NULL for an empty array or another dimension.</summary>
    public static Value ArrayLength(Value array, Value dimension)
    {
        if (array.IsNull || dimension.IsNull)
        {
            return Value.Null;
        }

        var length = array.AsArray.Length;
        return dimension.AsLong == 1 && length > 0 ? Value.FromInt(length) : Value.Null;
    }
}
