using System.Diagnostics;
using Kallglot.Audio;
using Kallglot.Credits;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.Sessions;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Diagnostics;

/// <summary>
/// An end-to-end check of the API, for operational tests: create a session (one credit), open its
/// stream, wait for session.ready, play a recording, wait for the first final transcript with its
/// translation, close. Each step is timed; a failure is recorded, not thrown, with the error events
/// the stream carried meanwhile. A server that sends no session.ready, or sends it only once audio
/// comes, is waited for as a send waits (<see cref="KallglotStreamOptions.SessionReadyWait"/>) and then
/// played to: the check passes on its transcripts, and says so among its warnings.
/// </summary>
public static class ConnectionCheck
{
    /// <summary>Runs the check: a session for <paramref name="request"/>, then <paramref name="audioPath"/> (a WAV of speech) as the caller.</summary>
    public static Task<ConnectionCheckResult> RunAsync(KallglotClient client, CreateSessionRequest request, string audioPath, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        RunAsync(client, request, audioPath, timeout, ledger: null, cancellationToken);

    private const string TranslationStep = "receive a translated final transcript";

    /// <summary>
    /// Runs the check and records its session in <paramref name="ledger"/> as any other: created, then how its stream ended.
    /// A line the ledger could not take is one of the result's <see cref="ConnectionCheckResult.Warnings"/>, not a failure of the check.
    /// </summary>
    public static async Task<ConnectionCheckResult> RunAsync(KallglotClient client, CreateSessionRequest request, string audioPath, TimeSpan timeout, SessionLedger? ledger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var result = new ConnectionCheckResult { BaseUri = client.BaseUri };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        KallglotStream? stream = null;
        var step = "create a session";
        try
        {
            var watch = Stopwatch.StartNew();
            var session = await client.CreateSessionAsync(request, deadline.Token).ConfigureAwait(false);
            result.SessionCreated = watch.Elapsed;
            result.SessionId = session.Id;
            result.CreditsRemaining = session.CreditsRemaining;
            result.CreditsUsed = session.CreditsUsed;
            Record(ledger, () => SessionLedger.Created(session, DateTimeOffset.UtcNow), result);

            step = "open the stream";
            watch.Restart();
            stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { AllowInsecureConnection = client.Options.AllowInsecureConnection }, deadline.Token).ConfigureAwait(false);
            step = "receive session.ready";
            await stream.WhenReadyForAudioAsync(deadline.Token).ConfigureAwait(false);
            result.StreamReady = stream.ReadyAfter;

            step = "play audio and receive a final transcript";
            // The background send owns the reader and closes it once it has stopped, never under a frame being read.
            var reader = MuLawFrameReader.Open(audioPath);
            watch.Restart();
            var send = stream.StartBackgroundSend(reader, "caller", paced: true);
            var final = await NextAsync<TranscriptFinalEvent>(stream, result, deadline.Token).ConfigureAwait(false);
            result.RoundTrip = watch.Elapsed;
            result.Transcript = final.Text;
            // A final's translation is optional (words already in the target language have none): a later final may carry one.
            step = TranslationStep;
            while (final.Translation is null)
            {
                final = await NextAsync<TranscriptFinalEvent>(stream, result, deadline.Token).ConfigureAwait(false);
                result.Transcript = final.Text;
            }
            result.Translation = final.TranslationText;
            send.Cancel();
            if (result.StreamReady is null)
            {
                result.StreamReady = stream.ReadyAfter;
                result.AddWarning(result.StreamReady is { } late
                    ? $"The server sent session.ready {late.TotalSeconds:0.0} s after the connection began, after the check had stopped waiting for it and started its audio: a server that drops audio before it is ready loses the first of it."
                    : "The server sent no session.ready: the audio was played to it after waiting for one, and its transcripts came.");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && step == TranslationStep)
        {
            result.FailureId = "translation_missing";
            result.Failure = $"Final transcripts came, but none with a translation within {timeout.TotalSeconds:0} s.{result.StreamErrorsSaid}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.FailureId = "check_timeout";
            result.Failure = $"Could not {step} within {timeout.TotalSeconds:0} s.{result.StreamErrorsSaid}";
        }
        catch (KallglotException exception)
        {
            result.FailureId = exception.ErrorId;
            result.Failure = $"Could not {step}: {exception.Message}{result.StreamErrorsSaid}";
            result.CreationRefused = result.SessionId is null && CreditReservation.CostNothing(exception);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.CloseAsync().ConfigureAwait(false);
                Record(ledger, () => SessionLedger.Outcome(stream, DateTimeOffset.UtcNow), result);
            }
        }
        return result;
    }

    private static void Record(SessionLedger? ledger, Func<SessionLedgerEntry> entry, ConnectionCheckResult result)
    {
        try
        {
            ledger?.Append(entry());
        }
        catch (KallglotException exception)
        {
            result.AddWarning(exception.Message);
        }
    }

    // Every event on the way is looked at: an error event is the server's (or the send's) word on why nothing else comes.
    private static async Task<T> NextAsync<T>(KallglotStream stream, ConnectionCheckResult result, CancellationToken cancellationToken) where T : KallglotEvent
    {
        while (await stream.WaitForEventAsync(cancellationToken).ConfigureAwait(false))
        {
            while (stream.TryReadEvent(out var streamEvent))
            {
                if (streamEvent is StreamErrorEvent error)
                {
                    result.AddStreamError(error.ToString());
                }
                if (streamEvent is T match)
                {
                    return match;
                }
            }
        }
        var reason = stream.EndReason is { } ended ? $", session.ended reason '{ended}'" : string.Empty;
        throw new KallglotStreamException("stream_ended", KallglotErrorKind.Connection, $"The stream ended ({stream.State}{reason}) before a {typeof(T).Name} arrived.");
    }
}
