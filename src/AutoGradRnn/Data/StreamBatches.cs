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
    /// <summary>
    /// Batches of next-symbol prediction over <paramref name="sequence"/>. Each batch is made from the sequence when it
    /// is read (the list holds no copy of the data), so the sequence must not change while the batches are in use.
    /// </summary>
    public static (StreamLayout Layout, IReadOnlyList<TokenBatch> Batches) Tokens(int[] sequence, int streams, int steps)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var layout = StreamLayout.Create(sequence.Length, streams, steps);
        return (layout, new BatchList<TokenBatch>(layout.Batches, k =>
        {
            var inputs = new int[streams * steps];
            var targets = new int[streams * steps];
            for (int b = 0; b < streams; b++)
            {
                // Stream b's chunk k is contiguous in the sequence: inputs at [pos, pos + T), targets one further.
                int pos = layout.Position(k, b, 0);
                sequence.AsSpan(pos, steps).CopyTo(inputs.AsSpan(b * steps, steps));
                sequence.AsSpan(pos + 1, steps).CopyTo(targets.AsSpan(b * steps, steps));
            }
            return new TokenBatch(k, inputs, targets, streams, steps);
        }));
    }

    /// <summary>
    /// Batches of next-step prediction over a series <c>[N, F]</c> (or <c>[N]</c>, treated as one feature). Each batch is
    /// made from the (immutable) series when it is read; the list holds no copy of the data.
    /// </summary>
    public static (StreamLayout Layout, IReadOnlyList<SeriesBatch<T>> Batches) Series<T>(Tensor<T> series, int streams, int steps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank is not (1 or 2)) throw new ShapeMismatchException("batching", "the series must be [length] or [length, features]", series.Shape);
        int f = series.Rank == 1 ? 1 : series.Shape[1];
        var layout = StreamLayout.Create(series.Shape[0], streams, steps);
        return (layout, new BatchList<SeriesBatch<T>>(layout.Batches, k =>
        {
            var data = series.AsSpan();
            var inputs = new T[streams * steps * f];
            var targets = new T[streams * steps * f];
            for (int b = 0; b < streams; b++)
            {
                int pos = layout.Position(k, b, 0), o = b * steps * f;
                data.Slice(pos * f, steps * f).CopyTo(inputs.AsSpan(o, steps * f));
                data.Slice((pos + 1) * f, steps * f).CopyTo(targets.AsSpan(o, steps * f));
            }
            var shape = new Shape(streams, steps, f);
            return new SeriesBatch<T>(k, new Tensor<T>(inputs, shape), new Tensor<T>(targets, shape));   // fresh arrays: no copy needed
        }));
    }
}
