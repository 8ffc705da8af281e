using System.Collections.Concurrent;

namespace Kallglot.Emulator.Sessions;

/// <summary>Everything the emulator remembers: the organization's credits and status, its sessions, and the run-time settings.</summary>
public sealed class EmulatorState
{
    private readonly object _gate = new();
    private readonly Random _random;
    private long _creditsRemaining;
    private long _creditsUsed;

    internal EmulatorState(EmulatorOptions options)
    {
        Options = options;
        _creditsRemaining = options.InitialCredits;
        OrganizationActive = options.OrganizationActive;
        _random = new Random(options.Seed);
    }

    public EmulatorOptions Options { get; }

    public bool OrganizationActive { get; set; }

    public long CreditsRemaining => Interlocked.Read(ref _creditsRemaining);

    public long CreditsUsed => Interlocked.Read(ref _creditsUsed);

    public ConcurrentDictionary<string, EmulatedSession> Sessions { get; } = new(StringComparer.Ordinal);

    public void SetCredits(long remaining) => Interlocked.Exchange(ref _creditsRemaining, remaining);

    internal ConcurrentQueue<HttpFault> Faults { get; } = new();

    private int _createsInFlight;
    private int _maxCreatesInFlight;

    /// <summary>The most session creations that were ever under way at once.</summary>
    public int MaxCreatesInFlight => Volatile.Read(ref _maxCreatesInFlight);

    /// <summary>Counts a creation under way until disposed.</summary>
    internal IDisposable EnterCreate()
    {
        var now = Interlocked.Increment(ref _createsInFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxCreatesInFlight)) && Interlocked.CompareExchange(ref _maxCreatesInFlight, now, seen) != seen)
        {
        }
        return new CreateScope(this);
    }

    private sealed class CreateScope(EmulatorState state) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref state._createsInFlight);
            }
        }
    }

    /// <summary>Failures the next stream handshakes meet (before the upgrade), set under /_emulator/faults with "stream": true.</summary>
    internal ConcurrentQueue<HttpFault> StreamFaults { get; } = new();

    /// <summary>Takes one credit; false when none is left.</summary>
    internal bool TryConsumeCredit()
    {
        lock (_gate)
        {
            if (_creditsRemaining <= 0)
            {
                return false;
            }
            _creditsRemaining--;
            _creditsUsed++;
            return true;
        }
    }

    internal int NextRandom(int exclusiveMax)
    {
        lock (_gate)
        {
            return _random.Next(exclusiveMax);
        }
    }

    internal string NewId(string prefix, int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
        return prefix + Convert.ToHexString(buffer).ToLowerInvariant();
    }
}
