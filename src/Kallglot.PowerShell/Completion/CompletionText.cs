using System.Management.Automation.Language;

namespace Kallglot.PowerShell.Completion;

/// <summary>
/// The text a completion puts on the command line. Values that come from a server (speaker labels,
/// session ids) are quoted with the engine's own escaping, which also doubles the curly quotes that
/// end a single-quoted string, so no value can close the string and run as code.
/// </summary>
internal static class CompletionText
{
    public static string For(string value) =>
        value.Length > 0 && value[0] != '-' && value.All(IsBare) ? value : $"'{CodeGeneration.EscapeSingleQuotedStringContent(value)}'";

    private static bool IsBare(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':';
}
