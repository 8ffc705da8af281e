using System.Collections.Concurrent;
using Kallglot.Security;

namespace Kallglot.Streaming;

/// <summary>
/// A stream's diagnostic lines (connection changes), secrets masked, kept for whoever reads the
/// stream next since the code that opened it may be long gone; the oldest go beyond 1,000.
/// </summary>
internal sealed class StreamDiagnostics
{
    private const int MaxLines = 1000;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string _sessionId;
    private readonly KallglotSecret? _token;
    private readonly Action<string>? _sink;

    public StreamDiagnostics(string sessionId, KallglotSecret? token, Action<string>? sink)
    {
        _sessionId = sessionId;
        _token = token;
        _sink = sink;
    }

    public bool TryRead(out string line) => _lines.TryDequeue(out line!);

    public void Log(string line)
    {
        var text = $"[{_sessionId}] {Redactor.Redact(line, _token)}";
        _lines.Enqueue($"{DateTimeOffset.Now:HH:mm:ss.fff} {text}");
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
        try
        {
            _sink?.Invoke(text);
        }
        catch (Exception)
        {
            // The sink is the caller's code: whatever it throws must not break the stream's receive loop or its lifecycle.
        }
    }
}
