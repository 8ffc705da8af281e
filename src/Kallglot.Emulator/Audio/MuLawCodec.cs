namespace Kallglot.Emulator.Audio;

/// <summary>G.711 mu-law for the emulator's own use (it shares no code with the client).</summary>
internal static class MuLawCodec
{
    private static readonly short[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        var value = ~i & 0xFF;
        var magnitude = ((((value & 0x0F) << 3) + 0x84) << ((value >> 4) & 0x07)) - 0x84;
        return (short)((value & 0x80) != 0 ? -magnitude : magnitude);
    }).ToArray();

    public static short Decode(byte value) => Table[value];
}
