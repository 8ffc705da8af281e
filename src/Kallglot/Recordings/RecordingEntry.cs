using Kallglot.Streaming.Events;

namespace Kallglot.Recordings;

/// <summary>What one line of a recording gave: an event, or why the line could not be read (<see cref="Damage"/>).</summary>
public sealed record RecordingEntry(long LineNumber, KallglotEvent? Event, string? Damage = null, bool Truncated = false);
