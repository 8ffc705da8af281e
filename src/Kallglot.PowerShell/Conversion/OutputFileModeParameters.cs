using System.Management.Automation;
using Kallglot.Errors;
using Kallglot.Files;

namespace Kallglot.PowerShell.Conversion;

/// <summary>-Force and -Append, as every cmdlet that writes a file takes them.</summary>
internal static class OutputFileModeParameters
{
    /// <exception cref="KallglotValidationException">Both were given.</exception>
    public static OutputFileMode From(SwitchParameter force, SwitchParameter append, string parameterName) =>
        (force.IsPresent, append.IsPresent) switch
        {
            (true, true) => throw new KallglotValidationException("force_and_append", "Force",
                $"-Force replaces the {parameterName} file and -Append adds to it: give one of them."),
            (true, false) => OutputFileMode.Replace,
            (false, true) => OutputFileMode.Append,
            _ => OutputFileMode.CreateNew,
        };
}
