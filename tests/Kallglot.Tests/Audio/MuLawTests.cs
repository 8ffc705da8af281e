using Kallglot.Audio;

namespace Kallglot.Tests.Audio;

public sealed class MuLawTests
{
    [Fact]
    public void Round_trip_stays_within_the_quantisation_step_of_each_segment()
    {
        for (var sample = short.MinValue; sample < short.MaxValue; sample += 7)
        {
            var decoded = MuLaw.Decode(MuLaw.Encode(sample));
            var magnitude = Math.Min(Math.Abs((int)sample), 32635);
            // Segment step doubles every octave above 32: error at most half a step, i.e. magnitude/32 + 8.
            var tolerance = (magnitude / 16) + 16;
            Assert.True(Math.Abs(Math.Clamp(sample, (short)-32635, (short)32635) - decoded) <= tolerance, $"{sample} -> {decoded}");
        }
    }

    [Fact]
    public void Known_code_points_match_g711()
    {
        Assert.Equal(0xFF, MuLaw.Encode(0));
        Assert.Equal(0, MuLaw.Decode(0xFF));
        Assert.Equal(-32124, MuLaw.Decode(0x00));
        Assert.Equal(32124, MuLaw.Decode(0x80));
        Assert.Equal(0x80, MuLaw.Encode(32767));
        Assert.Equal(0x00, MuLaw.Encode(-32768));
    }
}
