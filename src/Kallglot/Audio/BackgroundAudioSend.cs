namespace Kallglot.Audio;

/// <summary>A file being sent in the background of a stream, so that events can be received while it plays.</summary>
public sealed class BackgroundAudioSend
{
    private readonly CancellationTokenSource _cancellation;
    private AudioSendProgress? _progress;

    internal BackgroundAudioSend(string path, string speaker, CancellationTokenSource cancellation)
    {
        Path = path;
        Speaker = speaker;
        _cancellation = cancellation;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The speaker label.</summary>
    public string Speaker { get; }

    /// <summary>The latest progress report.</summary>
    public AudioSendProgress? Progress => Volatile.Read(ref _progress);

    /// <summary>Completes with the result when the whole file has been sent; faults with the error that stopped it.</summary>
    public Task<AudioSendResult> Completion { get; internal set; } = null!;

    /// <summary>True once it has ended, sent or not.</summary>
    public bool IsCompleted => Completion.IsCompleted;

    /// <summary>Playing until it ends; then sent, failed or cancelled.</summary>
    public BackgroundSendStatus Status => Completion switch
    {
        { IsCompletedSuccessfully: true } => BackgroundSendStatus.Sent,
        { IsFaulted: true } => BackgroundSendStatus.Failed,
        { IsCanceled: true } => BackgroundSendStatus.Cancelled,
        _ => BackgroundSendStatus.Playing,
    };

    /// <summary>
    /// What was sent, once the whole file has been (frames, timing and, when paced, each frame's deviation from its schedule
    /// in <see cref="AudioSendResult.Pacing"/>); null while it plays, and when it failed or was stopped. A property rather than
    /// <see cref="Completion"/>'s result, so that a script reads it without touching the task.
    /// </summary>
    public AudioSendResult? Result => Completion is { IsCompletedSuccessfully: true } completion ? completion.Result : null;

    /// <summary>Stops sending.</summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished: nothing left to stop.
        }
    }

    internal void Report(AudioSendProgress progress) => Volatile.Write(ref _progress, progress);

    /// <inheritdoc />
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)} as {Speaker}: {(Status == BackgroundSendStatus.Playing ? $"{Progress?.Percent ?? 0}%" : Status.ToString().ToLowerInvariant())}";
}
