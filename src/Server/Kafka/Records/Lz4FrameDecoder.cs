using System.Buffers.Binary;

namespace StreamSql.Server.Kafka.Records;

/// <summary>LZ4 frame format decompression (what Kafka clients write for magic-2 batches); checksums are skipped, the batch CRC covers the data.</summary>
public static class Lz4FrameDecoder
{
    private const uint Magic = 0x184D2204;

    public static byte[] Decode(ReadOnlySpan<byte> input)
    {
        if (input.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(input) != Magic)
        {
            throw new InvalidDataException("not an LZ4 frame");
        }

        var flags = input[4];
        var blockChecksums = (flags & 0x10) != 0;
        var position = 6 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1;
        using var output = new MemoryStream();
        while (true)
        {
            Need(input, position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(input[position..]);
            position += 4;
            if (size == 0)
            {
                return output.ToArray();
            }

            var length = (int)(size & 0x7FFFFFFF);
            Need(input, position, length);
            var block = input.Slice(position, length);
            if ((size & 0x80000000) != 0)
            {
                output.Write(block);
            }
            else
            {
                DecodeBlock(block, output);
            }

            position += length + (blockChecksums ? 4 : 0);
            if (output.Length > Decompression.MaxDecompressedBytes)
            {
                throw new InvalidDataException("lz4 batch inflates too far");
            }
        }
    }

    private static void DecodeBlock(ReadOnlySpan<byte> input, MemoryStream output)
    {
        var position = 0;
        while (position < input.Length)
        {
            var token = input[position++];
            var literals = ReadLength(input, ref position, token >> 4);
            Need(input, position, literals);
            output.Write(input.Slice(position, literals));
            position += literals;
            if (position == input.Length)
            {
                return;
            }

            Need(input, position, 2);
            var offset = BinaryPrimitives.ReadUInt16LittleEndian(input[position..]);
            position += 2;
            var match = ReadLength(input, ref position, token & 0x0F) + 4;
            var written = (int)output.Length;
            if (offset == 0 || offset > written)
            {
                throw new InvalidDataException("lz4 match before the start of the output");
            }

            output.SetLength(written + match);
            var buffer = output.GetBuffer();
            for (var i = 0; i < match; i++)
            {
                buffer[written + i] = buffer[written - offset + i];
            }

            output.Position = written + match;
        }
    }

    private static int ReadLength(ReadOnlySpan<byte> input, ref int position, int length)
    {
        if (length != 15)
        {
            return length;
        }

        byte b;
        do
        {
            Need(input, position, 1);
            b = input[position++];
            length += b;
        }
        while (b == 255);
        return length;
    }

    private static void Need(ReadOnlySpan<byte> input, int position, int count)
    {
        if (count < 0 || position + count > input.Length)
        {
            throw new InvalidDataException("truncated lz4 data");
        }
    }
}
