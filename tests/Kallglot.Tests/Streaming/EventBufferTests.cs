using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Tests.Streaming;

public sealed class EventBufferTests
{
    private static AudioOutputEvent Audio(int index) => new() { Type = "audio.output", Index = index, Payload = new byte[160], Json = new string('a', 300) };

    private static TranscriptFinalEvent Final(int index) => new() { Type = "transcript.final", Index = index, Text = $"final {index}", Json = new string('f', 100) };

    [Fact]
    public void Over_the_bound_audio_is_dropped_and_counted_but_transcripts_are_always_kept()
    {
        var buffer = new EventBuffer(maxBytes: 10_000);
        var added = new List<KallglotEvent>();
        for (var i = 1; i <= 200; i++)
        {
            KallglotEvent streamEvent = i % 10 == 0 ? Final(i) : Audio(i);
            if (buffer.Add(streamEvent))
            {
                added.Add(streamEvent);
            }
        }

        Assert.Equal(20, added.OfType<TranscriptFinalEvent>().Count());
        Assert.True(buffer.Dropped > 100, $"dropped {buffer.Dropped}");
        Assert.Equal(200 - buffer.Dropped, buffer.Count);
        Assert.True(buffer.BytesHeld <= 10_000 + (20 * 1000), $"held {buffer.BytesHeld}");
        Assert.True(buffer.TakeDropWarning());
        Assert.False(buffer.TakeDropWarning());
    }

    [Fact]
    public void Reading_frees_room_for_audio_again()
    {
        var buffer = new EventBuffer(maxBytes: 3_000);
        while (buffer.Add(Audio(1)))
        {
        }
        var dropped = buffer.Dropped;
        using (var reader = buffer.OpenReader("s"))
        {
            while (reader.TryRead(out _))
            {
            }
        }

        Assert.True(buffer.Add(Audio(2)));
        Assert.Equal(dropped, buffer.Dropped);
    }

    [Fact]
    public void Events_added_after_completion_are_counted_as_undelivered()
    {
        var buffer = new EventBuffer(maxBytes: 1_000_000);
        buffer.Add(Final(1));
        buffer.Complete();

        Assert.False(buffer.Add(Final(2)));
        Assert.Equal(1, buffer.Undelivered);
        Assert.Equal(1, buffer.Count);
    }

    [Fact]
    public void A_second_reader_is_refused_until_the_first_lets_go()
    {
        var buffer = new EventBuffer(maxBytes: 1_000_000);
        var first = buffer.OpenReader("sess_1");

        var busy = Assert.Throws<KallglotStreamException>(() => buffer.OpenReader("sess_1"));
        first.Dispose();
        using var second = buffer.OpenReader("sess_1");

        Assert.Equal("stream_busy", busy.ErrorId);
        Assert.Contains("sess_1", busy.Message);
    }

    [Fact]
    public async Task A_failure_reaches_the_reader_after_every_event_before_it()
    {
        var buffer = new EventBuffer(maxBytes: 1_000_000);
        buffer.Add(Final(1));
        buffer.Complete(new KallglotStreamException("stream_lost", Kallglot.Errors.KallglotErrorKind.Connection, "lost"));
        using var reader = buffer.OpenReader("s");

        Assert.True(await reader.WaitToReadAsync());
        Assert.True(reader.TryRead(out var first));
        var failure = await Assert.ThrowsAsync<KallglotStreamException>(async () => await reader.WaitToReadAsync());

        Assert.Equal(1, first.Index);
        Assert.Equal("stream_lost", failure.ErrorId);
    }
}
