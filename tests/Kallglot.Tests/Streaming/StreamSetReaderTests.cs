using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Streaming;

public sealed class StreamSetReaderTests
{
    [Fact]
    public async Task Gives_each_stream_as_its_events_arrive_and_ends_once_every_stream_is_finished()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var streams = new List<KallglotStream>();
        for (var i = 0; i < 3; i++)
        {
            streams.Add(await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync()));
        }
        using var set = StreamSetReader.Open(streams.Concat(streams));
        var finals = streams.ToDictionary(s => s.SessionId, _ => new List<string>());
        foreach (var stream in streams.AsEnumerable().Reverse())
        {
            await emulator.PostRawAsync($"/_emulator/sessions/{stream.SessionId}/events",
                "[{\"type\":\"transcript.final\",\"text\":\"a\"},{\"type\":\"transcript.final\",\"text\":\"b\"}]");
            await emulator.PostAsync($"/_emulator/sessions/{stream.SessionId}/end", new { reason = "done" });
        }

        while (await set.WaitForStreamAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)) is { } ready)
        {
            while (ready.Reader.TryRead(out var streamEvent))
            {
                if (streamEvent is TranscriptFinalEvent final)
                {
                    finals[ready.Stream.SessionId].Add(final.Text);
                }
                if (streamEvent is SessionEndedEvent)
                {
                    set.Finish(ready.Stream);
                }
            }
        }

        Assert.Equal(0, set.Unfinished);
        Assert.All(finals.Values, texts => Assert.Equal(["a", "b"], texts));
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_that_closes_without_session_ended_is_given_once_more_with_its_reader_over()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        await using var stream = await KallglotStream.ConnectAsync(await emulator.CreateSessionAsync());
        using var set = StreamSetReader.Open([stream]);

        await stream.CloseAsync();
        KallglotStreamReader? reader = null;
        while (reader is null || !reader.IsOver)
        {
            var ready = await set.WaitForStreamAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            reader = ready!.Value.Reader;
            while (reader.TryRead(out _))
            {
            }
        }
        set.Finish(stream);

        Assert.Null(await set.WaitForStreamAsync());
    }
}
