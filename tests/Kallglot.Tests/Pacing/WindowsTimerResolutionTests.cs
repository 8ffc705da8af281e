using Kallglot.Pacing;

namespace Kallglot.Tests.Pacing;

public sealed class WindowsTimerResolutionTests
{
    [Fact]
    public void A_missing_winmm_is_taken_as_no_raised_resolution_without_throwing_and_is_not_asked_again()
    {
        var asked = 0;
        var resolution = new WindowsTimerResolution(_ => { asked++; throw new DllNotFoundException("winmm.dll"); }, _ => throw new InvalidOperationException("nothing to restore"));

        resolution.Raise();
        resolution.Raise();
        resolution.Restore();

        Assert.False(resolution.IsRaised);
        Assert.Equal(1, asked);
    }

    [Fact]
    public void A_resolution_granted_is_given_back_once_and_asked_for_again_when_deadlines_return()
    {
        var begun = new List<uint>();
        var ended = new List<uint>();
        var resolution = new WindowsTimerResolution(period => { begun.Add(period); return 0; }, period => { ended.Add(period); return 0; });

        resolution.Raise();
        resolution.Raise();
        resolution.Restore();
        resolution.Restore();
        resolution.Raise();

        Assert.True(resolution.IsRaised);
        Assert.Equal([1u, 1u], begun);
        Assert.Equal([1u], ended);
    }

    [Fact]
    public void A_refused_resolution_is_not_given_back_nor_asked_for_again_at_each_wake()
    {
        var asked = 0;
        var ended = 0;
        // TIMERR_NOCANDO: the period asked for is out of range.
        var resolution = new WindowsTimerResolution(_ => { asked++; return 97; }, _ => { ended++; return 0; });

        resolution.Raise();
        resolution.Restore();
        resolution.Raise();

        Assert.False(resolution.IsRaised);
        Assert.Equal(1, asked);
        Assert.Equal(0, ended);
    }
}
