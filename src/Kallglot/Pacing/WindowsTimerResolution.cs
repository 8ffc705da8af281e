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
    private readonly Func<uint, uint>? _begin;
    private readonly Func<uint, uint>? _end;
    private bool _raised;
    private bool _unavailable;

    /// <summary>Raises the resolution through winmm.dll on Windows; elsewhere does nothing.</summary>
    public WindowsTimerResolution()
        : this(OperatingSystem.IsWindows() ? timeBeginPeriod : null, OperatingSystem.IsWindows() ? timeEndPeriod : null)
    {
    }

    /// <summary>Raises and restores the resolution through <paramref name="begin"/> and <paramref name="end"/> (tests).</summary>
    internal WindowsTimerResolution(Func<uint, uint>? begin, Func<uint, uint>? end)
    {
        _begin = begin;
        _end = end;
    }

    /// <summary>Whether one-millisecond timers are held now.</summary>
    public bool IsRaised => _raised;

    public void Raise()
    {
        if (_raised || _unavailable || _begin is null)
        {
            return;
        }
        try
        {
            _raised = _begin(OneMillisecond) == 0;
            // Refused (TIMERR_NOCANDO: the period is outside what the machine's timer offers): asking at every wake would not change it.
            _unavailable = !_raised;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // Windows without winmm.dll (Nano Server): the pacer's waits keep the system tick; an exception here would end the
            // pacer's thread, and the process with it. Not asked again.
            _unavailable = true;
        }
    }

    public void Restore()
    {
        if (_raised)
        {
            _ = _end!(OneMillisecond);
            _raised = false;
        }
    }

    [DllImport("winmm.dll", EntryPoint = "timeBeginPeriod")]
    private static extern uint timeBeginPeriod(uint period);

    [DllImport("winmm.dll", EntryPoint = "timeEndPeriod")]
    private static extern uint timeEndPeriod(uint period);
}
