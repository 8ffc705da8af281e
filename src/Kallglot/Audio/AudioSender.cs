using System.Diagnostics;
using Kallglot.Pacing;

namespace Kallglot.Audio;

/// <summary>
/// Sends a file's frames on a stream, paced like a live call or as fast as possible. Pacing is
/// against an absolute clock (frame n is due at start + n x frame length), so waiting errors never
/// add up into drift over a long file.
/// </summary>
public static class AudioSender
{
    /// <summary>
    /// Sends every frame of <paramref name="reader"/> to <paramref name="stream"/>; <paramref name="progress"/> is called about ten
    /// times a second from the sending thread; <paramref name="lateness"/>, when given, gets each paced
    /// frame's lateness against its schedule (benchmarks and tests).
    /// </summary>
    public static async Task<AudioSendResult> SendAsync(IAudioFrameSink stream, MuLawFrameReader reader, string speaker, bool paced,
        Action<AudioSendProgress>? progress = null, CancellationToken cancellationToken = default, PacingClock? clock = null, Action<TimeSpan>? lateness = null)
    {
        clock ??= PacingClock.System;
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reader);
        var frame = new byte[reader.FrameBytes];
        var frameTicks = reader.FrameDuration.TotalSeconds * Stopwatch.Frequency;
        // A server may drop audio that comes before session.ready: the first frame, and the schedule, wait for it (bounded).
        await stream.WhenReadyForAudioAsync(cancellationToken).ConfigureAwait(false);
        // A paced send starts within one frame, at a phase of its own among the streams of the process.
        var started = paced ? clock.StartOfSchedule((long)frameTicks) : clock.Now;
        var lastProgress = started;
        var progressInterval = Stopwatch.Frequency / 10;
        long frames = 0, bytes = 0, firstSequence = 0, lastSequence = 0, maxLateTicks = 0;
        var deviation = paced ? new PacingDeviation() : null;

        try
        {
            while (reader.ReadFrame(frame))
            {
                if (paced)
                {
                    var due = started + (long)(frames * frameTicks);
                    await clock.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
                    var late = clock.Now - due;
                    maxLateTicks = Math.Max(maxLateTicks, late);
                    var lateBy = TimeSpan.FromSeconds((double)late / Stopwatch.Frequency);
                    deviation!.Add(lateBy);
                    lateness?.Invoke(lateBy);
                }
                lastSequence = await stream.SendAudioAsync(frame, speaker, cancellationToken).ConfigureAwait(false);
                if (frames == 0)
                {
                    firstSequence = lastSequence;
                }
                frames++;
                bytes += frame.Length;
                var now = clock.Now;
                if (progress is not null && now - lastProgress >= progressInterval)
                {
                    lastProgress = now;
                    progress(new AudioSendProgress(frames, reader.TotalFrames, frames * reader.FrameDuration, reader.Duration, Stopwatch.GetElapsedTime(started, now)));
                }
            }
        }
        catch when (paced)
        {
            // A frame that failed, or a cancellation, ends the send on the thread that ran it: the pacer's, or the canceller's.
            // Whatever handles the failure (a background send's report, a caller awaiting) must not run there. To the pool, never to a
            // synchronization context: a first frame can fail on a caller's thread that is blocked waiting for this very send.
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            throw;
        }

        var elapsed = TimeSpan.FromSeconds((double)(clock.Now - started) / Stopwatch.Frequency);
        if (paced)
        {
            // The last frame's continuation ran on the pacer's thread: whatever awaits this send's end must not.
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        // The file is read to its end: the frames sent are its total, whatever the estimate from its header said (a resampled
        // file's can be one off), so a finished send reads 100 % and all of its audio.
        progress?.Invoke(new AudioSendProgress(frames, frames, frames * reader.FrameDuration, frames * reader.FrameDuration, elapsed));
        return new AudioSendResult
        {
            SessionId = stream.SessionId,
            Path = reader.Path,
            SourceFormat = reader.SourceFormat,
            Speaker = speaker,
            Frames = frames,
            Bytes = bytes,
            AudioDuration = frames * reader.FrameDuration,
            Elapsed = elapsed,
            Paced = paced,
            FirstSequence = firstSequence,
            LastSequence = lastSequence,
            MaxLateness = TimeSpan.FromSeconds((double)Math.Max(0, maxLateTicks) / Stopwatch.Frequency),
            Pacing = deviation,
        };
    }
}
