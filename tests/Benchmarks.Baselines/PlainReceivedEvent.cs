namespace Kallglot.Benchmarks.Baselines;

/// <summary>What the plain loop writes per message: the least a cmdlet can hand the pipeline, its type alone.</summary>
public sealed class PlainReceivedEvent
{
    public PlainReceivedEvent(string type)
    {
        Type = type;
    }

    public string Type { get; }
}
