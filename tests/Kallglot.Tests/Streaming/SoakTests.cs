using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using Kallglot.Audio;
using Kallglot.Sessions;
using Kallglot.Streaming;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Streaming;

/// <summary>
/// Fifty streams of paced speech at once: every event arrives, memory stays flat, and the sockets
/// are all gone after closing. CI runs 20 s of audio; KALLGLOT_SOAK_SECONDS=120 (build.ps1 -Soak) runs the full two minutes.
/// </summary>
[Trait("Category", "Soak")]
[Collection(SoakCollection.Name)]
public sealed class SoakTests
{
    [Fact]
    public async Task Fifty_paced_streams_lose_no_event_keep_memory_flat_and_leave_no_socket()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("KALLGLOT_SOAK_SECONDS"), out var configured) ? configured : 20;
        const int streams = 50;
        await using var emulator = await EmulatorScope.StartAsync(o => o.PaceAudioOutput = true);
        var audio = SpeechBursts(TimeSpan.FromSeconds(seconds));
        var sessions = new List<KallglotSession>();
        for (var i = 0; i < streams; i++)
        {
            sessions.Add(await emulator.CreateSessionAsync());
        }
        // The streams' own connections, told from the HTTP connections kept alive for creating the sessions (and any the checks
        // below open) by being new once every stream has connected. The emulator runs in this process: both ends are listed.
        var port = emulator.BaseUri.Port;
        var beforeStreams = OpenConnections(port).ToHashSet();
        var opened = new List<KallglotStream>();
        foreach (var session in sessions)
        {
            opened.Add(await KallglotStream.ConnectAsync(session));
        }
        var streamConnections = OpenConnections(port).Where(connection => !beforeStreams.Contains(connection)).ToHashSet();
        Assert.True(streamConnections.Count >= streams * 2, $"only {streamConnections.Count} new connection ends for {streams} streams: the count does not see them");
        List<(IPEndPoint Local, IPEndPoint Remote)> StillOpen() => OpenConnections(port).Where(streamConnections.Contains).ToList();
        var received = new long[streams];
        var receivers = opened.Select((stream, i) => Task.Run(async () =>
        {
            while (await stream.WaitForEventAsync())
            {
                while (stream.TryReadEvent(out _))
                {
                    Interlocked.Increment(ref received[i]);
                }
            }
        })).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"kallglot-soak-{Guid.NewGuid():N}.ulaw");
        await File.WriteAllBytesAsync(path, audio);
        try
        {
            var senders = opened.Select(stream => Task.Run(async () =>
            {
                using var reader = MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw);
                return await AudioSender.SendAsync(stream, reader, "caller", paced: true);
            })).ToArray();

            // Warm-up is the first quarter of the frames; memory is compared from there to the end of sending.
            var quarter = streams * seconds * 50 / 4;
            while (opened.Sum(stream => stream.FramesSent) < quarter)
            {
                await Task.WhenAny(Task.WhenAll(senders), Task.Delay(50));
            }
            var afterWarmUp = WorkingSetAfterCollection();
            var results = await Task.WhenAll(senders);
            var atEnd = WorkingSetAfterCollection();

            foreach (var stream in opened)
            {
                await emulator.WaitForSessionAsync(stream.SessionId, s => s.GetProperty("utterances").GetInt32() >= seconds / 2, TimeSpan.FromSeconds(30));
                await emulator.PostAsync($"/_emulator/sessions/{stream.SessionId}/end", new { reason = "soak_done" });
            }
            await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromSeconds(60));
            long sent = 0;
            foreach (var stream in opened)
            {
                sent += (await emulator.SessionStatsAsync(stream.SessionId)).GetProperty("eventsSent").GetInt64();
                await stream.CloseAsync();
            }

            Assert.All(results, result => Assert.Equal(seconds * 50, result.Frames));
            Assert.Equal(sent, received.Sum());
            Assert.True(sent > streams * seconds, $"only {sent} events were sent: the soak did not exercise the receive path");
            Assert.True(atEnd <= afterWarmUp * 1.10, $"working set grew from {afterWarmUp / 1048576} MB after warm-up to {atEnd / 1048576} MB");
            // The server side of each socket (in this process too) closes a moment after the client's close; on a loaded machine
            // the emulator took over 10 s to close its side of some of the 50. A socket the client never closed stays open past any wait.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (StillOpen().Count > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.True(StillOpen().Count == 0, $"{StillOpen().Count} of the streams' {streamConnections.Count} connection ends still open after closing: {string.Join(", ", StillOpen().Select(c => $"{c.Local}->{c.Remote}"))}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Each end of each connection to or from the emulator's port not yet closed (a socket its owner has not closed after the
    // peer's close stays listed, in CloseWait).
    private static IEnumerable<(IPEndPoint Local, IPEndPoint Remote)> OpenConnections(int emulatorPort) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Where(connection => (connection.LocalEndPoint.Port == emulatorPort || connection.RemoteEndPoint.Port == emulatorPort)
                && connection.State is not (TcpState.TimeWait or TcpState.Closed))
            .Select(connection => (connection.LocalEndPoint, connection.RemoteEndPoint));

    private static long WorkingSetAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static byte[] SpeechBursts(TimeSpan duration)
    {
        var samples = (int)(duration.TotalSeconds * 8000);
        var audio = new byte[samples];
        for (var n = 0; n < samples; n++)
        {
            audio[n] = n / 8000 % 2 == 0 ? MuLaw.Encode((short)(8000 * Math.Sin(2 * Math.PI * 1000 * n / 8000))) : (byte)0xFF;
        }
        return audio;
    }
}
