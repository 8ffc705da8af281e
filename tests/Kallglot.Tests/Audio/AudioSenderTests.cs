using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Pacing;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;
using NAudio.Wave;

namespace Kallglot.Tests.Audio;

public sealed class AudioSenderTests : IDisposable
{
    private readonly TestWaves _waves = new();

    public void Dispose() => _waves.Dispose();

    [Fact]
    public async Task Pacing_against_an_absolute_clock_keeps_every_frame_within_5_ms_over_10_s_however_late_each_wait_wakes()
    {
        var sink = new RecordingFrameSink();
        var path = _waves.Tone("ten-seconds.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(10));
        using var reader = MuLawFrameReader.Open(path);
        var lateness = new List<TimeSpan>();

        var result = await AudioSender.SendAsync(sink, reader, "caller", paced: true,
            clock: new OversleepingClock(TimeSpan.FromMilliseconds(3), seed: 42), lateness: lateness.Add);

        Assert.Equal(500, lateness.Count);
        Assert.All(lateness, late => Assert.InRange(late, TimeSpan.Zero, TimeSpan.FromMilliseconds(5)));
        // Relative sleeps would have drifted by the sum of 500 oversleeps (about 750 ms); the schedule holds instead.
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(9980), TimeSpan.FromMilliseconds(9985));
        Assert.True(result.MaxLateness <= TimeSpan.FromMilliseconds(3));
        Assert.Equal(500, result.Pacing!.Frames);
        Assert.Equal(lateness.Max().TotalMilliseconds, result.Pacing.Max.TotalMilliseconds, 3);
        Assert.InRange(result.Pacing.P99, result.Pacing.P50, TimeSpan.FromMilliseconds(3.05));
    }

    [Fact]
    public async Task Any_frame_sink_gets_every_frame_in_order_with_its_speaker_no_stream_needed()
    {
        var sink = new RecordingFrameSink();
        var path = _waves.Tone("half-second.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(0.5));
        using var reader = MuLawFrameReader.Open(path);

        var result = await AudioSender.SendAsync(sink, reader, "agent", paced: false);

        Assert.Equal(25, sink.Frames.Count);
        Assert.All(sink.Frames, frame => Assert.Equal((160, "agent"), (frame.Payload.Length, frame.Speaker)));
        Assert.Equal((1, 25), (result.FirstSequence, result.LastSequence));
        Assert.Equal("sess_sink", result.SessionId);
        Assert.Null(result.Pacing);
    }

    [Fact]
    public async Task The_emulator_receives_the_frames_and_bytes_the_duration_implies()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        var path = _waves.Tone("two-and-a-bit.wav", new WaveFormat(16000, 16, 2), 440, TimeSpan.FromSeconds(2.01));
        using var reader = MuLawFrameReader.Open(path);

        var result = await AudioSender.SendAsync(stream, reader, "agent", paced: false);
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == result.Frames);

        Assert.Equal(101, result.Frames);
        Assert.Equal(101 * 160, result.Bytes);
        Assert.Equal(101 * 160, stats.GetProperty("audioBytesReceived").GetInt64());
        Assert.Equal(result.LastSequence, stats.GetProperty("lastSequence").GetInt64());
        Assert.Equal(0, stats.GetProperty("errorsSent").GetInt64());
        Assert.Equal(TimeSpan.FromMilliseconds(2020), result.AudioDuration);
    }

    [Fact]
    public async Task A_background_send_plays_while_events_are_read_and_its_result_is_kept()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        await using var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        var path = _waves.PathFor("utterance.ulaw");
        File.WriteAllBytes(path, ToneFrames.Utterance(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.6)).SelectMany(f => f).ToArray());

        var send = stream.StartBackgroundSend(MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw), "caller", paced: false);
        var final = await stream.NextOfTypeAsync<Kallglot.Streaming.Events.TranscriptFinalEvent>(TimeSpan.FromSeconds(15));
        var result = await send.Completion;

        Assert.Equal("caller", final.Speaker);
        Assert.Equal(80, result.Frames);
        Assert.Same(send, Assert.Single(stream.BackgroundSends));
        Assert.Equal(BackgroundSendStatus.Sent, send.Status);
        Assert.Same(result, send.Result);
        Assert.Equal(100, send.Progress!.Percent);
    }

    [Fact]
    public async Task Cancelling_a_background_send_whose_frame_waits_on_a_full_socket_keeps_the_connection_and_every_frame_sent_arrives()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<Kallglot.Streaming.Events.SessionReadyEvent>();
        var path = _waves.PathFor("twenty-minutes.ulaw");
        // Twenty minutes of silence sent unpaced: far more than a loopback connection's buffers hold while the server reads nothing.
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0xFF, 8000 * 60 * 20).ToArray());
        // The server reads nothing until the test says so.
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/stall", new { milliseconds = 120_000 });

        var send = stream.StartBackgroundSend(MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw), "caller", paced: false);
        await UntilFramesStopLeaving(stream);
        send.Cancel();
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/stall", new { milliseconds = 0 });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.Completion);
        var sent = stream.FramesSent;
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == sent, TimeSpan.FromSeconds(30));

        Assert.Equal(0, stream.Reconnects);
        Assert.Equal(KallglotStreamState.Open, stream.State);
        Assert.Equal(1, stats.GetProperty("handshakes").GetInt64());
        Assert.Equal(0, stream.FramesNotSent);
    }

    // The socket is full once no frame has left for a second while the file has far more: the server has stopped reading.
    private static async Task UntilFramesStopLeaving(KallglotStream stream)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = -1L;
        while (stream.FramesSent == 0 || stream.FramesSent != last)
        {
            Assert.True(DateTime.UtcNow < deadline, "the frames kept leaving while the server read nothing");
            last = stream.FramesSent;
            await Task.Delay(1000);
        }
    }

    [Fact]
    public async Task A_background_send_that_fails_while_the_stream_lives_on_surfaces_as_an_error_event()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        // Reopening takes 2 s while a frame waits at most 100 ms for it: the send fails, the stream survives.
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions
        {
            ReconnectDelay = TimeSpan.FromSeconds(2),
            SendReconnectWait = TimeSpan.FromMilliseconds(100),
        });
        var path = _waves.Tone("long.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(30));

        var send = stream.StartBackgroundSend(MuLawFrameReader.Open(path), "caller", paced: true);
        await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() >= 3);
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        var error = await stream.NextOfTypeAsync<Kallglot.Streaming.Events.StreamErrorEvent>(TimeSpan.FromSeconds(15));

        Assert.Equal("audio_send_failed", error.Code);
        Assert.True(error.FromClient);
        Assert.Contains("long.wav", error.Message);
        Assert.Contains("frame_not_sent", (await Assert.ThrowsAsync<KallglotStreamException>(() => send.Completion)).ErrorId);
        Assert.Equal(1, stream.FramesNotSent);
        Assert.Equal(BackgroundSendStatus.Failed, send.Status);
        Assert.Null(send.Result);
    }

    [Fact]
    public async Task A_stream_that_fails_under_a_background_send_names_the_send_in_its_failure()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { MaxReconnectAttempts = 0 });
        var path = _waves.Tone("long.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(30));

        stream.StartBackgroundSend(MuLawFrameReader.Open(path), "caller", paced: true);
        await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() >= 3);
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(async () =>
        {
            while (await stream.WaitForEventAsync())
            {
                stream.TryReadEvent(out _);
            }
        });

        Assert.Equal("stream_lost", failure.ErrorId);
        Assert.Contains("'long.wav' after", failure.Message);
    }

    [Fact]
    public async Task Closing_a_stream_stops_its_connection_and_its_background_send()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        var path = _waves.Tone("long.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(30));
        var send = stream.StartBackgroundSend(MuLawFrameReader.Open(path), "caller", paced: true);
        Assert.True(stream.HasActiveWork);

        await stream.CloseAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.Completion).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(stream.HasActiveWork);
        Assert.True(send.Completion.IsCanceled);
        Assert.Equal(BackgroundSendStatus.Cancelled, send.Status);
        Assert.Null(send.Result);
    }

    [Fact]
    public async Task A_paced_send_whose_frame_fails_finishes_off_the_pacer_thread()
    {
        // Whatever handles the failure (a background send's report, a caller's await) would otherwise run on the one thread
        // every stream's frames leave from, and hold them all back.
        using var pacer = new FramePacer("failing-send pacer");
        // Half a second in: the continuation below is attached long before, even on a loaded machine.
        var sink = new RecordingFrameSink { FailAt = (25, new InvalidOperationException("the socket broke")) };
        using var reader = MuLawFrameReader.Open(_waves.Tone("second.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(1)));

        var send = AudioSender.SendAsync(sink, reader, "caller", paced: true, clock: PacingClock.On(pacer));
        var finishedOn = await send.ContinueWith(_ => Thread.CurrentThread.Name, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("the socket broke", (await Assert.ThrowsAsync<InvalidOperationException>(() => send)).Message);
        Assert.Equal(24, sink.Frames.Count);
        Assert.NotEqual("failing-send pacer", finishedOn);
    }

    [Fact]
    public async Task A_background_send_whose_session_the_server_ends_is_cancelled_and_reports_no_failure()
    {
        // The server holds the connection half a second after session.ended: the frames due meanwhile are refused, and are a stop.
        await using var emulator = await EmulatorScope.StartAsync(o => o.CloseAfterSessionEnded = TimeSpan.FromMilliseconds(500));
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        var send = stream.StartBackgroundSend(MuLawFrameReader.Open(_waves.Tone("hung-up.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(30))), "caller", paced: true);
        await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() >= 5);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "operator_hangup" });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.Completion).WaitAsync(TimeSpan.FromSeconds(10));
        await stream.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var events = new List<KallglotEvent>();
        while (stream.TryReadEvent(out var streamEvent))
        {
            events.Add(streamEvent);
        }

        Assert.Equal(BackgroundSendStatus.Cancelled, send.Status);
        Assert.Equal(KallglotStreamState.Ended, stream.State);
        Assert.DoesNotContain(events, e => e is StreamErrorEvent);
    }

    [Fact]
    public async Task A_background_frame_refused_because_the_stream_was_just_closed_is_a_stop_not_a_failure()
    {
        // The stream says it is closed a moment before it cancels its sends: a frame refused in that moment is the user's close.
        var reported = new List<string>();
        var sends = new BackgroundSendSet(CancellationToken.None, (code, _) => reported.Add(code), streamOver: () => true);
        var sink = new RecordingFrameSink { FailAt = (2, StreamFailures.CannotSend("the stream of session sess_sink was closed", "Open it again.", 0)) };
        var reader = MuLawFrameReader.Open(_waves.Tone("closed.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(0.1)));

        var send = sends.Start(sink, reader, "caller", paced: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.Completion).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(BackgroundSendStatus.Cancelled, send.Status);
        Assert.Empty(reported);
    }

    [Fact]
    public async Task A_background_frame_refused_on_a_stream_still_live_is_reported_as_a_failure()
    {
        var reported = new List<string>();
        var sends = new BackgroundSendSet(CancellationToken.None, (code, _) => reported.Add(code), streamOver: () => false);
        var sink = new RecordingFrameSink { FailAt = (2, StreamFailures.CannotSend("session sess_sink has ended (operator_hangup)", "Create a new session.", 0)) };
        var reader = MuLawFrameReader.Open(_waves.Tone("ended.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(0.1)));

        var send = sends.Start(sink, reader, "caller", paced: false);
        await Assert.ThrowsAsync<KallglotStreamException>(() => send.Completion).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(BackgroundSendStatus.Failed, send.Status);
        Assert.Equal(["audio_send_failed"], reported);
    }
}
