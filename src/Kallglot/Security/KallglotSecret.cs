namespace Kallglot.Security;

/// <summary>
/// A secret (API key or stream token) that never shows its value: <see cref="ToString"/> and every
/// public member give <c>***</c>, so formatting, serialization and logging of an object that holds
/// one cannot leak it. Only the client itself reads the value, when it puts it on the wire.
/// </summary>
public sealed class KallglotSecret
{
    /// <summary>What every display of a secret shows.</summary>
    public const string Mask = "***";

    private readonly string _value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value is null, empty or white space.</exception>
    public KallglotSecret(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A secret cannot be empty.", nameof(value));
        }
        _value = value;
    }

    /// <summary>Length of the secret, so a user can tell a truncated key from a whole one.</summary>
    public int Length => _value.Length;

    internal string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => Mask;
}
