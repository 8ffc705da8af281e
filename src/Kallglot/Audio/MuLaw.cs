namespace Kallglot.Audio;

/// <summary>
/// G.711 mu-law, the API's audio encoding: 14-bit linear PCM companded to 8 bits. Decoding is a
/// 256-entry table; encoding uses the standard segment search (ITU-T G.711, bias 0x84, clip 32635).
/// </summary>
public static class MuLaw
{
    private const int Bias = 0x84;
    private const int Clip = 32635;
    private static readonly short[] DecodeTable = BuildDecodeTable();

    /// <summary>One mu-law byte to a 16-bit linear sample.</summary>
    public static short Decode(byte value) => DecodeTable[value];

    /// <summary>One 16-bit linear sample to a mu-law byte.</summary>
    public static byte Encode(short sample)
    {
        var sign = (sample >> 8) & 0x80;
        int magnitude = sample;
        if (sign != 0)
        {
            magnitude = -magnitude;
        }
        if (magnitude > Clip)
        {
            magnitude = Clip;
        }
        magnitude += Bias;
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }
        var mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    /// <summary>Encodes <paramref name="samples"/> into <paramref name="destination"/> (same length).</summary>
    public static void Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            destination[i] = Encode(samples[i]);
        }
    }

    /// <summary>Decodes <paramref name="encoded"/> into <paramref name="destination"/> (same length).</summary>
    public static void Decode(ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        for (var i = 0; i < encoded.Length; i++)
        {
            destination[i] = DecodeTable[encoded[i]];
        }
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var value = ~i & 0xFF;
            var sign = value & 0x80;
            var exponent = (value >> 4) & 0x07;
            var mantissa = value & 0x0F;
            var magnitude = (((mantissa << 3) + Bias) << exponent) - Bias;
            table[i] = (short)(sign != 0 ? -magnitude : magnitude);
        }
        return table;
    }
}
