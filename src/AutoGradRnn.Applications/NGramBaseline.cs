using System.Runtime.InteropServices;

namespace AutoGradRnn.Applications;

/// <summary>One (order, k) pair of the n-gram grid and its bits per character on the selection split.</summary>
/// <param name="Order">n: the model conditions on the previous n − 1 characters.</param>
/// <param name="K">The add-k smoothing constant.</param>
/// <param name="BitsPerCharacter">Mean −log₂ p(next character) over the scored characters.</param>
public sealed record NGramScore(int Order, double K, double BitsPerCharacter);

/// <summary>
/// The n-gram count baseline a character model is measured against: the (n, k) with the lowest bits per character on
/// the validation characters, chosen from <see cref="Grid"/> (every n and k tried), and how many characters were scored.
/// </summary>
public sealed record NGramResult(int Order, double K, double BitsPerCharacter, int Characters, IReadOnlyList<NGramScore> Grid);

/// <summary>
/// Character n-gram count models with add-k smoothing, the simplest baseline for a character language model.
/// For order n, with h the previous n − 1 characters and V the vocabulary size,
/// <c>p(c | h) = (count(h, c) + k) / (count(h) + k·V)</c>, where count(h, c) counts the training positions whose
/// n − 1 preceding training characters are h and whose character is c, and count(h) = Σ_c count(h, c). An unseen
/// context gives the uniform 1/V, and the probabilities over the V characters sum to 1 for every context.
/// Counts for every order up to the maximum are kept in dictionaries keyed by the context ids packed base V into an
/// <see cref="Int128"/> (exact for any vocabulary of Unicode scalar values up to order 6).
/// </summary>
public sealed class NGramBaseline
{
    /// <summary>The add-k constants tried by <see cref="Choose"/> unless others are given.</summary>
    public static readonly IReadOnlyList<double> DefaultSmoothing = [1, 0.5, 0.1, 0.05, 0.01, 0.005, 0.001];

    /// <summary>The highest order tried by default (5-grams: four characters of context).</summary>
    public const int DefaultMaxOrder = 5;

    // joint[m][key(h)·V + c] = count(h, c) and context[m][key(h)] = count(h) for contexts of m = n − 1 characters.
    private readonly Dictionary<Int128, int>[] joint;
    private readonly Dictionary<Int128, int>[] context;

    /// <summary>The vocabulary size V.</summary>
    public int VocabularySize { get; }

    /// <summary>The highest order counted.</summary>
    public int MaxOrder { get; }

    private NGramBaseline(int vocabularySize, int maxOrder)
    {
        VocabularySize = vocabularySize;
        MaxOrder = maxOrder;
        joint = new Dictionary<Int128, int>[maxOrder];
        context = new Dictionary<Int128, int>[maxOrder];
        for (int m = 0; m < maxOrder; m++) (joint[m], context[m]) = (new(), new());
    }

    /// <summary>
    /// Counts every n-gram of order 1 … <paramref name="maxOrder"/> in <paramref name="train"/> (ids in [0, V)). A position
    /// is counted for order n only when its n − 1 preceding characters are in <paramref name="train"/>.
    /// </summary>
    public static NGramBaseline Count(ReadOnlySpan<int> train, int vocabularySize, int maxOrder = DefaultMaxOrder)
    {
        if (vocabularySize <= 0) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"n-gram: vocabulary size {vocabularySize} must be positive");
        // V ≤ 0x110000 < 2²¹, so six ids packed base V fit in an Int128's 127 bits.
        if (vocabularySize > 0x110000) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"n-gram: vocabulary size {vocabularySize} exceeds the {0x110000} Unicode code points");
        if (maxOrder is < 1 or > 6) throw new ArgumentOutOfRangeException(nameof(maxOrder), $"n-gram: order {maxOrder} must be in [1, 6]");
        var model = new NGramBaseline(vocabularySize, maxOrder);
        for (int i = 0; i < train.Length; i++)
        {
            int c = model.Check(train[i]);
            Int128 key = 0;   // the context of m characters, most recent first
            for (int m = 0; m < maxOrder && m <= i; m++)
            {
                if (m > 0) key = key * vocabularySize + train[i - m];
                CollectionsMarshal.GetValueRefOrAddDefault(model.context[m], key, out _)++;
                CollectionsMarshal.GetValueRefOrAddDefault(model.joint[m], key * vocabularySize + c, out _)++;
            }
        }
        return model;
    }

    /// <summary>
    /// p(<paramref name="next"/> | the last n − 1 ids of <paramref name="history"/>) for order <paramref name="order"/> with
    /// add-<paramref name="k"/> smoothing; a history shorter than n − 1 uses the order its length allows.
    /// </summary>
    public double Probability(int order, double k, ReadOnlySpan<int> history, int next)
    {
        CheckOrder(order, k);
        var (pair, total) = Counts(order, history, history.Length, Check(next));
        return (pair + k) / (total + k * VocabularySize);
    }

    /// <summary>
    /// Mean −log₂ p over the characters <paramref name="text"/>[<paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/>),
    /// each conditioned on the characters before it in <paramref name="text"/> (so put the preceding text first to give
    /// the first characters their context).
    /// </summary>
    public double BitsPerCharacter(int order, double k, ReadOnlySpan<int> text, int start, int count)
    {
        CheckOrder(order, k);
        var bits = TotalBits(order, [k], text, [(start, count)]);
        return bits[0] / count;
    }

    /// <summary>
    /// Scores every order 1 … <see cref="MaxOrder"/> and every k of <paramref name="smoothing"/> (default
    /// <see cref="DefaultSmoothing"/>) on the characters of <paramref name="text"/> in <paramref name="spans"/> (start, count),
    /// each conditioned on the characters before it in <paramref name="text"/>, and returns the (n, k) with the lowest
    /// bits per character (ties: the smaller n, then the earlier k) with the whole grid.
    /// </summary>
    public NGramResult Choose(ReadOnlySpan<int> text, IReadOnlyList<(int Start, int Count)> spans, IReadOnlyList<double>? smoothing = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var ks = (smoothing ?? DefaultSmoothing).ToArray();
        if (ks.Length == 0) throw new ArgumentException("n-gram: no smoothing constants to choose from", nameof(smoothing));
        foreach (var k in ks) CheckOrder(1, k);
        int characters = 0;
        foreach (var (start, count) in spans) characters += count;
        if (characters == 0) throw new ArgumentException("n-gram: no characters to score", nameof(spans));
        var grid = new List<NGramScore>();
        for (int order = 1; order <= MaxOrder; order++)
        {
            var bits = TotalBits(order, ks, text, spans);
            for (int j = 0; j < ks.Length; j++) grid.Add(new NGramScore(order, ks[j], bits[j] / characters));
        }
        var best = grid[0];
        foreach (var s in grid) if (s.BitsPerCharacter < best.BitsPerCharacter) best = s;
        return new NGramResult(best.Order, best.K, best.BitsPerCharacter, characters, grid);
    }

    /// <summary>Σ −log₂ p over the spans for each k: the counts are looked up once per character and shared by every k.</summary>
    private double[] TotalBits(int order, double[] ks, ReadOnlySpan<int> text, IReadOnlyList<(int Start, int Count)> spans)
    {
        var bits = new double[ks.Length];
        foreach (var (start, count) in spans)
        {
            if (start < 0 || count < 0 || start > text.Length - count)
                throw new ArgumentOutOfRangeException(nameof(spans), $"n-gram: span ({start}, {count}) is outside a text of {text.Length} characters");
            for (int i = start; i < start + count; i++)
            {
                var (pair, total) = Counts(order, text, i, Check(text[i]));
                for (int j = 0; j < ks.Length; j++) bits[j] -= Math.Log2((pair + ks[j]) / (total + ks[j] * VocabularySize));
            }
        }
        return bits;
    }

    /// <summary>count(h, next) and count(h) for h = the (up to) n − 1 ids of <paramref name="text"/> before <paramref name="at"/>.</summary>
    private (int Pair, int Total) Counts(int order, ReadOnlySpan<int> text, int at, int next)
    {
        int m = Math.Min(order - 1, at);
        Int128 key = 0;
        for (int j = 1; j <= m; j++) key = key * VocabularySize + Check(text[at - j]);
        context[m].TryGetValue(key, out int total);
        joint[m].TryGetValue(key * VocabularySize + next, out int pair);
        return (pair, total);
    }

    private int Check(int id) =>
        (uint)id < (uint)VocabularySize ? id : throw new ArgumentOutOfRangeException(nameof(id), $"n-gram: character id {id} is outside the vocabulary [0, {VocabularySize})");

    private void CheckOrder(int order, double k)
    {
        if (order < 1 || order > MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), $"n-gram: order {order} must be in [1, {MaxOrder}]");
        if (!(k > 0) || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), $"n-gram: smoothing k {k} must be a finite number > 0");
    }
}
