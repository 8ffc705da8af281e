namespace Kallglot.Emulator;

/// <summary>How the emulator's JSON escapes text: servers' encoders differ, and a client must read (and mask) them all alike.</summary>
public enum JsonEscaping
{
    /// <summary>Only what JSON requires.</summary>
    Minimal,
    /// <summary>As cautious encoders write it: '+', '&amp;', '&lt;', '&gt;', quotes and non-ASCII as \uXXXX, and '/' as '\/'.</summary>
    Strict,
}
