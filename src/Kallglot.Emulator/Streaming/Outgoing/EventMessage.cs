using System.Text.Json;

namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>An event of this type, its fields written at the moment of sending.</summary>
internal sealed record EventMessage(string Type, Action<Utf8JsonWriter>? Fields) : OutgoingMessage;
