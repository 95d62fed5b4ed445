using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Where the symbols of stream-batched data come from: one long sequence of N symbols is cut into B
/// streams of L = ⌊N/B⌋ consecutive symbols (the remainder is dropped), and each stream into chunks of T steps.
/// Batch k holds chunk k of every stream, so row b of batch k+1 continues row b of batch k exactly:
/// the hidden state can be carried across batches (truncated BPTT).
/// </summary>
public sealed record StreamLayout(int Length, int Streams, int Steps)
{
    /// <summary>Symbols per stream, L.</summary>
    public int StreamLength => Length / Streams;

    /// <summary>Number of batches: each needs T inputs plus one more symbol for the last target.</summary>
    public int Batches => (StreamLength - 1) / Steps;

    /// <summary>The index in the original sequence of input (batch k, stream b, step t); its target is the next index.</summary>
    public int Position(int batch, int stream, int step)
    {
        if ((uint)batch >= (uint)Batches || (uint)stream >= (uint)Streams || (uint)step >= (uint)Steps)
            throw new ArgumentOutOfRangeException(nameof(batch), $"stream layout: (batch {batch}, stream {stream}, step {step}) is outside {Batches} batches × {Streams} streams × {Steps} steps");
        return stream * StreamLength + batch * Steps + step;
    }

    internal static StreamLayout Create(int length, int streams, int steps)
    {
        if (streams <= 0) throw new ArgumentOutOfRangeException(nameof(streams), $"batching: streams {streams} must be positive");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"batching: steps {steps} must be positive");
        var layout = new StreamLayout(length, streams, steps);
        if (layout.Batches < 1)
            throw new ArgumentException($"batching: a sequence of {length} cannot fill {streams} streams of {steps} steps plus one target (needs at least {streams * (steps + 1)})");
        return layout;
    }
}

/// <summary>Symbols for one truncated-BPTT batch: inputs and next-symbol targets, row-major <c>[B, T]</c>.</summary>
public sealed record TokenBatch(int Index, int[] Inputs, int[] Targets, int Streams, int Steps) : ITrainingBatch
{
    /// <inheritdoc/>
    public int Items => Streams * Steps;
}

/// <summary>Values for one truncated-BPTT batch of a multivariate series: inputs <c>[B, T, F]</c> and next-step targets <c>[B, T, F]</c>.</summary>
public sealed record SeriesBatch<T>(int Index, Tensor<T> Inputs, Tensor<T> Targets) : ITrainingBatch where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int Items => Inputs.Shape[0] * Inputs.Shape[1];
}

/// <summary>
/// Sequence batching for truncated backpropagation through time: one long sequence → B parallel
/// streams → chunks of T steps, in order (never shuffled, so the state can be carried). See
/// <see cref="StreamLayout"/> for which symbol lands where.
/// </summary>
public static class StreamBatching
{
    /// <summary>Batches of next-symbol prediction over <paramref name="sequence"/>.</summary>
    public static (StreamLayout Layout, IReadOnlyList<TokenBatch> Batches) Tokens(int[] sequence, int streams, int steps)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var layout = StreamLayout.Create(sequence.Length, streams, steps);
        var batches = new TokenBatch[layout.Batches];
        for (int k = 0; k < batches.Length; k++)
        {
            var inputs = new int[streams * steps];
            var targets = new int[streams * steps];
            for (int b = 0; b < streams; b++)
                for (int t = 0; t < steps; t++)
                {
                    int pos = layout.Position(k, b, t);
                    inputs[b * steps + t] = sequence[pos];
                    targets[b * steps + t] = sequence[pos + 1];
                }
            batches[k] = new TokenBatch(k, inputs, targets, streams, steps);
        }
        return (layout, batches);
    }

    /// <summary>Batches of next-step prediction over a series <c>[N, F]</c> (or <c>[N]</c>, treated as one feature).</summary>
    public static (StreamLayout Layout, IReadOnlyList<SeriesBatch<T>> Batches) Series<T>(Tensor<T> series, int streams, int steps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank is not (1 or 2)) throw new ShapeMismatchException("batching", "the series must be [length] or [length, features]", series.Shape);
        int f = series.Rank == 1 ? 1 : series.Shape[1];
        var layout = StreamLayout.Create(series.Shape[0], streams, steps);
        var data = series.AsSpan();
        var batches = new SeriesBatch<T>[layout.Batches];
        for (int k = 0; k < batches.Length; k++)
        {
            var inputs = new T[streams * steps * f];
            var targets = new T[streams * steps * f];
            for (int b = 0; b < streams; b++)
                for (int t = 0; t < steps; t++)
                {
                    int pos = layout.Position(k, b, t), o = (b * steps + t) * f;
                    data.Slice(pos * f, f).CopyTo(inputs.AsSpan(o, f));
                    data.Slice((pos + 1) * f, f).CopyTo(targets.AsSpan(o, f));
                }
            batches[k] = new SeriesBatch<T>(k, Tensor.FromArray(inputs, streams, steps, f), Tensor.FromArray(targets, streams, steps, f));
        }
        return (layout, batches);
    }
}
