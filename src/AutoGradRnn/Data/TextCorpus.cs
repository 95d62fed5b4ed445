using System.Text;

namespace AutoGradRnn;

/// <summary>Reading text for character-level models: strictly UTF-8, never silently replacing bad bytes.</summary>
public static class TextCorpus
{
    /// <summary>
    /// The whole file as a string. Throws <see cref="DataFormatException"/> for an empty file, or for bytes that are
    /// not valid UTF-8 (naming the byte offset), instead of decoding them to U+FFFD as File.ReadAllText would.
    /// </summary>
    public static string Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"text file '{path}' does not exist", path);
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

/// <summary>
/// The characters a model knows, each with an index: built from training text (sorted by code point, so the
/// same text always gives the same indices), stored with a checkpoint as a string.
/// </summary>
public sealed record CharVocabulary(string Characters)
{
    private readonly Dictionary<char, int> index = BuildIndex(Characters);

    private static Dictionary<char, int> BuildIndex(string characters)
    {
        ArgumentNullException.ThrowIfNull(characters);
        if (characters.Length == 0) throw new ArgumentException("vocabulary: no characters", nameof(characters));
        var d = new Dictionary<char, int>();
        for (int i = 0; i < characters.Length; i++)
            if (!d.TryAdd(characters[i], i)) throw new ArgumentException($"vocabulary: character {Describe(characters[i])} appears twice", nameof(characters));
        return d;
    }

    /// <summary>The distinct characters of <paramref name="text"/>, in code-point order.</summary>
    public static CharVocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("vocabulary: the text is empty", nameof(text));
        return new CharVocabulary(new string(text.Distinct().Order().ToArray()));
    }

    /// <summary>Number of characters.</summary>
    public int Size => Characters.Length;

    /// <summary>The index of every character of <paramref name="text"/>; an unknown character is an error naming it and its position.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            if (!index.TryGetValue(text[i], out ids[i]))
                throw new ArgumentException($"vocabulary: character {Describe(text[i])} at position {i} is not in the model's vocabulary of {Size} characters", nameof(text));
        return ids;
    }

    /// <summary>The indices of <paramref name="text"/>, dropping characters the vocabulary lacks (e.g. in validation text).</summary>
    public int[] EncodeKnown(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Where(index.ContainsKey).Select(c => index[c]).ToArray();
    }

    /// <summary>The characters of <paramref name="ids"/>.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return new string(ids.Select(i => (uint)i < (uint)Size ? Characters[i] : throw new ArgumentOutOfRangeException(nameof(ids), $"vocabulary: index {i} is outside [0, {Size})")).ToArray());
    }

    internal static string Describe(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
}
