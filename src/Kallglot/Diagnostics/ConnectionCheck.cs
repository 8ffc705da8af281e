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
/// translation, close. Each step is timed; a failure is recorded, not thrown.
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
            await NextAsync<SessionReadyEvent>(stream, deadline.Token).ConfigureAwait(false);
            result.StreamReady = watch.Elapsed;

            step = "play audio and receive a final transcript";
            // The background send owns the reader and closes it once it has stopped, never under a frame being read.
            var reader = MuLawFrameReader.Open(audioPath);
            watch.Restart();
            var send = stream.StartBackgroundSend(reader, "caller", paced: true);
            var final = await NextAsync<TranscriptFinalEvent>(stream, deadline.Token).ConfigureAwait(false);
            result.RoundTrip = watch.Elapsed;
            result.Transcript = final.Text;
            // A final's translation is optional (words already in the target language have none): a later final may carry one.
            step = TranslationStep;
            while (final.Translation is null)
            {
                final = await NextAsync<TranscriptFinalEvent>(stream, deadline.Token).ConfigureAwait(false);
                result.Transcript = final.Text;
            }
            result.Translation = final.TranslationText;
            send.Cancel();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && step == TranslationStep)
        {
            result.FailureId = "translation_missing";
            result.Failure = $"Final transcripts came, but none with a translation within {timeout.TotalSeconds:0} s.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.FailureId = "check_timeout";
            result.Failure = $"Could not {step} within {timeout.TotalSeconds:0} s.";
        }
        catch (KallglotException exception)
        {
            result.FailureId = exception.ErrorId;
            result.Failure = $"Could not {step}: {exception.Message}";
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

    private static async Task<T> NextAsync<T>(KallglotStream stream, CancellationToken cancellationToken) where T : KallglotEvent
    {
        while (await stream.WaitForEventAsync(cancellationToken).ConfigureAwait(false))
        {
            while (stream.TryReadEvent(out var streamEvent))
            {
                if (streamEvent is T match)
                {
                    return match;
                }
            }
        }
        throw new KallglotStreamException("stream_ended", KallglotErrorKind.Connection, $"The stream ended ({stream.State}) before a {typeof(T).Name} arrived.");
    }
}
