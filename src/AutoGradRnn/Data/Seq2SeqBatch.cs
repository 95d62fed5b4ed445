namespace AutoGradRnn;

/// <summary>
/// A batch of (source, target) symbol sequences for a sequence-to-sequence model, padded to rectangles:
/// <see cref="Source"/> is <c>[B, T_x]</c> and <see cref="Target"/> <c>[B, T_y]</c>, row-major; the lengths say how
/// many leading symbols of each row are real (padding holds any valid symbol, and is masked). <see cref="Items"/> counts
/// the real target symbols.
/// </summary>
public sealed record Seq2SeqBatch : ITrainingBatch
{
    private Seq2SeqBatch(int batch, int[] source, int[] sourceLengths, int[] target, int[] targetLengths)
    {
        Batch = batch;
        Source = source;
        SourceLengths = sourceLengths;
        Target = target;
        TargetLengths = targetLengths;
    }

    /// <summary>Sequences B.</summary>
    public int Batch { get; }

    /// <summary>Source symbols <c>[B, T_x]</c>, row-major.</summary>
    public IReadOnlyList<int> Source { get; }

    /// <summary>Real source steps of each row, in [1, T_x].</summary>
    public IReadOnlyList<int> SourceLengths { get; }

    /// <summary>Target symbols <c>[B, T_y]</c>, row-major.</summary>
    public IReadOnlyList<int> Target { get; }

    /// <summary>Real target steps of each row, in [1, T_y].</summary>
    public IReadOnlyList<int> TargetLengths { get; }

    /// <summary>Source steps T_x (the longest source).</summary>
    public int SourceSteps => Source.Count / Batch;

    /// <summary>Target steps T_y (the longest target).</summary>
    public int TargetSteps => Target.Count / Batch;

    /// <inheritdoc/>
    public int Items => TargetLengths.Sum();

    /// <summary>True when some row is shorter than the longest.</summary>
    public bool SourcePadded => SourceLengths.Any(l => l < SourceSteps);

    /// <summary>True when some target row is shorter than the longest.</summary>
    public bool TargetPadded => TargetLengths.Any(l => l < TargetSteps);

    /// <summary>
    /// A batch from one source and one target sequence per row, padded at the end with <paramref name="padding"/> to the
    /// longest of each. Every sequence needs at least one symbol; symbols and the padding must be ≥ 0.
    /// </summary>
    public static Seq2SeqBatch Create(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count == 0) throw new ArgumentOutOfRangeException(nameof(sources), "seq2seq batch: no sequences; at least 1 is needed");
        if (sources.Count != targets.Count)
            throw new ArgumentOutOfRangeException(nameof(targets), $"seq2seq batch: {sources.Count} sources but {targets.Count} targets");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"seq2seq batch: padding symbol {padding} must be ≥ 0");
        return new(sources.Count, Pad(sources, padding, "source", out var sourceLengths), sourceLengths, Pad(targets, padding, "target", out var targetLengths), targetLengths);
    }

    /// <summary>The <c>[B, T_x]</c> mask of real source steps (1) and padding (0).</summary>
    public Tensor<T> SourceMask<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Sequence.MaskFromLengths<T>([.. SourceLengths], SourceSteps);

    /// <summary>The <c>[B, T_y]</c> mask of real target steps (1) and padding (0).</summary>
    public Tensor<T> TargetMask<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Sequence.MaskFromLengths<T>([.. TargetLengths], TargetSteps);

    private static int[] Pad(IReadOnlyList<int[]> rows, int padding, string what, out int[] lengths)
    {
        lengths = new int[rows.Count];
        for (int b = 0; b < rows.Count; b++)
        {
            ArgumentNullException.ThrowIfNull(rows[b], $"{what}s[{b}]");
            if (rows[b].Length == 0) throw new ArgumentOutOfRangeException($"{what}s", $"seq2seq batch: {what} {b} is empty; every sequence needs at least one symbol");
            int bad = Array.FindIndex(rows[b], s => s < 0);
            if (bad >= 0) throw new ArgumentOutOfRangeException($"{what}s", $"seq2seq batch: {what} {b} has symbol {rows[b][bad]} at step {bad}; symbols must be ≥ 0");
            lengths[b] = rows[b].Length;
        }
        int steps = lengths.Max();
        var data = new int[rows.Count * steps];
        for (int b = 0; b < rows.Count; b++)
        {
            Array.Fill(data, padding, b * steps, steps);
            rows[b].CopyTo(data, b * steps);
        }
        return data;
    }
}
