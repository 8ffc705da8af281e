using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Kallglot.Tests.Streaming;

/// <summary>What a huge message and an unread flood cost the client's memory. Alone in their collection: other tests' allocations would count.</summary>
[Collection(SoakCollection.Name)]
public sealed class StreamMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_100_MB_message_costs_about_the_1_MiB_limit_not_its_size()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session);
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/raw", new { bytes = 100_000_000 });
        var skipped = Assert.IsType<StreamErrorEvent>(await stream.NextAsync(TimeSpan.FromSeconds(60)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"a 100,000,000-byte message: {allocated / 1048576.0:0.0} MiB allocated in the process while it was read and skipped");

        Assert.Equal("message_too_large", skipped.Code);
        // Read whole, the library alone would allocate the message twice over (its bytes, then its text).
        Assert.True(allocated < 24L * 1024 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task An_unread_flood_of_translated_audio_holds_memory_near_the_buffer_bound()
    {
        const int flood = 100_000;
        const long bound = 8L * 1024 * 1024;
        await using var emulator = await EmulatorScope.StartAsync();
        var session = await emulator.CreateSessionAsync();
        await using var stream = await KallglotStream.ConnectAsync(session, new KallglotStreamOptions { MaxBufferBytes = bound });
        await stream.NextOfTypeAsync<SessionReadyEvent>();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        await emulator.PostAsync($"/_emulator/sessions/{session.Id}/flood", new { type = "audio.output", count = flood });
        // session.ready, the flood, then the emulator's emulator.flood_done marker.
        // Counted as kept or dropped once it has reached the buffer, a moment after EventsReceived counts it off the socket.
        await Eventually.UntilAsync(() => stream.EventsPending + stream.EventsDropped >= flood + 1, "the flood to arrive", TimeSpan.FromSeconds(60));
        var held = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        output.WriteLine($"{flood:N0} unread audio.output events, bound {bound / 1048576} MiB: {stream.EventsPending:N0} kept, {stream.EventsDropped:N0} dropped, heap grew {held / 1048576.0:0.0} MiB (estimate {stream.BufferedBytes / 1048576.0:0.0} MiB)");

        Assert.Equal(flood + 2, stream.EventsReceived);
        Assert.Equal(flood + 1, stream.EventsPending + stream.EventsDropped);
        // Unbounded, the same flood held 127.6 MiB (measured).
        Assert.True(held < 3 * bound, $"heap grew {held} bytes");
    }
}
