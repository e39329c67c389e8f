using System.IO.Compression;

namespace StreamSql.Server.Kafka.Records;

/// <summary>Decompresses the records of a compressed batch: gzip (System.IO.Compression), snappy and lz4 (own decoders); zstd is refused.</summary>
public static class Decompression
{
    /// <summary>A decompressed batch may not grow past this (a zip bomb closes nothing, it just fails the partition).</summary>
    public const int MaxDecompressedBytes = 256 << 20;

    public const int Gzip = 1;
    public const int Snappy = 2;
    public const int Lz4 = 3;
    public const int Zstd = 4;

    public static bool TryDecompress(int codec, ReadOnlySpan<byte> compressed, out ReadOnlyMemory<byte> plain, out string? error)
    {
        error = null;
        plain = default;
        try
        {
            switch (codec)
            {
                case Gzip:
                    plain = GunZip(compressed.ToArray());
                    return true;
                case Snappy:
                    plain = SnappyDecoder.Decode(compressed);
                    return true;
                case Lz4:
                    plain = Lz4FrameDecoder.Decode(compressed);
                    return true;
                default:
                    error = codec == Zstd ? "zstd compression is not supported; use gzip, snappy or lz4" : $"unknown compression codec {codec}";
                    return false;
            }
        }
        catch (InvalidDataException e)
        {
            error = $"cannot decompress batch: {e.Message}";
            return false;
        }
    }

    private static byte[] GunZip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > MaxDecompressedBytes)
            {
                throw new InvalidDataException($"gzip batch inflates past {MaxDecompressedBytes} bytes");
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }
}
