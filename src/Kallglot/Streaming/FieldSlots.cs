using System.Runtime.CompilerServices;

namespace Kallglot.Streaming;

/// <summary>One <see cref="FieldValue"/> per field the parser reads, at the message's root and in each object it reads into, held in place (no array per message).</summary>
[InlineArray(Length)]
internal struct FieldSlots
{
    /// <summary>The root's fields, then those of <c>translation</c>, <c>audio</c> and <c>error</c>, each block indexed by <see cref="MessageField"/>.</summary>
    public const int Length = 4 * EventFields.BlockLength;

    private FieldValue _first;
}
