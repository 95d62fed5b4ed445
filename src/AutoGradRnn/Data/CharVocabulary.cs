using System.Text;

namespace AutoGradRnn;

/// <summary>
/// The characters a model knows, each with an index. A character is a Unicode scalar value (a <see cref="Rune"/>), so
/// an emoji or any other character outside the Basic Multilingual Plane is one symbol, never two halves of a surrogate
/// pair. Built from training text (sorted by code point, so the same text always gives the same indices), stored with
/// a checkpoint as the string <see cref="Characters"/> (the characters in index order). For text inside the Basic
/// Multilingual Plane a character is one UTF-16 code unit, so such vocabularies, and the checkpoints that hold them,
/// are the same as before characters were runes.
/// </summary>
public sealed record CharVocabulary
{
    private readonly Dictionary<int, int> index;
    private readonly Rune[] runes;

    /// <summary>
    /// The vocabulary whose characters, in index order, are those of <paramref name="characters"/>. Throws
    /// <see cref="ArgumentException"/> for an empty string, a character that appears twice, or a lone surrogate.
    /// </summary>
    public CharVocabulary(string characters)
    {
        ArgumentNullException.ThrowIfNull(characters);
        if (characters.Length == 0) throw new ArgumentException("vocabulary: no characters", nameof(characters));
        var list = new List<Rune>();
        index = [];
        int position = 0;
        foreach (var rune in Runes(characters.AsSpan(), nameof(characters)))
        {
            if (!index.TryAdd(rune.Value, position)) throw new ArgumentException($"vocabulary: character {Describe(rune)} appears twice", nameof(characters));
            list.Add(rune);
            position++;
        }
        runes = [.. list];
        Characters = characters;
    }

    /// <summary>The characters in index order, as stored in a checkpoint.</summary>
    public string Characters { get; }

    /// <summary>The characters in index order.</summary>
    public IReadOnlyList<Rune> Symbols => runes;

    /// <summary>Number of characters (Unicode scalar values, not UTF-16 code units).</summary>
    public int Size => runes.Length;

    /// <summary>The character with index <paramref name="id"/>, as a string of one or two UTF-16 code units.</summary>
    public string Symbol(int id) => (uint)id < (uint)Size ? runes[id].ToString()
        : throw new ArgumentOutOfRangeException(nameof(id), $"vocabulary: index {id} is outside [0, {Size})");

    /// <summary>The distinct characters of <paramref name="text"/>, in code-point order. A lone surrogate is an error naming its position.</summary>
    public static CharVocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromText(text.AsSpan());
    }

    internal static CharVocabulary FromText(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) throw new ArgumentException("vocabulary: the text is empty", nameof(text));
        var seen = new HashSet<int>();
        foreach (var rune in Runes(text, nameof(text))) seen.Add(rune.Value);
        var sb = new StringBuilder();
        foreach (var value in seen.Order()) sb.Append(new Rune(value).ToString());
        return new CharVocabulary(sb.ToString());
    }

    /// <summary>The number of characters (runes) in <paramref name="text"/>; a lone surrogate is an error naming its position.</summary>
    public static int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Count(text.AsSpan());
    }

    internal static int Count(ReadOnlySpan<char> text)
    {
        int n = 0;
        foreach (var _ in Runes(text, nameof(text))) n++;
        return n;
    }

    /// <summary>
    /// The index of every character of <paramref name="text"/>, one per rune. An unknown character is an error naming it,
    /// its position in characters and its line and column.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(text.AsSpan());
    }

    internal int[] Encode(ReadOnlySpan<char> text)
    {
        var ids = new int[text.Length];   // at most one rune per code unit; trimmed below only if the text has surrogate pairs
        int n = 0;
        foreach (var rune in Runes(text, nameof(text)))
        {
            if (!index.TryGetValue(rune.Value, out ids[n]))
                throw new ArgumentException($"vocabulary: character {Describe(rune)} at {Where(text, n)} is not in the model's vocabulary of {Size} characters", nameof(text));
            n++;
        }
        if (n < ids.Length) Array.Resize(ref ids, n);
        return ids;
    }

    /// <summary>The indices of <paramref name="text"/>, dropping characters the vocabulary lacks (e.g. in validation text).</summary>
    public int[] EncodeKnown(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeKnown(text.AsSpan());
    }

    internal int[] EncodeKnown(ReadOnlySpan<char> text)
    {
        var ids = new int[text.Length];
        int n = 0;
        for (int i = 0; i < text.Length;)
        {
            // A lone surrogate is no character, so no vocabulary knows it: dropped like any other unknown one.
            bool whole = Rune.DecodeFromUtf16(text[i..], out var rune, out int used) == System.Buffers.OperationStatus.Done;
            if (whole && index.TryGetValue(rune.Value, out ids[n])) n++;
            i += used;
        }
        if (n < ids.Length) Array.Resize(ref ids, n);
        return ids;
    }

    /// <summary>The characters of <paramref name="ids"/>.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        foreach (var i in ids)
            sb.Append((uint)i < (uint)Size ? runes[i].ToString() : throw new ArgumentOutOfRangeException(nameof(ids), $"vocabulary: index {i} is outside [0, {Size})"));
        return sb.ToString();
    }

    /// <summary>Two vocabularies are equal when they hold the same characters in the same order.</summary>
    public bool Equals(CharVocabulary? other) => other is not null && Characters == other.Characters;

    /// <inheritdoc/>
    public override int GetHashCode() => Characters.GetHashCode(StringComparison.Ordinal);

    /// <summary>The runes of <paramref name="text"/>; a lone surrogate is an <see cref="ArgumentException"/> naming where it is.</summary>
    private static RuneWalker Runes(ReadOnlySpan<char> text, string parameter) => new(text, parameter);

    private ref struct RuneWalker(ReadOnlySpan<char> text, string parameter)
    {
        private readonly ReadOnlySpan<char> text = text;
        private int next, count = -1;

        public Rune Current { get; private set; }

        public readonly RuneWalker GetEnumerator() => this;

        public bool MoveNext()
        {
            if (next >= text.Length) return false;
            count++;
            if (Rune.DecodeFromUtf16(text[next..], out var rune, out int used) != System.Buffers.OperationStatus.Done)
                throw new ArgumentException($"vocabulary: {Where(text, count)} holds a lone surrogate U+{(int)text[next]:X4}, half of a character; the text is not valid UTF-16", parameter);
            Current = rune;
            next += used;
            return true;
        }
    }

    /// <summary>"position 12 (line 2, column 3)": the position and column count characters (runes), both lines and columns from 1.</summary>
    internal static string Where(ReadOnlySpan<char> text, int runePosition)
    {
        int line = 1, column = 1, seen = 0;
        for (int i = 0; i < text.Length && seen < runePosition; seen++)
        {
            Rune.DecodeFromUtf16(text[i..], out _, out int used);
            if (text[i] == '\n') { line++; column = 1; } else column++;
            i += used;
        }
        return $"position {runePosition} (line {line}, column {column})";
    }

    internal static string Describe(Rune c) =>
        Rune.IsControl(c) || Rune.IsWhiteSpace(c) ? $"U+{c.Value:X4}" : $"'{c}' (U+{c.Value:X4})";
}
