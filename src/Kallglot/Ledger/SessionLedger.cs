using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;

namespace Kallglot.Ledger;

/// <summary>
/// A local record of every session created: one JSON line when it is created, one more when its
/// stream ends. Safe to append from many threads and processes at once: each line is written whole
/// under an exclusive lock of the file, taken in turns.
/// </summary>
public sealed class SessionLedger
{
    /// <summary>The environment variable that names the ledger file.</summary>
    public const string PathVariable = "KALLGLOT_LEDGER";

    private static readonly object Gate = new();
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    /// <summary>A ledger at <paramref name="path"/>.</summary>
    public SessionLedger(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary><c>$env:KALLGLOT_LEDGER</c> when set, else <c>Kallglot/sessions.jsonl</c> under the user's local application data.</summary>
    public static string DefaultPath() =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "Kallglot", "sessions.jsonl");

    /// <summary>The line for a session just created.</summary>
    public static SessionLedgerEntry Created(KallglotSession session, DateTimeOffset at) => new()
    {
        Kind = "created",
        Id = session.Id,
        At = at,
        // A SIP password or token given in the routing is the user's secret: the ledger, a file, keeps its name, not its value.
        // The session's routing is masked already; a session made by other code may not be.
        Routing = RoutingRedactor.Redact(session.Routing),
        SourceLanguage = session.SourceLanguage,
        TargetLanguage = session.TargetLanguage,
        Provider = session.Provider,
        CreditsRemaining = session.CreditsRemaining,
        Credits = 1,
        ApiCreditsUsed = session.CreditsUsed,
        BaseUri = session.ApiBaseUri.GetLeftPart(UriPartial.Authority),
    };

    /// <summary>The line for a stream that ended.</summary>
    public static SessionLedgerEntry Outcome(KallglotStream stream, DateTimeOffset at) => new()
    {
        Kind = "outcome",
        Id = stream.SessionId,
        At = at,
        State = stream.State.ToString(),
        EndReason = stream.EndReason,
        EventsReceived = stream.EventsReceived,
        FramesSent = stream.FramesSent,
        AudioSecondsSent = Math.Round(stream.AudioBytesSent / 8000.0, 3),
        Reconnects = stream.Reconnects,
        FailureId = stream.Failure?.ErrorId,
    };

    /// <summary>Appends <paramref name="entry"/> as one line.</summary>
    /// <exception cref="KallglotException">The ledger could not be written (<c>ledger_unwritable</c>).</exception>
    public void Append(SessionLedgerEntry entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        var deadline = DateTime.UtcNow + LockWait;
        lock (Gate)
        {
            while (true)
            {
                try
                {
                    if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder)
                    {
                        Directory.CreateDirectory(folder);
                    }
                    // Writers take turns on a lock file beside the ledger; readers (Get-Content -Wait, say)
                    // hold the ledger itself without stopping anyone. One write call puts the line down whole.
                    using var turn = new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    using var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    EndCutLastLine(file);
                    file.Write(line);
                    return;
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(Random.Shared.Next(1, 5));
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
                {
                    throw new KallglotException("ledger_unwritable", KallglotErrorKind.FileWrite,
                        $"The session ledger '{Path}' could not be written ({exception.Message}); session {entry.Id} is not recorded in it. Set another with Connect-Kallglot -LedgerPath, or turn it off with -NoLedger.", exception);
                }
            }
        }
    }

    /// <summary>
    /// Puts the file's end after a line a writer could not finish (a full disk, a killed process): the next line starts on a
    /// line of its own instead of being glued to the fragment, and only the fragment is damaged.
    /// </summary>
    private static void EndCutLastLine(FileStream file)
    {
        if (file.Length > 0)
        {
            file.Seek(-1, SeekOrigin.End);
            var last = file.ReadByte();
            if (last != '\n')
            {
                file.WriteByte((byte)'\n');
            }
        }
        file.Seek(0, SeekOrigin.End);
    }

    /// <summary>
    /// Every session in the ledger, in the order created, each with its outcome once known. A damaged
    /// line is skipped and reported through <paramref name="damaged"/> with its line number.
    /// </summary>
    public IReadOnlyList<KallglotSessionRecord> Read(Action<long, string>? damaged = null)
    {
        var records = new Dictionary<string, KallglotSessionRecord>(StringComparer.Ordinal);
        var order = new List<KallglotSessionRecord>();
        if (!File.Exists(Path))
        {
            return order;
        }
        using var file = OpenForReading();
        using var reader = new StreamReader(file, Encoding.UTF8);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var document = JsonDocument.Parse(line);
                Apply(document.RootElement, records, order);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                damaged?.Invoke(number, exception.Message);
            }
        }
        return order;
    }

    private FileStream OpenForReading()
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                return new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(Path))
            {
                // A writer holds it for one line: a moment.
                Thread.Sleep(Random.Shared.Next(1, 5));
            }
        }
    }

    private static void Apply(JsonElement line, Dictionary<string, KallglotSessionRecord> records, List<KallglotSessionRecord> order)
    {
        var kind = line.GetProperty("kind").GetString();
        if (kind is not ("created" or "outcome"))
        {
            // A kind of line a later version writes: this version knows nothing of it, and it changes nothing of what it knows.
            return;
        }
        var id = line.GetProperty("id").GetString() ?? throw new FormatException("The line has no session id.");
        var at = line.GetProperty("at").GetDateTimeOffset();
        if (!records.TryGetValue(id, out var record))
        {
            record = new KallglotSessionRecord { Id = id, CreatedAt = at };
            records[id] = record;
            order.Add(record);
        }
        if (kind == "outcome")
        {
            record.EndedAt = at;
            record.Status = String(line, "state") ?? "Ended";
            record.EndReason = String(line, "end_reason");
            record.EventsReceived = Long(line, "events_received");
            record.FramesSent = Long(line, "frames_sent");
            record.AudioSecondsSent = line.TryGetProperty("audio_seconds_sent", out var seconds) && seconds.ValueKind == JsonValueKind.Number ? seconds.GetDouble() : null;
            record.Reconnects = (int?)Long(line, "reconnects");
            record.FailureId = String(line, "failure_id");
            return;
        }
        record.CreatedAt = at;
        record.Routing = line.TryGetProperty("routing", out var routing) && routing.ValueKind == JsonValueKind.Object
            ? (IReadOnlyDictionary<string, object?>)JsonValueConverter.ToPlain(routing)!
            : new Dictionary<string, object?>();
        record.SourceLanguage = String(line, "source_language");
        record.TargetLanguage = String(line, "target_language");
        record.Provider = String(line, "provider");
        record.CreditsRemaining = Long(line, "credits_remaining");
        record.CreditsUsed = Long(line, "credits") ?? 1;
        record.ApiCreditsUsed = Long(line, "api_credits_used");
        record.BaseUri = String(line, "base_uri");
    }

    private static string? String(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
