using Kallglot.Streaming;

namespace Kallglot.Tests.Streaming;

public sealed class EventFieldsTests
{
    [Fact]
    public void Each_object_read_into_has_a_slot_for_every_field_name()
    {
        // A name added to the enum past the block's length would be written into the next object's block, silently.
        Assert.Equal(EventFields.BlockLength, Enum.GetValues<MessageField>().Length);
    }
}
