using System.Text;

namespace AutoGradRnn;

/// <summary>Reading text for character-level models: strictly UTF-8, never silently replacing bad bytes.</summary>
public static class TextCorpus
{
    /// <summary>The largest text file read: the length limit of a .NET string (in UTF-16 units, never more than the UTF-8 bytes).</summary>
    public const long MaxBytes = 0x3FFFFFDF;

    /// <summary>
    /// The whole file as a string. Throws <see cref="DataFormatException"/> for an empty file, or for bytes that are
    /// not valid UTF-8 (naming the byte offset), instead of decoding them to U+FFFD as File.ReadAllText would.
    /// </summary>
    public static string Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"text file '{path}' does not exist", path);
        long length = new FileInfo(path).Length;
        if (length > MaxBytes)   // UTF-8 never has fewer bytes than UTF-16 units: up to this size the string always fits
            throw new DataFormatException(path, $"the file has {length:N0} bytes, more than the {MaxBytes:N0} a text can have here (the largest .NET string); split it");
        var bytes = System.IO.File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;   // a UTF-8 byte-order mark
        if (bytes.Length - start == 0) throw new DataFormatException(path, "the file is empty");
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(path, $"not valid UTF-8 at byte {start + e.Index} (0x{bytes[Math.Clamp(start + e.Index, 0, bytes.Length - 1)]:X2}); convert the file to UTF-8");
        }
    }
}
