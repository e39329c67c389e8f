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

    /// <summary>cardinality(a): the number of elements (0 for an empty array).</summary>
    public static Value Cardinality(Value array) => array.IsNull ? array : Value.FromInt(array.AsArray.Length);

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
