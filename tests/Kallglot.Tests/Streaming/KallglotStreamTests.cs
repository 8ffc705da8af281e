using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.Sessions;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Streaming;

public sealed class KallglotStreamTests
{
    [Fact]
    public async Task A_flood_of_ten_thousand_events_arrives_complete_and_in_order()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/flood", new { count = 10_000 });
        var events = await stream.UntilAsync(e => e.Type == "emulator.flood_done", TimeSpan.FromSeconds(60));

        var flood = events.Where(e => e.Type.StartsWith("transcript.", StringComparison.Ordinal)).ToList();
        Assert.Equal(10_000, flood.Count);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (long)i), flood.Select(e => (long)e.Raw["flood_index"]!));
        Assert.Equal(5_000, flood.OfType<TranscriptFinalEvent>().Count(f => f.Translation is not null));
        Assert.True(flood.Zip(flood.Skip(1)).All(pair => pair.First.Index < pair.Second.Index));
    }

    [Fact]
    public async Task Unknown_event_types_arrive_as_the_base_class_with_every_field()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"sentiment.update","score":0.75,"speaker":"caller"}""");
        var unknown = await stream.NextAsync();

        Assert.Equal(typeof(KallglotEvent), unknown.GetType());
        Assert.Equal("sentiment.update", unknown.Type);
        Assert.Equal(0.75, unknown.Raw["score"]);
        Assert.Equal(session.Id, unknown.SessionId);
    }

    [Fact]
    public async Task Error_events_arrive_typed_and_the_stream_goes_on()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events",
            """[{"type":"error","code":"translation_unavailable","message":"Translation backend busy"},{"type":"transcript.partial","speaker":"caller","text":"still here"}]""");
        var error = Assert.IsType<StreamErrorEvent>(await stream.NextAsync());
        var after = Assert.IsType<TranscriptPartialEvent>(await stream.NextAsync());

        Assert.Equal("translation_unavailable", error.Code);
        Assert.False(error.FromClient);
        Assert.Equal("still here", after.Text);
        Assert.Equal(KallglotStreamState.Open, stream.State);
    }

    [Fact]
    public async Task Malformed_json_and_binary_frames_become_client_error_events_and_the_stream_goes_on()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/raw", new { text = "{\"type\": \"transcript.final\", oops" });
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/raw", new { text = "binary bytes", binary = true });
        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.partial","text":"fine"}""");

        var malformed = Assert.IsType<StreamErrorEvent>(await stream.NextAsync());
        var binary = Assert.IsType<StreamErrorEvent>(await stream.NextAsync());
        var fine = Assert.IsType<TranscriptPartialEvent>(await stream.NextAsync());
        Assert.Equal("malformed_event", malformed.Code);
        Assert.True(malformed.FromClient);
        Assert.Equal("binary_message", binary.Code);
        Assert.Equal("fine", fine.Text);
    }

    [Fact]
    public async Task Json_events_a_server_sends_in_binary_frames_are_events_like_any_other()
    {
        await using var emulator = await EmulatorScope.StartAsync(options => options.EventsAsBinary = true);
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);

        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.final","speaker":"caller","text":"in bytes"}""");
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/raw", new { text = "not json", binary = true });
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "operator_hangup" });
        var events = await stream.UntilAsync(e => e is SessionEndedEvent);

        Assert.IsType<SessionReadyEvent>(events[0]);
        Assert.Equal("in bytes", Assert.IsType<TranscriptFinalEvent>(events[1]).Text);
        Assert.Equal("binary_message", Assert.IsType<StreamErrorEvent>(events[2]).Code);
        Assert.Equal("operator_hangup", Assert.IsType<SessionEndedEvent>(events[3]).Reason);
        await stream.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(KallglotStreamState.Ended, stream.State);
    }

    [Fact]
    public async Task Session_ended_ends_the_stream_after_every_event_before_it()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);

        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """[{"type":"transcript.partial","text":"a"},{"type":"transcript.partial","text":"b"}]""");
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "operator_hangup" });
        var events = await stream.UntilAsync(e => e is SessionEndedEvent);

        Assert.Equal(["session.ready", "transcript.partial", "transcript.partial", "session.ended"], events.Select(e => e.Type));
        Assert.Equal("operator_hangup", ((SessionEndedEvent)events[^1]).Reason);
        Assert.Equal(KallglotStreamState.Ended, stream.State);
        Assert.False(await stream.WaitForEventAsync());
        var error = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.SendAudioAsync(new byte[160], "caller").AsTask());
        Assert.Equal("stream_closed", error.ErrorId);
    }

    [Fact]
    public async Task A_new_stream_on_a_session_whose_stream_was_lost_goes_on_from_its_last_sequence_number_and_the_server_takes_its_frames()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var lost = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { MaxReconnectAttempts = 0 });
        await lost.SendAudioAsync(new byte[160], "caller");
        await lost.SendAudioAsync(new byte[160], "caller");
        await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == 2);
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        await lost.Completion.WaitAsync(TimeSpan.FromSeconds(15));

        // As the lost stream's error advises: the same session, connected again while its token is valid.
        await using var again = await KallglotStream.ConnectAsync(session);
        var third = await again.SendAudioAsync(new byte[160], "caller");
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == 3);

        Assert.Equal(KallglotStreamState.Failed, lost.State);
        Assert.Equal(3, third);
        Assert.Equal(3, stats.GetProperty("lastSequence").GetInt64());
        Assert.Equal(0, stats.GetProperty("errorsSent").GetInt64());
    }

    [Fact]
    public async Task A_dropped_connection_is_reopened_while_the_token_is_valid_and_sequence_keeps_increasing()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        await stream.SendAudioAsync(new byte[160], "caller");
        await stream.SendAudioAsync(new byte[160], "caller");
        // A sent frame is only in the socket's buffer: dropped before the server read it, it would be lost with the connection.
        await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == 2);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        await stream.NextOfTypeAsync<SessionReadyEvent>(TimeSpan.FromSeconds(15));
        var third = await stream.SendAudioAsync(new byte[160], "caller");
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() == 3);

        Assert.Equal(1, stream.Reconnects);
        Assert.Equal(KallglotStreamState.Open, stream.State);
        Assert.Equal(3, third);
        Assert.Equal(3, stats.GetProperty("lastSequence").GetInt64());
        Assert.Equal(0, stats.GetProperty("errorsSent").GetInt64());
    }

    [Fact]
    public async Task An_expired_token_fails_fast_without_contacting_the_server()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await EmulatorScope.StartAsync(o => o.TimeProvider = clock);
        var session = await emulator.ClientOnClock(clock).CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100"));
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<KallglotStreamException>(() => KallglotStream.ConnectAsync(session, new KallglotStreamOptions { TimeProvider = clock }));
        var stats = await emulator.SessionStatsAsync(session.Id);

        Assert.Equal("stream_token_expired", error.ErrorId);
        Assert.Contains("(1 s ago)", error.Message);
        Assert.Contains("New-KallglotSession", error.Message);
        Assert.Equal(0, stats.GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task A_drop_after_the_token_expired_ends_the_stream_with_an_error_that_counts_the_events()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The emulator's idle watch runs on the same clock: an hour keeps it out of the way.
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.IdleTimeout = TimeSpan.FromHours(1);
        });
        var session = await emulator.ClientOnClock(clock).CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100"));
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { TimeProvider = clock });
        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.partial","text":"before the drop"}""");
        await stream.NextOfTypeAsync<TranscriptPartialEvent>();
        // Past the token's 5 minutes: the open stream goes on, as the API says, but could not be reopened.
        clock.Advance(TimeSpan.FromMinutes(6));

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (await stream.WaitForEventAsync(deadline.Token))
            {
                stream.TryReadEvent(out _);
            }
        });

        Assert.Equal("stream_lost", failure.ErrorId);
        Assert.Contains("2 events", failure.Message);
        Assert.Contains("create a new session", failure.Message);
        Assert.Equal(KallglotStreamState.Failed, stream.State);
        Assert.Equal(1, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task The_emulator_refuses_a_connection_once_its_clock_passes_the_token_expiry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await EmulatorScope.StartAsync(o => o.TimeProvider = clock);
        var session = await emulator.ClientOnClock(clock).CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100"));
        clock.Advance(TimeSpan.FromMinutes(5));

        // The client's own clock says the token is still good: the server's refusal is what it meets.
        var error = await Assert.ThrowsAsync<KallglotStreamException>(() => KallglotStream.ConnectAsync(session));

        Assert.Equal("stream_unauthorized", error.ErrorId);
    }

    private static Task<EmulatorScope> StartIdlingAfterAMinuteAsync(FakeTimeProvider clock) => EmulatorScope.StartAsync(o =>
    {
        o.TimeProvider = clock;
        o.IdleTimeout = TimeSpan.FromSeconds(60);
    });

    private static async Task<KallglotStream> ConnectedPastReadyAsync(EmulatorScope emulator)
    {
        var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        return stream;
    }

    [Fact]
    public async Task A_session_nobody_uses_ends_with_idle_timeout_when_the_emulators_clock_says_so()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await StartIdlingAfterAMinuteAsync(clock);
        await using var stream = await ConnectedPastReadyAsync(emulator);
        Assert.Equal(0, stream.EventsPending);

        clock.Advance(TimeSpan.FromSeconds(59));
        // The check at 59 s has run and kept the session; a session ended early never gets here.
        await emulator.WaitForSessionAsync(stream.SessionId, s => s.GetProperty("idleChecksKept").GetInt64() >= 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        var ended = await stream.NextOfTypeAsync<SessionEndedEvent>();

        Assert.Equal("idle_timeout", ended.Reason);
    }

    [Fact]
    public async Task Audio_that_stops_in_mid_utterance_still_gets_its_final_and_the_session_then_idles_out()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await StartIdlingAfterAMinuteAsync(clock);
        await using var stream = await ConnectedPastReadyAsync(emulator);

        // Speech to the last frame: no trailing silence ever ends the utterance.
        var speech = ToneFrames.Utterance(TimeSpan.FromSeconds(0.8), TimeSpan.Zero).ToArray();
        foreach (var frame in speech)
        {
            await stream.SendAudioAsync(frame, "caller");
        }
        await stream.NextOfTypeAsync<TranscriptPartialEvent>();
        // Every frame read before the emulator's time moves: one read after the clock ran ahead would begin a second utterance.
        await emulator.WaitForSessionAsync(stream.SessionId, s => s.GetProperty("framesReceived").GetInt64() == speech.Length);
        using var stopClock = new CancellationTokenSource();
        var advancing = Task.Run(async () =>
        {
            // A second of the emulator's time every 10 ms: its idle checks run on the ticks that follow.
            while (!stopClock.IsCancellationRequested)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(10);
            }
        });
        List<KallglotEvent> events;
        try
        {
            events = await stream.UntilAsync(e => e is SessionEndedEvent, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stopClock.CancelAsync();
            await advancing;
        }

        var final = Assert.Single(events.OfType<TranscriptFinalEvent>());
        Assert.Equal("caller", final.Speaker);
        Assert.Equal("idle_timeout", Assert.IsType<SessionEndedEvent>(events[^1]).Reason);
    }

    [Fact]
    public async Task Long_frames_a_second_apart_are_one_utterance_not_cut_at_each_gap_between_them()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await StartIdlingAfterAMinuteAsync(clock);
        await using var stream = await ConnectedPastReadyAsync(emulator);
        var speech = ToneFrames.Utterance(TimeSpan.FromSeconds(2), TimeSpan.Zero).ToArray();
        var silence = ToneFrames.Utterance(TimeSpan.Zero, TimeSpan.FromSeconds(1)).SelectMany(frame => frame).ToArray();

        // Two frames of a second each, sent a second apart by the emulator's clock: a gap between frames is not silence.
        await stream.SendAudioAsync(speech[..50].SelectMany(frame => frame).ToArray(), "caller");
        // The emulator has heard the first frame once it sends a partial of it; only then does its clock move on.
        await stream.NextOfTypeAsync<TranscriptPartialEvent>();
        clock.Advance(TimeSpan.FromSeconds(1));
        // The emulator's idle check on the tick just passed has run: a wrong cut would have made a final of the first frame by now.
        await emulator.WaitForSessionAsync(stream.SessionId, s => s.GetProperty("idleChecksKept").GetInt64() >= 1);
        await stream.SendAudioAsync(speech[50..].SelectMany(frame => frame).ToArray(), "caller");
        await stream.SendAudioAsync(silence, "caller");
        var final = await stream.NextOfTypeAsync<TranscriptFinalEvent>();

        Assert.True(final.End - final.Start >= TimeSpan.FromSeconds(1.9), $"the first final covered {final.Start} to {final.End}, not both frames");
    }

    [Fact]
    public async Task A_token_the_server_refuses_gives_stream_unauthorized()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var real = await emulator.CreateSessionAsync();
        var forged = new KallglotSession(real.Id, new Uri($"ws://{emulator.BaseUri.Authority}/v1/sessions/{real.Id}/connect?token=forged"),
            new Kallglot.Security.KallglotSecret("forged"), emulator.BaseUri) { TokenExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5) };

        var error = await Assert.ThrowsAsync<KallglotStreamException>(() => KallglotStream.ConnectAsync(forged));

        Assert.Equal("stream_unauthorized", error.ErrorId);
        Assert.Equal(KallglotErrorKind.Authentication, error.Kind);
        Assert.DoesNotContain("token=forged", error.Message);
    }

    [Fact]
    public async Task Invalid_frames_get_error_events_from_the_server_and_the_stream_goes_on()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await stream.SendAudioAsync(new byte[160], "caller");
        await stream.SendJsonAsync("""{"type":"audio.input","sequence":1,"timestamp_ms":0,"speaker":"caller","audio":{"encoding":"mulaw","sample_rate_hz":8000,"payload":"AAAA"}}""");
        await stream.SendJsonAsync("""{"type":"audio.input","sequence":5,"timestamp_ms":0,"speaker":"caller","audio":{"encoding":"pcm16","sample_rate_hz":8000,"payload":"AAAA"}}""");
        await stream.SendJsonAsync("""{"type":"audio.input","sequence":6,"timestamp_ms":0,"speaker":"caller","audio":{"encoding":"mulaw","sample_rate_hz":8000,"payload":"***"}}""");

        var codes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add((await stream.NextOfTypeAsync<StreamErrorEvent>()).Code);
        }

        Assert.Equal(["invalid_sequence", "unsupported_encoding", "invalid_payload"], codes);
        Assert.Equal(KallglotStreamState.Open, stream.State);
    }

    [Fact]
    public async Task Spoken_audio_round_trips_into_partials_a_final_with_translation_and_translated_audio()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);

        foreach (var frame in ToneFrames.Utterance(TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(0.6)))
        {
            await stream.SendAudioAsync(frame, "caller");
        }
        var events = await stream.UntilAsync(e => e is AudioOutputEvent, TimeSpan.FromSeconds(15));
        var final = events.OfType<TranscriptFinalEvent>().Single();

        Assert.Contains(events, e => e is TranscriptPartialEvent { Speaker: "caller" });
        Assert.True(events.IndexOf(events.OfType<TranscriptPartialEvent>().First()) < events.IndexOf(final));
        Assert.Equal("caller", final.Speaker);
        Assert.False(string.IsNullOrEmpty(final.Text));
        Assert.False(string.IsNullOrEmpty(final.TranslationText));
        Assert.Equal(160, events.OfType<AudioOutputEvent>().First().Payload.Length);
    }

    [Fact]
    public async Task Recording_writes_every_frame_in_and_out_as_json_lines_without_the_token()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kallglot-record-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var emulator = await EmulatorScope.StartAsync();
            var (session, stream) = await ConnectRecordingToAsync(emulator, path);
            // Silence (0xFF in mu-law; 0x00 is the loudest sample): a frame of speech may be heard and answered with a partial of the emulator's own.
            await stream.SendAudioAsync(Enumerable.Repeat((byte)0xFF, 160).ToArray(), "agent");
            await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.partial","text":"recorded"}""");
            await stream.NextOfTypeAsync<TranscriptPartialEvent>();

            // As Get-Content and Import-KallglotRecording read it: sharing the file with the recorder still writing it, which Windows enforces.
            var lines = ReadLinesSharedWithWriter(path);
            await stream.CloseAsync();

            var records = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.True(3 == records.Count, string.Join('\n', lines));
            Assert.Equal(["in", "out", "in"], records.Select(r => r.GetProperty("direction").GetString()));
            Assert.Equal("audio.input", records[1].GetProperty("frame").GetProperty("type").GetString());
            Assert.DoesNotContain(session.StreamToken!.Reveal(), string.Join('\n', lines));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [LinuxFact]
    public async Task A_recording_is_let_go_when_the_session_ends_on_its_own_though_the_stream_is_never_disposed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kallglot-record-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var emulator = await EmulatorScope.StartAsync();
            var (session, stream) = await ConnectRecordingToAsync(emulator, path);
            Assert.Equal(1, OpenHandlesOf(path));

            await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "caller_hung_up" });
            await stream.Completion.WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal(KallglotStreamState.Ended, stream.State);
            Assert.Equal(0, OpenHandlesOf(path));
            Assert.Contains("session.ended", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(KallglotSession Session, KallglotStream Stream)> ConnectRecordingToAsync(EmulatorScope emulator, string path)
    {
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { RecordPath = path });
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        return (session, stream);
    }

    private static List<string> ReadLinesSharedWithWriter(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    private static int OpenHandlesOf(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == path;
            }
            catch (IOException)
            {
                // A descriptor closed while the list was read.
                return false;
            }
        });

    [Fact]
    public async Task Closing_ends_the_session_on_the_server_and_refuses_further_sends()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);
        await stream.SendAudioAsync(new byte[160], "caller");

        await stream.CloseAsync();
        var stats = await emulator.WaitForSessionAsync(session.Id, s => !s.GetProperty("connected").GetBoolean());

        Assert.Equal(KallglotStreamState.Closed, stream.State);
        Assert.Equal("ended", stats.GetProperty("status").GetString());
        Assert.Equal("stream_closed", (await Assert.ThrowsAsync<KallglotStreamException>(() => stream.SendAudioAsync(new byte[160], "caller").AsTask())).ErrorId);
    }

    [Theory]
    [InlineData("blank")]
    [InlineData("half a surrogate pair")]
    public async Task A_speaker_label_that_is_blank_or_not_text_is_refused_before_sending(string label)
    {
        // Made here, not in the attribute: the test runner writes a lone surrogate in its data as U+FFFD.
        var speaker = label == "blank" ? " " : "agent " + (char)0xD800;
        await using var emulator = await EmulatorScope.StartAsync();
        await using var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());

        var error = await Assert.ThrowsAsync<KallglotValidationException>(() => stream.SendAudioAsync(new byte[160], speaker).AsTask());

        Assert.Equal("invalid_speaker", error.ErrorId);
        Assert.Equal(0, stream.FramesSent);
    }

    [Fact]
    public async Task A_frame_that_its_socket_takes_at_once_is_sent_without_allocating()
    {
        // Every paced frame of every stream, 50 a second each: what a frame allocates becomes collections, and a collection
        // pauses the pacer's thread with all the others (docs/performance.md, "Where the late frames came from").
        await using var emulator = await EmulatorScope.StartAsync();
        await using var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        var frame = new byte[160];
        // The first frames make what is kept for the stream's life: the frame writer's buffer, the socket's own.
        for (var i = 0; i < 20; i++)
        {
            await stream.SendAudioAsync(frame, "caller");
        }

        long allocated = 0;
        var takenAtOnce = 0;
        for (var i = 0; i < 200; i++)
        {
            // Counted on this thread, and only for sends that ended before returning: one that waits resumes elsewhere.
            var before = GC.GetAllocatedBytesForCurrentThread();
            var send = stream.SendAudioAsync(frame, "caller");
            var after = GC.GetAllocatedBytesForCurrentThread();
            if (send.IsCompletedSuccessfully)
            {
                allocated += after - before;
                takenAtOnce++;
            }
            await send;
        }

        Assert.True(takenAtOnce >= 100, $"only {takenAtOnce} of 200 frames were taken by the socket at once");
        // Less than the smallest object per frame: the send itself makes nothing (before: two Task<long> and a Task<WebSocket>).
        Assert.True(allocated < takenAtOnce * 24L, $"{allocated} bytes allocated over {takenAtOnce} frames");
        Assert.Equal(220, stream.FramesSent);
    }
}
