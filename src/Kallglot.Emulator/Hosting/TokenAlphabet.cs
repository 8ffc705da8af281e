namespace Kallglot.Emulator;

/// <summary>The characters stream tokens are made of.</summary>
public enum TokenAlphabet
{
    /// <summary>URL-safe base64 ('-' and '_').</summary>
    UrlSafe,
    /// <summary>Plain base64, always holding '+' and '/': characters that JSON encoders and URLs escape.</summary>
    Base64,
}
