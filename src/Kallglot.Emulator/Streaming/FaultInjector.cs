using System.Diagnostics;

namespace Kallglot.Emulator.Streaming;

/// <summary>The connection's injected misbehaviour: a stall of both loops for a while, or a half-open peer from now on.</summary>
internal sealed class FaultInjector
{
    private readonly HttpContext _context;
    private long _stallUntil;
    private TaskCompletionSource _stallChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FaultInjector(HttpContext context)
    {
        _context = context;
    }

    /// <summary>Neither loop goes on for <paramref name="duration"/>, from now: a stall of zero ends one in progress.</summary>
    public void Stall(TimeSpan duration)
    {
        Interlocked.Exchange(ref _stallUntil, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        Interlocked.Exchange(ref _stallChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// Nothing read (so no ping is answered), nothing written, the socket left open: the transport
    /// holds the bytes, since a read already waiting in the WebSocket would otherwise answer a ping.
    /// </summary>
    public void BecomeUnresponsive()
    {
        Transport.PausableUpgradeFeature.StreamOf(_context)?.Pause();
        Stall(TimeSpan.FromDays(1));
    }

    /// <summary>Whether a stall is in progress or ended less than <paramref name="since"/> ago (the loops are still catching up).</summary>
    public bool StalledWithin(TimeSpan since) =>
        Stopwatch.GetTimestamp() < Interlocked.Read(ref _stallUntil) + (long)(since.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Waits out a stall in progress, if any.</summary>
    public async Task WaitOutStallAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _stallChanged).Task;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Interlocked.Read(ref _stallUntil));
            if (wait <= TimeSpan.Zero)
            {
                return;
            }
            // A new stall (or the end of this one) cuts the wait short.
            await Task.WhenAny(Task.Delay(wait, cancellationToken), changed).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
