using Kallglot.Streaming;

namespace Kallglot.Tests.Streaming;

public sealed class EventParserFuzzTests
{
    [Fact]
    public void A_hundred_thousand_random_and_mutated_messages_throw_nothing_but_the_parsers_own_error()
    {
        var random = new Random(20261125);
        var parsed = 0;
        var refused = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var input = i % 4 == 0 ? MessageMutator.RandomText(random) : MessageMutator.Mutate(MessageMutator.Seeds[random.Next(MessageMutator.Seeds.Length)], random);
            try
            {
                var streamEvent = EventParser.Parse(input, "sess_fuzz", i, DateTimeOffset.UnixEpoch);
                Assert.False(string.IsNullOrEmpty(streamEvent.Type));
                _ = streamEvent.Raw;
                _ = streamEvent.ToString();
                parsed++;
            }
            catch (EventParseException)
            {
                refused++;
            }
            catch (Exception exception)
            {
                Assert.Fail($"Case {i} threw {exception.GetType().Name}: {exception.Message}\nInput: {input}");
            }
        }

        // Both outcomes must be common, or the mutations are not exercising the parser.
        Assert.True(parsed > 10_000, $"only {parsed} parsed");
        Assert.True(refused > 10_000, $"only {refused} refused");
    }
}
