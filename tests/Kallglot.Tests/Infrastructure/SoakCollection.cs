namespace Kallglot.Tests.Infrastructure;

/// <summary>Tests that measure the whole process (memory, handles) run alone: other tests' sockets would count against them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "Whole-process measurements";
}
