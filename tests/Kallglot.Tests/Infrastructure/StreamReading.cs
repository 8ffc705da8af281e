using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Tests.Infrastructure;

/// <summary>Reads events from a stream with a deadline, the way the cmdlets do, so tests wait on conditions and never on fixed sleeps.</summary>
internal static class StreamReading
{
    public static async Task<KallglotEvent> NextAsync(this KallglotStream stream, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (stream.TryReadEvent(out var streamEvent))
            {
                return streamEvent;
            }
            if (!await stream.WaitForEventAsync(cancellation.Token))
            {
                throw new InvalidOperationException($"The stream ended ({stream.State}) before another event arrived.");
            }
        }
    }

    public static async Task<T> NextOfTypeAsync<T>(this KallglotStream stream, TimeSpan? timeout = null) where T : KallglotEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No {typeof(T).Name} arrived in time.");
            }
            if (await stream.NextAsync(remaining) is T match)
            {
                return match;
            }
        }
    }

    public static async Task<List<KallglotEvent>> UntilAsync(this KallglotStream stream, Func<KallglotEvent, bool> last, TimeSpan? timeout = null)
    {
        var events = new List<KallglotEvent>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var streamEvent = await stream.NextAsync(deadline - DateTime.UtcNow);
            events.Add(streamEvent);
            if (last(streamEvent))
            {
                return events;
            }
        }
    }
}
