using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Kallglot.PowerShell.Completion;

/// <summary>Completes BCP-47 language tags, showing each language's name.</summary>
public sealed class LanguageCompleter : IArgumentCompleter
{
    private static readonly (string Tag, string Name)[] Languages =
    [
        ("en", "English"), ("en-US", "English (United States)"), ("en-GB", "English (United Kingdom)"), ("es", "Spanish"), ("es-MX", "Spanish (Mexico)"),
        ("fr", "French"), ("fr-CA", "French (Canada)"), ("de", "German"), ("it", "Italian"), ("pt", "Portuguese"), ("pt-BR", "Portuguese (Brazil)"),
        ("nl", "Dutch"), ("sv", "Swedish"), ("da", "Danish"), ("nb", "Norwegian Bokmål"), ("fi", "Finnish"), ("pl", "Polish"), ("cs", "Czech"),
        ("sk", "Slovak"), ("ro", "Romanian"), ("hu", "Hungarian"), ("el", "Greek"), ("bg", "Bulgarian"), ("hr", "Croatian"), ("sr", "Serbian"),
        ("tr", "Turkish"), ("ru", "Russian"), ("uk", "Ukrainian"), ("ar", "Arabic"), ("he", "Hebrew"), ("fa", "Persian"), ("hi", "Hindi"),
        ("bn", "Bengali"), ("ur", "Urdu"), ("ta", "Tamil"), ("zh", "Chinese"), ("zh-CN", "Chinese (Simplified)"), ("zh-TW", "Chinese (Traditional)"),
        ("ja", "Japanese"), ("ko", "Korean"), ("vi", "Vietnamese"), ("th", "Thai"), ("id", "Indonesian"), ("ms", "Malay"), ("tl", "Filipino"), ("sw", "Swahili"),
    ];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return Languages
            .Where(language => language.Tag.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || language.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(language => new CompletionResult(CompletionText.For(language.Tag), $"{language.Tag}  {language.Name}", CompletionResultType.ParameterValue, language.Name));
    }
}
