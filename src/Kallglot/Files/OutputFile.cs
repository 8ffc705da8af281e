using Kallglot.Errors;

namespace Kallglot.Files;

/// <summary>Opens the files the module writes, with one rule for all of them: an existing file is refused unless replacing or appending was asked for.</summary>
public static class OutputFile
{
    /// <summary>Opens <paramref name="path"/> for writing; <paramref name="what"/> names it in messages ("the transcript").</summary>
    /// <exception cref="KallglotException"><c>output_file_exists</c>, or <paramref name="unwritableErrorId"/> when it cannot be written.</exception>
    public static FileStream Open(string path, OutputFileMode mode, string what, string unwritableErrorId)
    {
        try
        {
            return new FileStream(path, mode switch
            {
                OutputFileMode.Replace => FileMode.Create,
                OutputFileMode.Append => FileMode.Append,
                _ => FileMode.CreateNew,
            }, FileAccess.Write, FileShare.Read);
        }
        catch (IOException exception) when (mode == OutputFileMode.CreateNew && File.Exists(path))
        {
            throw new KallglotException("output_file_exists", KallglotErrorKind.Conflict,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} '{path}' already exists, and nothing was written to it. Use -Force to replace it{(CanAppend(what) ? ", -Append to add to it," : string.Empty)} or give another path.", exception)
            {
                RecommendedAction = "Use -Force to replace the file, or give another path.",
            };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new KallglotException(unwritableErrorId, KallglotErrorKind.FileWrite,
                $"Cannot write {what} '{path}': {exception.Message} Give a path in a folder you can write to.", exception);
        }
    }

    private static bool CanAppend(string what) => !what.Contains("audio", StringComparison.OrdinalIgnoreCase);
}
