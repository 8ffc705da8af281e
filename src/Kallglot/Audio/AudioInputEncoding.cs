namespace Kallglot.Audio;

/// <summary>How an input audio file is to be read.</summary>
public enum AudioInputEncoding
{
    /// <summary>A WAV file, whatever codec its header names among those supported.</summary>
    Wav,
    /// <summary>Headerless G.711 mu-law, 8 kHz mono: sent as it is.</summary>
    MuLaw,
}
