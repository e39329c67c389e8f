using System.IO.Compression;
using System.Text;
using StreamSql.Runtime.Storage;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;
using StreamSql.Server.Kafka.Records;

namespace StreamSql.Server.Tests.Kafka;

public sealed class RecordBatchTests
{
    private static readonly TopicRecord[] Stored =
    [
        new(10, 1_000, "k"u8.ToArray(), "v1"u8.ToArray(), [new RecordHeader("h", "x"u8.ToArray()), new RecordHeader("n", null)]),
        new(11, 900, null, "v2"u8.ToArray()),
        new(12, 2_000, "k3"u8.ToArray(), null),
    ];

    private static byte[] Encode()
    {
        using var writer = new KafkaWriter();
        RecordBatchEncoder.Write(writer, Stored, 0, Stored.Length);
        return writer.Written.ToArray();
    }

    [Fact]
    public void EncodedBatchesDecodeToTheSameRecords()
    {
        var batches = new List<DecodedBatch>();
        Assert.Equal(ErrorCode.None, RecordBatchDecoder.Decode(Encode(), batches, out var error));
        Assert.Null(error);
        var records = Assert.Single(batches).Records;
        Assert.Equal([1_000L, 900L, 2_000L], records.Select(r => r.Timestamp));
        Assert.Equal("k", Encoding.UTF8.GetString(records[0].Key!));
        Assert.Null(records[1].Key);
        Assert.Null(records[2].Value);
        Assert.Equal(["h", "n"], records[0].Headers!.Select(h => h.Key));
        Assert.Equal("x"u8.ToArray(), records[0].Headers![0].Value);
        Assert.Null(records[0].Headers![1].Value);
        Assert.Equal(-1, batches[0].ProducerId);
    }

    [Fact]
    public void EncodedBatchHasTheV2Header()
    {
        var reader = new KafkaReader(Encode());
        Assert.Equal(10, reader.Int64());
        var length = reader.Int32();
        Assert.Equal(reader.Remaining, length);
        reader.Int32();
        Assert.Equal(2, reader.Int8());
        var crc = reader.UInt32();
        Assert.Equal(Crc32C.Compute(reader.Take(reader.Remaining)), crc);
    }

    [Fact]
    public void ACorruptedBatchIsRejected()
    {
        var bytes = Encode();
        bytes[^1] ^= 0x01;
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchDecoder.Decode(bytes, [], out var error));
        Assert.Contains("CRC", error);
    }

    [Fact]
    public void TruncatedBatchesAreCorruptNotExceptions()
    {
        var bytes = Encode();
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchDecoder.Decode(bytes.AsMemory(0, bytes.Length - 3), [], out _));
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchDecoder.Decode(bytes.AsMemory(0, 7), [], out _));
    }

    [Fact]
    public void GzipRoundTrips()
    {
        var plain = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("streamsql ", 1000)));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        Assert.True(Decompression.TryDecompress(Decompression.Gzip, compressed.ToArray(), out var result, out _));
        Assert.Equal(plain, result.ToArray());
    }

    [Fact]
    public void SnappyLiteralsAndCopies()
    {
        Assert.Equal("hello"u8.ToArray(), SnappyDecoder.Decode([0x05, 0x10, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o']));
        Assert.Equal("aaaaaaaaaa"u8.ToArray(), SnappyDecoder.Decode([0x0A, 0x00, (byte)'a', 0x15, 0x01]));

        // The xerial framing the Java client writes: magic, version, compatible version, then length-prefixed blocks.
        byte[] framed = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0x0A, 0x00, (byte)'a', 0x15, 0x01];
        Assert.Equal("aaaaaaaaaa"u8.ToArray(), SnappyDecoder.Decode(framed));
        Assert.Throws<InvalidDataException>(() => SnappyDecoder.Decode([0x0A, 0x15, 0x01]));
    }

    [Fact]
    public void Lz4FramesWithCompressedAndStoredBlocks()
    {
        byte[] frame =
        [
            0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82,
            0x08, 0x00, 0x00, 0x00, 0x35, (byte)'a', (byte)'b', (byte)'c', 0x03, 0x00, 0x10, (byte)'!',
            0x02, 0x00, 0x00, 0x80, (byte)'o', (byte)'k',
            0x00, 0x00, 0x00, 0x00,
        ];
        Assert.Equal("abcabcabcabc!ok"u8.ToArray(), Lz4FrameDecoder.Decode(frame));
        Assert.Throws<InvalidDataException>(() => Lz4FrameDecoder.Decode([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]));
    }

    [Fact]
    public void ZstdIsUnsupported()
    {
        Assert.False(Decompression.TryDecompress(Decompression.Zstd, [1, 2, 3], out _, out var error));
        Assert.Contains("zstd", error);
    }
}
