using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Kallglot.PowerShell.Completion;

/// <summary>Completes speaker labels: those seen on streams in this PowerShell process, then the usual ones.</summary>
public sealed class SpeakerCompleter : IArgumentCompleter
{
    private static readonly string[] Usual = ["caller", "agent"];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return SeenValues.SpeakersNewestFirst.Concat(Usual).Distinct(StringComparer.Ordinal)
            .Where(speaker => speaker.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(speaker => new CompletionResult(CompletionText.For(speaker), speaker, CompletionResultType.ParameterValue, speaker));
    }
}
