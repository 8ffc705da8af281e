using System.Diagnostics;

namespace Kallglot.Pacing;

/// <summary>
/// Decides whether a real-time pacer should stay in real time, from how late its waits resume. Real
/// time puts a frame on its socket on the dot while the cores have room (100 streams: p99 0.95-1.65 ms
/// against 2.35-3.80 ms at normal priority), but on saturated cores a pacer that wakes every
/// millisecond ahead of everything else takes the cores from the pool threads that send the rest of
/// each batch (500 streams in pwsh: p99 140-145 ms against 46-75 ms). Which of the two a machine is
/// in shows in the frames themselves: each window (a second) it looks at how many resumed late.
/// </summary>
/// <remarks>
/// In real time, two windows in a row with more than 1 % of resumes over <c>leaveAbove</c> late send
/// the pacer to normal priority (one late window is a collection or a stall of the machine, which real
/// time does not cause). At normal priority, the first window with at most 1 % of resumes over
/// <c>returnAbove</c> late brings it back: on cores that real time would saturate, frames at normal
/// priority are usually late as well and the pacer stays; where they are not, it returns and leaves
/// again after two late windows. It sees only its own frames: a pacer whose frames are on time at
/// normal priority while another process's run late goes back and forth this way (the emulator's did
/// beside the client, which is why it paces at normal priority; docs/performance.md). A window with
/// fewer than <c>fewResumes</c> resumes (20 streams of 20 ms frames) keeps real time, and one with
/// fewer than half as many brings it back: so few sends cannot take the cores from anything. <see
/// cref="Record"/> is called from any thread; <see cref="Review"/> from the pacer's thread only.
/// </remarks>
internal sealed class LatenessRule
{
    private const int WindowsToLeave = 2;

    private readonly long _window;
    private readonly long _leaveAbove;
    private readonly long _returnAbove;
    private readonly long _fewResumes;
    private long _resumes;
    private long _overLeave;
    private long _overReturn;
    private long _windowStart;
    private int _lateWindows;

    /// <summary>The rule the process's pacer follows: windows of a second, leave above 10 ms, return at 5 ms, fewer than 1,000 resumes a second is few.</summary>
    public LatenessRule()
        : this(Stopwatch.Frequency, Stopwatch.Frequency / 100, Stopwatch.Frequency / 200, 1000)
    {
    }

    /// <summary>A rule with its own window and thresholds (Stopwatch ticks), for tests.</summary>
    public LatenessRule(long window, long leaveAbove, long returnAbove, long fewResumes)
    {
        _window = window;
        _leaveAbove = leaveAbove;
        _returnAbove = returnAbove;
        _fewResumes = fewResumes;
        _windowStart = Stopwatch.GetTimestamp();
    }

    /// <summary>Counts a paced frame that could leave <paramref name="late"/> ticks after its deadline (negative when early): a wait's resume, or a send already behind that did not wait.</summary>
    public void Record(long late)
    {
        Interlocked.Increment(ref _resumes);
        if (late > _returnAbove)
        {
            Interlocked.Increment(ref _overReturn);
            if (late > _leaveAbove)
            {
                Interlocked.Increment(ref _overLeave);
            }
        }
    }

    /// <summary>
    /// Null until a window has passed since the last review that gave an answer; then whether the pacer
    /// should be in real time, given whether it is (<paramref name="inRealTime"/>), and a new window starts.
    /// </summary>
    public bool? Review(long now, bool inRealTime)
    {
        if (now - _windowStart < _window)
        {
            return null;
        }
        _windowStart = now;
        // Three counters read one after another: a resume counted between the reads lands in this window or the next, either way harmless.
        var resumes = Interlocked.Exchange(ref _resumes, 0);
        var overLeave = Interlocked.Exchange(ref _overLeave, 0);
        var overReturn = Interlocked.Exchange(ref _overReturn, 0);
        if (!inRealTime)
        {
            // Half as few to come back as to stay, so that a count of streams near the line does not switch the thread every window.
            // A window without resumes says nothing about the cores (with fewResumes above 1 it is few, and brings real time back).
            return resumes < _fewResumes / 2 || (resumes > 0 && overReturn * 100 <= resumes);
        }
        if (resumes < _fewResumes)
        {
            _lateWindows = 0;
            return true;
        }
        _lateWindows = overLeave * 100 > resumes ? _lateWindows + 1 : 0;
        if (_lateWindows < WindowsToLeave)
        {
            return true;
        }
        _lateWindows = 0;
        return false;
    }
}
