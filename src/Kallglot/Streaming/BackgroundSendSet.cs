using Kallglot.Audio;
using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>
/// The files a stream plays in the background while its events are received. Each stops when the
/// stream closes (cancelled, not failed); a failure is reported through <c>reportFailure</c> so that
/// whoever receives sees it among the events.
/// </summary>
internal sealed class BackgroundSendSet
{
    private readonly List<BackgroundAudioSend> _sends = new();
    private readonly CancellationToken _streamLifetime;
    private readonly Action<string, string> _reportFailure;
    private readonly Func<bool> _streamOver;

    /// <param name="streamLifetime">Cancelled when the stream closes.</param>
    /// <param name="reportFailure">Called with a code and a message when a send fails.</param>
    /// <param name="streamOver">
    /// Whether the stream is no longer live: closed, ended or failed. It says so before <paramref name="streamLifetime"/> is cancelled
    /// (after its close, at once; after session.ended, once the connection has closed): a frame refused in between is a stop too.
    /// </param>
    public BackgroundSendSet(CancellationToken streamLifetime, Action<string, string> reportFailure, Func<bool> streamOver)
    {
        _streamLifetime = streamLifetime;
        _reportFailure = reportFailure;
        _streamOver = streamOver;
    }

    public IReadOnlyList<BackgroundAudioSend> Snapshot
    {
        get
        {
            lock (_sends)
            {
                return _sends.ToArray();
            }
        }
    }

    public bool AnyRunning => Snapshot.Any(send => !send.IsCompleted);

    /// <summary>The sends that had not finished when the stream stopped, in words for its failure message; empty when none.</summary>
    public string DescribeInterrupted()
    {
        var interrupted = Snapshot.Where(send => !send.Completion.IsCompletedSuccessfully).ToList();
        return interrupted.Count == 0
            ? string.Empty
            : " Background audio stopped: " + string.Join("; ", interrupted.Select(send => $"'{Path.GetFileName(send.Path)}' after {send.Progress?.FramesSent ?? 0} frames")) + ".";
    }

    /// <summary>Starts sending <paramref name="reader"/>'s frames to <paramref name="sink"/>; the set owns the reader from here on.</summary>
    public BackgroundAudioSend Start(IAudioFrameSink sink, MuLawFrameReader reader, string speaker, bool paced)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_streamLifetime);
        var send = new BackgroundAudioSend(reader.Path, speaker, cancellation);
        send.Completion = Task.Run(async () =>
        {
            try
            {
                return await AudioSender.SendAsync(sink, reader, speaker, paced, send.Report, cancellation.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when ((cancellation.IsCancellationRequested || _streamOver()) && exception is not OperationCanceledException)
            {
                // The stream closed, ended or failed while it played: a stop, not a failure of the send to report.
                throw new OperationCanceledException("The stream was closed while the file played.", exception, cancellation.Token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var reason = exception is KallglotException known ? known.Message : $"{exception.GetType().Name}: {exception.Message}";
                _reportFailure("audio_send_failed", $"Sending '{Path.GetFileName(reader.Path)}' in the background stopped after {send.Progress?.FramesSent ?? 0} frames: {reason}");
                throw;
            }
            finally
            {
                reader.Dispose();
                cancellation.Dispose();
            }
        });
        // Its failure is reported as an error event and in Status; nobody need await it for the exception to count as seen.
        _ = send.Completion.ContinueWith(static finished => _ = finished.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_sends)
        {
            _sends.Add(send);
        }
        return send;
    }
}
