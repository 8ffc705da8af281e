namespace Kallglot.Emulator;

/// <summary>How the emulator shapes error bodies; Varying picks one per response.</summary>
public enum ErrorShape
{
    /// <summary><c>{"error":{"code","message"}}</c>.</summary>
    Nested,
    /// <summary><c>{"code","message"}</c>.</summary>
    Flat,
    /// <summary>No body: the status alone.</summary>
    Empty,
    /// <summary>One of the others at random per response (seeded).</summary>
    Varying,
}
