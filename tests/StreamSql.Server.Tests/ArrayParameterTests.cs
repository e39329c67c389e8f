using System.Buffers.Binary;
using System.Text;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Server.Pg;

namespace StreamSql.Server.Tests;

/// <summary>Array parameters in Bind: PostgreSQL's array_recv binary form and the text form ('{1,NULL}').</summary>
public sealed class ArrayParameterTests
{
    private static readonly SqlType IntArray = SqlType.ArrayOf(SqlType.Int);

    /// <summary>array_send's layout for a one-dimensional int4[] (null elements as -1 lengths).</summary>
    private static byte[] Binary(params int?[] elements)
    {
        var bytes = new List<byte>();
        void Int(int v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            bytes.AddRange(b);
        }

        Int(elements.Length == 0 ? 0 : 1);
        Int(elements.Any(e => e is null) ? 1 : 0);
        Int(PgTypes.Int4Oid);
        if (elements.Length > 0)
        {
            Int(elements.Length);
            Int(1);
        }

        foreach (var e in elements)
        {
            if (e is { } v)
            {
                Int(4);
                Int(v);
            }
            else
            {
                Int(-1);
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void BinaryArraysDecodeToElementConstants()
    {
        Assert.Equal(new object?[] { 1, null, 3 }, (object?[])PgParameters.Decode(Binary(1, null, 3), 1007, IntArray, binary: true, 1)!);
        Assert.Empty((object?[])PgParameters.Decode(Binary(), 1007, IntArray, binary: true, 1)!);
    }

    [Fact]
    public void TextArraysReadLikeArrayIn()
    {
        Assert.Equal(new object?[] { 1, null }, (object?[])PgParameters.Decode(Encoding.UTF8.GetBytes("{1,NULL}"), 1007, IntArray, binary: false, 1)!);
        var e = Assert.Throws<SqlException>(() => PgParameters.Decode(Encoding.UTF8.GetBytes("{1,"), 1007, IntArray, binary: false, 1));
        Assert.Equal(SqlState.InvalidTextRepresentation, e.SqlState);
    }

    [Fact]
    public void MalformedBinaryArraysAre22P03()
    {
        var truncated = Binary(1, 2)[..^2];
        Assert.Equal(SqlState.InvalidBinaryRepresentation, Assert.Throws<SqlException>(() => PgParameters.Decode(truncated, 1007, IntArray, binary: true, 1)).SqlState);
        Assert.Equal(SqlState.InvalidBinaryRepresentation, Assert.Throws<SqlException>(() => PgParameters.Decode([0, 0, 0, 1], 1007, IntArray, binary: true, 1)).SqlState);
    }

    [Fact]
    public void ArrayOidsMapToArrayTypes()
    {
        Assert.Equal(IntArray, PgTypes.FromOid(1007));
        Assert.Equal(SqlType.ArrayOf(SqlType.Varchar), PgTypes.FromOid(1009));
        Assert.Equal(SqlType.ArrayOf(SqlType.Varchar), PgTypes.FromOid(1015));
        Assert.Equal(SqlType.ArrayOf(SqlType.Numeric), PgTypes.FromOid(1231));
    }
}
