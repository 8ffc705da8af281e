using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;
using Kallglot.Pacing;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// The scale baseline: the same paced work with no module, in this process. Per stream a
/// ClientWebSocket, a loop that waits with Task.Delay to each frame's absolute due time and sends
/// an audio.input frame written with Utf8JsonWriter, and a loop that parses every message with
/// JsonDocument until session.ended. Returns CPU seconds in all (the caller divides by stream-minutes).
/// </summary>
internal static class PlainScaleLoop
{
    public static async Task<ScalePoint> RunAsync(EmulatorProcess emulator, string audioPath, int streams)
    {
        var audio = await File.ReadAllBytesAsync(audioPath);
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var sessions = new List<(string Id, ClientWebSocket Socket)>();
        for (var i = 0; i < streams; i++)
        {
            var (id, uri) = await emulator.CreateSessionPlainAsync();
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, CancellationToken.None);
            sessions.Add((id, socket));
        }
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var workItemsBefore = ThreadPool.CompletedWorkItemCount;
        var machine = new MachineCpu();
        var peak = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(100);
            }
        });

        var receivers = sessions.Select(s => Task.Run(() => ReceiveAsync(s.Socket))).ToArray();
        var senders = sessions.Select(s => Task.Run(() => SendAsync(s.Socket, audio))).ToArray();
        var deviations = await Task.WhenAll(senders);
        var received = (await Task.WhenAll(receivers)).Sum();
        var machineBusy = machine.BusySinceStart();
        var workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;
        sampling.Cancel();
        await sampler;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;

        long sent = 0;
        foreach (var (id, socket) in sessions)
        {
            sent += (await emulator.GetAsync($"/_emulator/sessions/{id}")).GetProperty("eventsSent").GetInt64();
            socket.Dispose();
        }
        return new ScalePoint(streams, cpu, (peak - workingSetBefore) / 1024.0 / 1024.0 / streams, peak / 1024.0 / 1024.0,
            PacingDeviation.Combine(deviations).P99.TotalMilliseconds, sent - received, sent, machineBusy,
            workItems / (double)Math.Max(1, received));
    }

    private static async Task<PacingDeviation> SendAsync(ClientWebSocket socket, byte[] audio)
    {
        var deviation = new PacingDeviation();
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer);
        var started = Stopwatch.GetTimestamp();
        var frames = audio.Length / 160;
        for (var i = 0; i < frames; i++)
        {
            var due = started + (i * Stopwatch.Frequency / 50);
            await TaskDelayPacingClock.Instance.WaitUntilAsync(due, CancellationToken.None);
            deviation.Add(Stopwatch.GetElapsedTime(due));
            await socket.SendAsync(PlainWebSocket.WriteAudioFrame(buffer, writer, i + 1, audio.AsSpan(i * 160, 160)), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        return deviation;
    }

    private static async Task<long> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        long count = 0;
        while (true)
        {
            var received = await PlainWebSocket.ReceiveMessageAsync(socket, buffer);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, received));
            count++;
            if (document.RootElement.GetProperty("type").ValueEquals("session.ended"u8))
            {
                return count;
            }
        }
    }
}
