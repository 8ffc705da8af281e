using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Kallglot.PowerShell.Completion;

/// <summary>Completes API paths with the sessions created in this PowerShell process: /v1/sessions/sess_...</summary>
public sealed class SessionPathCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return new[] { "/v1/sessions" }.Concat(SeenValues.SessionsNewestFirst.Select(id => $"/v1/sessions/{id}"))
            .Where(path => path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || path.Contains(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(path => new CompletionResult(CompletionText.For(path), path, CompletionResultType.ParameterValue, path));
    }
}
