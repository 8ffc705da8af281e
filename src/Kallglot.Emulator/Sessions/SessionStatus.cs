namespace Kallglot.Emulator.Sessions;

/// <summary>Where an emulated session is in its life.</summary>
public enum SessionStatus
{
    /// <summary>Created; no stream yet.</summary>
    Created,
    /// <summary>A stream has connected.</summary>
    Active,
    /// <summary>Over: session.ended was sent (or the operator ended it).</summary>
    Ended,
}
