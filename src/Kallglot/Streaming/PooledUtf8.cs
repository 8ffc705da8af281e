using System.Buffers;
using System.Text;

namespace Kallglot.Streaming;

/// <summary>
/// A text's UTF-8 in an array borrowed from the shared pool, for one pass of a reader over it:
/// no array per message. Cleared before it goes back, since the pool hands it to any other code next.
/// </summary>
internal readonly ref struct PooledUtf8
{
    private readonly byte[] _array;
    private readonly int _length;

    private PooledUtf8(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, _length);

    /// <summary>The UTF-8 of <paramref name="text"/>.</summary>
    /// <exception cref="EncoderFallbackException">The text is not valid UTF-16 (a lone surrogate); counted first, so none of it was copied.</exception>
    public static PooledUtf8 From(string text)
    {
        var length = StrictUtf8.Encoding.GetByteCount(text);
        var array = ArrayPool<byte>.Shared.Rent(length);
        StrictUtf8.Encoding.GetBytes(text, array);
        return new PooledUtf8(array, length);
    }

    public void Dispose()
    {
        _array.AsSpan(0, _length).Clear();
        ArrayPool<byte>.Shared.Return(_array);
    }
}
