namespace Kallglot.Benchmarks.Harness;

/// <summary>What one scale run measured, for the table and the plot.</summary>
internal sealed record ScalePoint(int Streams, double CpuPerStreamMinute, double WorkingSetPerStreamMb, double PeakWorkingSetMb, double PacingP99Ms, long EventsLost, long EventsSent, double? MachineBusy,
    double PoolWorkItemsPerEvent);
