namespace Kallglot.Emulator;

/// <summary>What the emulator "hears" for an utterance and how it "translates" it.</summary>
/// <param name="Text">The transcript.</param>
/// <param name="Translation">The translation.</param>
public sealed record ScriptedUtterance(string Text, string Translation);
