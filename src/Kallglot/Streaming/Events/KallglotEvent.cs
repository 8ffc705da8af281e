using System.Text;
using System.Text.Json;
using Kallglot.Sessions;

namespace Kallglot.Streaming.Events;

/// <summary>
/// An event from the session's stream. Known types arrive as subclasses; any other type arrives as
/// this class, never dropped. <see cref="Raw"/> holds every field as sent, read on first use.
/// </summary>
public class KallglotEvent
{
    private IReadOnlyDictionary<string, object?>? _raw;
    private string? _json;
    private ReadOnlyMemory<byte> _utf8Json;

    /// <summary>The event's <c>type</c>, such as <c>transcript.final</c>.</summary>
    public string Type { get; internal set; } = string.Empty;

    /// <summary>The session the event belongs to.</summary>
    public string SessionId { get; internal set; } = string.Empty;

    /// <summary>When the client received it.</summary>
    public DateTimeOffset ReceivedAt { get; internal set; }

    /// <summary>The event's position in the stream as the client received it, from 1.</summary>
    public long Index { get; internal set; }

    /// <summary>True for events the client itself raised about the stream (an unreadable frame, an oversized message); false for the server's.</summary>
    public bool FromClient { get; internal set; }

    /// <summary>The JSON text as received.</summary>
    public string Json
    {
        // Live events keep the bytes as they came and make the text only if someone reads it: most never do.
        get => _json ??= _utf8Json.IsEmpty ? "{}" : Encoding.UTF8.GetString(_utf8Json.Span);
        internal set => _json = value;
    }

    /// <summary>The JSON as the UTF-8 bytes received, in place of <see cref="Json"/>'s text until it is read.</summary>
    internal ReadOnlyMemory<byte> Utf8Json
    {
        set => _utf8Json = value;
    }

    /// <summary>What the event's JSON holds in memory, as text (two bytes a character) whether or not the text was made yet: the same figure for the whole life of the event.</summary>
    internal long JsonTextBytes => 2L * (_utf8Json.IsEmpty ? Json.Length : _utf8Json.Length);

    /// <summary>Every field of the event as plain values (dictionaries, arrays, strings, numbers).</summary>
    public IReadOnlyDictionary<string, object?> Raw => _raw ??= ReadRaw(Json);

    /// <inheritdoc />
    public override string ToString() => $"{Type} #{Index}";

    private static IReadOnlyDictionary<string, object?> ReadRaw(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonValueConverter.ToPlain(document.RootElement) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return new Dictionary<string, object?>();
        }
    }
}
