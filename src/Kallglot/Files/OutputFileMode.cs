namespace Kallglot.Files;

/// <summary>What writing to a path does when a file is already there.</summary>
public enum OutputFileMode
{
    /// <summary>Refuse (<c>output_file_exists</c>): a user's file is never destroyed without asking.</summary>
    CreateNew,
    /// <summary>Replace it (-Force).</summary>
    Replace,
    /// <summary>Add to its end (-Append), for files that can grow: transcripts and recordings.</summary>
    Append,
}
