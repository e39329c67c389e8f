using System.Text;
using StreamSql.Runtime.Storage;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Tests.Kafka;

public sealed class CodecTests
{
    [Theory]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    public void Crc32CMatchesKnownVectors(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32CMatchesTheIscsiTestPatterns()
    {
        // RFC 3720, appendix B.4.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-2, new byte[] { 0x03 })]
    [InlineData(150, new byte[] { 0xAC, 0x02 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void ZigzagVarIntsHaveTheProtobufEncoding(int value, byte[] expected)
    {
        using var writer = new KafkaWriter();
        writer.VarInt(value);
        Assert.Equal(expected, writer.Written.ToArray());
        Assert.Equal(expected.Length, KafkaWriter.SizeOfVarInt(value));
        Assert.Equal(value, new KafkaReader(expected).VarInt());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_700_000_000_000L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void VarLongsRoundTrip(long value)
    {
        using var writer = new KafkaWriter();
        writer.VarLong(value);
        Assert.Equal(KafkaWriter.SizeOfVarLong(value), writer.Position);
        Assert.Equal(value, new KafkaReader(writer.Written).VarLong());
    }

    [Fact]
    public void UnsignedVarIntsUseSevenBitGroups()
    {
        using var writer = new KafkaWriter();
        writer.UnsignedVarInt(300);
        Assert.Equal(new byte[] { 0xAC, 0x02 }, writer.Written.ToArray());
    }

    [Fact]
    public void CompactStringsArraysAndTaggedFieldsInFlexibleVersions()
    {
        using var writer = new KafkaWriter { Flexible = true };
        writer.NullableString(null);
        writer.String("");
        writer.String("abc");
        writer.ArrayLength(2);
        writer.NullLength();
        writer.TaggedFields();
        Assert.Equal(new byte[] { 0x00, 0x01, 0x04, (byte)'a', (byte)'b', (byte)'c', 0x03, 0x00, 0x00 }, writer.Written.ToArray());

        var reader = new KafkaReader(writer.Written) { Flexible = true };
        Assert.Null(reader.NullableString());
        Assert.Equal("", reader.String());
        Assert.Equal("abc", reader.String());
        Assert.Equal(2, reader.ArrayLength());
        Assert.Equal(-1, reader.ArrayLength());
        reader.TaggedFields();
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void ClassicStringsHaveInt16Lengths()
    {
        using var writer = new KafkaWriter();
        writer.NullableString(null);
        writer.String("hé");
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0x00, 0x03, (byte)'h', 0xC3, 0xA9 }, writer.Written.ToArray());
        var reader = new KafkaReader(writer.Written);
        Assert.Null(reader.NullableString());
        Assert.Equal("hé", reader.String());
    }

    [Fact]
    public void TaggedFieldsAreSkipped()
    {
        // Two tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte; then an int16.
        var reader = new KafkaReader(new byte[] { 0x02, 0x00, 0x02, 0xAA, 0xBB, 0x05, 0x01, 0xCC, 0x00, 0x07 }) { Flexible = true };
        reader.TaggedFields();
        Assert.Equal(7, reader.Int16());
    }

    [Fact]
    public void ReadsPastTheEndAndBogusArrayCountsThrow()
    {
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(new byte[] { 0x00, 0x05, (byte)'a' }).String());
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }).ArrayLength());
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }).UnsignedVarInt());
    }

    [Fact]
    public void WriterGrowsAndPatchesReservedLengths()
    {
        using var writer = new KafkaWriter(16);
        var at = writer.Reserve(4);
        for (var i = 0; i < 10_000; i++)
        {
            writer.Int64(i);
        }

        writer.PatchInt32(at, writer.Position - 4);
        var reader = new KafkaReader(writer.Written);
        Assert.Equal(80_000, reader.Int32());
        Assert.Equal(0, reader.Int64());
        Assert.Equal(1, reader.Int64());
    }
}
