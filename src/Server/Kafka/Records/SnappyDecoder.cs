using System.Buffers.Binary;

namespace StreamSql.Server.Kafka.Records;

/// <summary>Snappy decompression: raw snappy blocks (librdkafka) and the xerial framing the Java client writes.</summary>
public static class SnappyDecoder
{
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static byte[] Decode(ReadOnlySpan<byte> input)
    {
        if (!input.StartsWith(XerialMagic))
        {
            return DecodeBlock(input);
        }

        // Xerial: 8-byte magic, int32 version, int32 compatible version, then (int32 length, raw block) chunks.
        using var output = new MemoryStream();
        var position = 16;
        while (position < input.Length)
        {
            Need(input, position, 4);
            var length = BinaryPrimitives.ReadInt32BigEndian(input[position..]);
            position += 4;
            Need(input, position, length);
            output.Write(DecodeBlock(input.Slice(position, length)));
            position += length;
            if (output.Length > Decompression.MaxDecompressedBytes)
            {
                throw new InvalidDataException("snappy batch inflates too far");
            }
        }

        return output.ToArray();
    }

    private static byte[] DecodeBlock(ReadOnlySpan<byte> input)
    {
        var position = 0;
        ulong expected = 0;
        for (var shift = 0; ; shift += 7)
        {
            Need(input, position, 1);
            var b = input[position++];
            expected |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            if (shift > 28)
            {
                throw new InvalidDataException("bad snappy length");
            }
        }

        if (expected > Decompression.MaxDecompressedBytes)
        {
            throw new InvalidDataException("snappy block too large");
        }

        var output = new byte[expected];
        var written = 0;
        while (position < input.Length)
        {
            var tag = input[position++];
            int length, offset;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var bytes = length - 59;
                        Need(input, position, bytes);
                        length = 0;
                        for (var i = 0; i < bytes; i++)
                        {
                            length |= input[position + i] << (8 * i);
                        }

                        position += bytes;
                    }

                    length++;
                    Need(input, position, length);
                    Fits(output, written, length);
                    input.Slice(position, length).CopyTo(output.AsSpan(written));
                    position += length;
                    written += length;
                    continue;
                case 1:
                    Need(input, position, 1);
                    length = ((tag >> 2) & 7) + 4;
                    offset = ((tag >> 5) << 8) | input[position++];
                    break;
                case 2:
                    Need(input, position, 2);
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(input[position..]);
                    position += 2;
                    break;
                default:
                    Need(input, position, 4);
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadInt32LittleEndian(input[position..]);
                    position += 4;
                    break;
            }

            if (offset <= 0 || offset > written)
            {
                throw new InvalidDataException("snappy copy before the start of the output");
            }

            Fits(output, written, length);
            for (var i = 0; i < length; i++)
            {
                output[written + i] = output[written - offset + i];
            }

            written += length;
        }

        return written == output.Length ? output : throw new InvalidDataException("snappy block shorter than its declared length");
    }

    private static void Need(ReadOnlySpan<byte> input, int position, int count)
    {
        if (count < 0 || position + count > input.Length)
        {
            throw new InvalidDataException("truncated snappy data");
        }
    }

    private static void Fits(byte[] output, int written, int count)
    {
        if (written + count > output.Length)
        {
            throw new InvalidDataException("snappy data longer than its declared length");
        }
    }
}
