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
