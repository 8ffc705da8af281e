using System.Runtime.InteropServices;

namespace Kallglot.Pacing;

/// <summary>
/// Asks Windows for one-millisecond timers while the pacer has deadlines to keep: its timed waits
/// are otherwise rounded up to the 15.6 ms system tick, most of a frame late. Given back whenever the
/// pacer has nothing to wait for, as a raised resolution costs the machine power. Used from the
/// pacer's thread only.
/// </summary>
internal sealed class WindowsTimerResolution
{
    private const uint OneMillisecond = 1;
    private bool _raised;

    public void Raise()
    {
        if (!_raised && OperatingSystem.IsWindows())
        {
            _raised = timeBeginPeriod(OneMillisecond) == 0;
        }
    }

    public void Restore()
    {
        if (_raised)
        {
            _ = timeEndPeriod(OneMillisecond);
            _raised = false;
        }
    }

    [DllImport("winmm.dll", EntryPoint = "timeBeginPeriod")]
    private static extern uint timeBeginPeriod(uint period);

    [DllImport("winmm.dll", EntryPoint = "timeEndPeriod")]
    private static extern uint timeEndPeriod(uint period);
}
