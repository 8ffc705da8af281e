using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kallglot.Audio;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Streaming;

/// <summary>
/// The stream against the ways servers other than the emulator's default behave: each test makes
/// the emulator behave so and counts what the server saw.
/// </summary>
public sealed class ServerBehaviourTests : IDisposable
{
    private readonly TestWaves _waves = new();

    public void Dispose() => _waves.Dispose();

    // A gap long enough to send into on a loaded machine too (0.8-1.2 s, the delay and its jitter), and a send that refuses at
    // once rather than waiting for the connection to reopen.
    private static KallglotStreamOptions ReopensSlowlyAndSendsOnlyWhenOpen() => new()
    {
        ReconnectDelay = TimeSpan.FromSeconds(1),
        SendReconnectWait = TimeSpan.Zero,
    };

    [Fact]
    public async Task A_server_that_closes_at_once_after_session_ended_and_accepts_reconnects_sees_one_connection()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.AcceptEndedSessions = true);
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "operator_hangup" });
        var events = await stream.UntilAsync(e => e is SessionEndedEvent);
        // Once nothing runs, no reconnection can follow: the count below is final.
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");
        var stats = await emulator.WaitForSessionAsync(session.Id, s => !s.GetProperty("connected").GetBoolean());

        Assert.Equal(1, stats.GetProperty("handshakes").GetInt64());
        Assert.Equal((1, 0), (stats.GetProperty("cleanCloses").GetInt64(), stats.GetProperty("abortedConnections").GetInt64()));
        Assert.Equal(KallglotStreamState.Ended, stream.State);
        Assert.Equal("operator_hangup", stream.EndReason);
        Assert.Equal(0, stream.Reconnects);
        Assert.False(await stream.WaitForEventAsync());
        Assert.Equal(["session.ready", "session.ended"], events.Select(e => e.Type));
    }

    [Fact]
    public async Task A_server_that_closes_50_ms_after_session_ended_sees_one_connection()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.AcceptEndedSessions = true;
            o.CloseAfterSessionEnded = TimeSpan.FromMilliseconds(50);
        });
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { });
        await stream.UntilAsync(e => e is SessionEndedEvent);
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");

        Assert.Equal(1, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
        Assert.Equal(KallglotStreamState.Ended, stream.State);
    }

    [Fact]
    public async Task A_server_close_without_session_ended_fails_the_stream_and_is_not_reconnected()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.AcceptEndedSessions = true);
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/close", new { });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(10)));
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");

        var stats = await emulator.WaitForSessionAsync(session.Id, s => !s.GetProperty("connected").GetBoolean());

        Assert.Equal("stream_closed_by_server", failure.ErrorId);
        Assert.Equal(1, stats.GetProperty("handshakes").GetInt64());
        // The client answered the server's close frame: the server saw a finished handshake, not an abort.
        Assert.Equal((1, 0), (stats.GetProperty("cleanCloses").GetInt64(), stats.GetProperty("abortedConnections").GetInt64()));
    }

    // A stream whose reconnection waits a twentieth of a second, once ready: the tests of a server's close statuses.
    private static async Task<KallglotStream> ConnectReopeningQuicklyAsync(KallglotSession session)
    {
        var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(50) });
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        return stream;
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1012)]
    [InlineData(1013)]
    public async Task A_server_that_goes_away_with_a_close_asking_the_client_back_is_reconnected_to(int status)
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await ConnectReopeningQuicklyAsync(session);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/close", new { status });
        var reconnected = await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(20));
        await stream.NextOfTypeAsync<SessionReadyEvent>(TimeSpan.FromSeconds(20));

        Assert.Contains($"close status {status}", reconnected.LostBecause, StringComparison.Ordinal);
        Assert.Equal(KallglotStreamState.Open, stream.State);
        Assert.Equal(2, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task A_server_that_asks_the_client_back_and_sends_it_away_again_at_once_ends_the_stream()
    {
        // Not a restart but a server's way of ending: one reconnection, then final, not a loop through every attempt.
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await ConnectReopeningQuicklyAsync(session);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/close", new { status = 1001 });
        await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(20));
        await stream.NextOfTypeAsync<SessionReadyEvent>(TimeSpan.FromSeconds(20));
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/close", new { status = 1001 });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(10)));
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");

        Assert.Equal("stream_closed_by_server", failure.ErrorId);
        Assert.Equal(2, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1008)]
    [InlineData(1011)]
    public async Task A_server_close_of_any_other_status_is_final(int status)
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await ConnectReopeningQuicklyAsync(session);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/close", new { status });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(10)));
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");

        Assert.Equal("stream_closed_by_server", failure.ErrorId);
        Assert.Contains($"close status {status}", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task Events_the_server_sends_in_the_closing_handshake_are_kept_and_set_the_end_reason()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.ClosingHandshakeEvents = 5;
            o.ClosingHandshakeInterval = TimeSpan.FromMilliseconds(60);
        });
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await stream.CloseAsync(TimeSpan.FromSeconds(5));
        var rest = new List<KallglotEvent>();
        while (stream.TryReadEvent(out var streamEvent))
        {
            rest.Add(streamEvent);
        }

        Assert.Equal(["closing final 1", "closing final 2", "closing final 3", "closing final 4", "closing final 5"],
            rest.OfType<TranscriptFinalEvent>().Select(f => f.Text));
        Assert.IsType<SessionEndedEvent>(rest[^1]);
        Assert.Equal("client_closed", stream.EndReason);
        var stats = await emulator.WaitForSessionAsync(session.Id, s => !s.GetProperty("connected").GetBoolean());
        Assert.Equal((1, 0), (stats.GetProperty("cleanCloses").GetInt64(), stats.GetProperty("abortedConnections").GetInt64()));
        Assert.Equal(KallglotStreamState.Closed, stream.State);
        Assert.False(stream.HasActiveWork);
    }

    [Fact]
    public async Task A_server_that_never_finishes_the_closing_handshake_is_aborted_after_the_close_timeout()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/unresponsive", new { });

        var watch = Stopwatch.StartNew();
        await stream.CloseAsync(TimeSpan.FromSeconds(1));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(KallglotStreamState.Closed, stream.State);
        Assert.False(stream.HasActiveWork);
    }

    [Fact]
    public async Task A_peer_that_stops_answering_pings_is_treated_as_lost_and_the_stream_reconnects()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        // Two seconds: other tests load the two cores, and a pong that is merely late must not count as a dead peer.
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { KeepAliveInterval = TimeSpan.FromSeconds(2) });
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/unresponsive", new { });
        var reconnected = await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(30));
        await stream.NextOfTypeAsync<SessionReadyEvent>(TimeSpan.FromSeconds(30));

        Assert.Equal(1, reconnected.Attempts);
        Assert.Contains("Pong", reconnected.LostBecause, StringComparison.Ordinal);
        Assert.True(stream.Reconnects >= 1);
        Assert.True((await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64() >= 2);
        Assert.Equal(KallglotStreamState.Open, stream.State);
    }

    [Fact]
    public async Task A_reconnect_stands_among_the_events_where_the_gap_was_and_says_what_it_cost()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, ReopensSlowlyAndSendsOnlyWhenOpen());
        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.partial","text":"before the drop"}""");
        await stream.NextOfTypeAsync<TranscriptPartialEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        var notSent = 0;
        while (stream.Reconnects == 0 && notSent < 1000)
        {
            try
            {
                await stream.SendAudioAsync(new byte[160], "caller");
            }
            catch (KallglotStreamException exception) when (exception.ErrorId == "frame_not_sent")
            {
                notSent++;
                await Task.Delay(20);
            }
        }
        var events = await stream.UntilAsync(e => e is SessionReadyEvent);
        var reconnected = Assert.IsType<StreamReconnectedEvent>(events[0]);

        Assert.True(notSent > 0);
        Assert.Equal(notSent, reconnected.FramesNotSent);
        Assert.Equal(stream.FramesNotSent, reconnected.FramesNotSent);
        Assert.True(reconnected.Gap >= TimeSpan.FromMilliseconds(800), $"gap {reconnected.Gap}");
        Assert.Equal(1, reconnected.Attempts);
        Assert.True(reconnected.FromClient);
        Assert.Equal("stream.reconnected", reconnected.Type);
        Assert.Equal(2, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task A_json_message_refused_during_a_reconnection_is_not_reported_as_a_lost_audio_frame()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, ReopensSlowlyAndSendsOnlyWhenOpen());
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        KallglotStreamException? refused = null;
        for (var attempt = 0; refused is null && attempt < 1000; attempt++)
        {
            try
            {
                await stream.SendJsonAsync("""{"type":"client.note"}""");
                await Task.Delay(20);
            }
            catch (KallglotStreamException exception) when (exception.Message.Contains("not reopened", StringComparison.Ordinal))
            {
                refused = exception;
            }
            catch (KallglotStreamException exception) when (exception.ErrorId == "message_not_sent")
            {
                // The dead socket itself refused it, before the loss was seen: try again until the stream waits to reconnect.
            }
        }
        var reconnected = await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(15));

        Assert.NotNull(refused);
        Assert.Equal("message_not_sent", refused.ErrorId);
        Assert.DoesNotContain("frame(s) not sent", refused.Message);
        Assert.Equal(0, stream.FramesNotSent);
        Assert.Equal(0, reconnected.FramesNotSent);
    }

    [Fact]
    public async Task A_lost_connection_is_retried_at_most_max_reconnect_attempts_times()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();

        var stream = await DroppedIntoStreamFaultsAsync(emulator, session, maxReconnectAttempts: 2, new { stream = true, status = 503, count = 10 });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal("stream_lost", failure.ErrorId);
        Assert.Contains("2 attempt(s)", failure.Message);
        Assert.Equal(3, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
        // The failure is delivered from inside the supervisor, a moment before its task returns.
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");
    }

    [Fact]
    public async Task A_reconnect_answered_409_while_the_server_still_holds_the_lost_connection_is_tried_again_and_reopens()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();

        var stream = await DroppedIntoStreamFaultsAsync(emulator, session, maxReconnectAttempts: 3, new { stream = true, status = 409, count = 1 });
        var reconnected = await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(15));

        Assert.Equal(2, reconnected.Attempts);
        Assert.Equal(KallglotStreamState.Open, stream.State);
        Assert.Equal(3, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task A_reconnect_answered_429_with_retry_after_waits_as_asked_and_then_reopens()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();

        var stream = await DroppedIntoStreamFaultsAsync(emulator, session, maxReconnectAttempts: 3, new { stream = true, status = 429, retryAfterSeconds = 2, count = 1 });
        var reconnected = await stream.NextOfTypeAsync<StreamReconnectedEvent>(TimeSpan.FromSeconds(15));

        // Without the server's word the second attempt would follow the first by the backoff, about 100 ms.
        Assert.True(reconnected.Gap >= TimeSpan.FromSeconds(2), $"reopened after {reconnected.Gap}");
        Assert.Equal(2, reconnected.Attempts);
        Assert.Equal(3, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Theory]
    // A refusal is not tried again: the first connection and the one refused attempt.
    [InlineData(404, 5, "session_not_found", 2)]
    // 409 may be a server still holding the lost connection: tried at every attempt, then taken for a session that ended.
    [InlineData(409, 2, "session_ended", 3)]
    public async Task A_reconnect_the_server_keeps_refusing_ends_the_stream_with_the_refusal_s_id(int status, int maxReconnectAttempts, string errorId, long handshakes)
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();

        var stream = await DroppedIntoStreamFaultsAsync(emulator, session, maxReconnectAttempts, new { stream = true, status, count = 10 });
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Equal(handshakes, (await emulator.SessionStatsAsync(session.Id)).GetProperty("handshakes").GetInt64());
    }

    [Fact]
    public async Task A_huge_message_is_skipped_and_the_events_after_it_arrive()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/raw", new { bytes = 20_000_000 });
        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.final","text":"after the big one"}""");
        var skipped = Assert.IsType<StreamErrorEvent>(await stream.NextAsync(TimeSpan.FromSeconds(30)));
        var after = Assert.IsType<TranscriptFinalEvent>(await stream.NextAsync());

        Assert.Equal("message_too_large", skipped.Code);
        Assert.Contains("20000000 bytes", skipped.Message);
        Assert.Equal("after the big one", after.Text);
        Assert.Equal(KallglotStreamState.Open, stream.State);
    }

    [Fact]
    public async Task An_unread_flood_of_translated_audio_is_bounded_and_every_transcript_is_kept()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { MaxBufferBytes = 1024 * 1024 });
        await stream.NextOfTypeAsync<SessionReadyEvent>();

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/flood", new { type = "audio.output", count = 20_000 });
        await emulator.PostRawAsync($"/_emulator/sessions/{session.Id}/events", """{"type":"transcript.final","text":"kept"}""");
        await Eventually.UntilAsync(() => stream.EventsReceived >= 20_002, "the flood to arrive", TimeSpan.FromSeconds(60));
        var heldAtPeak = stream.BufferedBytes;
        var events = await stream.UntilAsync(e => e is TranscriptFinalEvent, TimeSpan.FromSeconds(30));

        Assert.True(stream.EventsDropped > 10_000, $"dropped {stream.EventsDropped}");
        Assert.True(heldAtPeak <= (1024 * 1024) + 4096, $"held {heldAtPeak}");
        Assert.Equal(20_000 - stream.EventsDropped, events.Count(e => e is AudioOutputEvent));
        Assert.Equal("kept", ((TranscriptFinalEvent)events[^1]).Text);
        Assert.True(stream.TakeDropWarning());
        Assert.False(stream.TakeDropWarning());
    }

    [Fact]
    public async Task A_recording_that_cannot_be_written_fails_the_stream_with_its_own_error_instead_of_stalling()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        // Writes to /dev/full fail with "no space left on device", as a full disk does.
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { RecordPath = "/dev/full", RecordMode = Kallglot.Files.OutputFileMode.Append });

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => stream.NextAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("stream_record_failed", failure.ErrorId);
        Assert.Contains("/dev/full", failure.Message);
        Assert.Equal(KallglotStreamState.Failed, stream.State);
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");
    }

    [Fact]
    public async Task A_session_that_ends_before_connect_returns_stays_ended()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.AcceptEndedSessions = true);
        var session = await emulator.CreateSessionAsync();
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/end", new { reason = "ended_before" });

        var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionEndedEvent>();
        await Eventually.UntilAsync(() => !stream.HasActiveWork, "the stream to have nothing left running");

        Assert.Equal(KallglotStreamState.Ended, stream.State);
        Assert.Equal("ended_before", stream.EndReason);
    }

    [Fact]
    public async Task The_connect_timeout_governs_the_whole_connect_beyond_the_librarys_five_seconds()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = silent.AcceptSocketAsync();
        var session = new KallglotSession("sess_silent", new Uri($"ws://127.0.0.1:{port}/v1/sessions/sess_silent/connect?token=t"), new KallglotSecret("t"), new Uri($"http://127.0.0.1:{port}"))
        {
            TokenExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5),
        };

        var watch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => KallglotStream.ConnectAsync(session, new KallglotStreamOptions { ConnectTimeout = TimeSpan.FromSeconds(7) }));
        using var socket = await accepted;

        Assert.Equal("stream_connect_timeout", failure.ErrorId);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(6.5), $"gave up after {watch.Elapsed}");
    }

    [Fact]
    public async Task Two_readers_at_once_are_refused_with_stream_busy()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        await using var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        using var first = stream.OpenReader();

        var busy = Assert.Throws<KallglotStreamException>(() => stream.OpenReader());
        var alsoBusy = await Assert.ThrowsAsync<KallglotStreamException>(async () => await stream.WaitForEventAsync());

        Assert.Equal("stream_busy", busy.ErrorId);
        Assert.Equal("stream_busy", alsoBusy.ErrorId);
    }

    [Fact]
    public async Task A_server_that_is_ready_a_second_late_and_drops_audio_before_hears_every_frame_of_a_file()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.ReadyDelay = TimeSpan.FromSeconds(1));
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        using var reader = MuLawFrameReader.Open(WriteUtterance(), AudioInputEncoding.MuLaw);

        var result = await AudioSender.SendAsync(stream, reader, "caller", paced: false);
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() + s.GetProperty("framesDroppedBeforeReady").GetInt64() == result.Frames);

        Assert.Equal(80, result.Frames);
        Assert.Equal((80, 0), (stats.GetProperty("framesReceived").GetInt64(), stats.GetProperty("framesDroppedBeforeReady").GetInt64()));
        Assert.NotNull(stream.ReadyAt);
    }

    [Fact]
    public async Task A_server_that_is_ready_only_once_audio_comes_gets_the_file_after_the_wait_for_ready()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.ReadyAfterFirstAudio = true);
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { SessionReadyWait = TimeSpan.FromMilliseconds(300) });
        using var reader = MuLawFrameReader.Open(WriteUtterance(), AudioInputEncoding.MuLaw);

        var result = await AudioSender.SendAsync(stream, reader, "caller", paced: false);
        var ready = await stream.NextOfTypeAsync<SessionReadyEvent>();
        var stats = await emulator.WaitForSessionAsync(session.Id, s => s.GetProperty("framesReceived").GetInt64() + s.GetProperty("framesDroppedBeforeReady").GetInt64() == result.Frames);

        Assert.Equal(80, result.Frames);
        // The first frame woke the server and was lost to it, as such a server loses it; the rest were heard.
        Assert.Equal((79, 1), (stats.GetProperty("framesReceived").GetInt64(), stats.GetProperty("framesDroppedBeforeReady").GetInt64()));
        Assert.True(ready.ReceivedAt - stream.ConnectedAt >= TimeSpan.FromMilliseconds(300), $"ready after {ready.ReceivedAt - stream.ConnectedAt}");
    }

    private string WriteUtterance()
    {
        var path = _waves.PathFor($"utterance-{Guid.NewGuid():N}.ulaw");
        File.WriteAllBytes(path, ToneFrames.Utterance(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.6)).SelectMany(f => f).ToArray());
        return path;
    }

    /// <summary>A stream reopening after 50 ms, its connection dropped with the given faults queued for the reconnections.</summary>
    private static async Task<KallglotStream> DroppedIntoStreamFaultsAsync(EmulatorScope emulator, KallglotSession session, int maxReconnectAttempts, object faults)
    {
        var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { MaxReconnectAttempts = maxReconnectAttempts, ReconnectDelay = TimeSpan.FromMilliseconds(50) });
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        await emulator.PostAsync("/_emulator/faults", faults);
        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/drop", new { });
        return stream;
    }
}
