using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Dropout masks, drawn explicitly so that every op and cell stays a pure function of its inputs (Srivastava et al. 2014,
/// in the inverted form PyTorch uses): each entry is 0 with probability p and <c>1/(1−p)</c> otherwise, so that
/// <c>E[x ⊙ m] = x</c>. Training passes a mask; evaluation passes none. Masks for step k of a run come from
/// <see cref="Stream(long, long, long)"/>(seed, k, …), so the same run (or a resumed one) draws the same masks bit for bit.
/// </summary>
public static class DropoutMasks
{
    /// <summary>
    /// A mask of <paramref name="shape"/>: each entry independently 0 with probability <paramref name="p"/>, else
    /// <c>1/(1−p)</c>, drawn in row-major order from <paramref name="rng"/>. With p = 0 every entry is 1 (and nothing is drawn).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public static Tensor<T> Draw<T>(Shape shape, double p, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rng);
        CheckProbability(p, nameof(p));
        if (p == 0) return Tensor.Ones<T>(shape);
        var keep = T.CreateTruncating(1 / (1 - p));
        var data = new T[shape.Count];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() < p ? T.Zero : keep;
        return new Tensor<T>(data, shape);
    }

    /// <summary>
    /// The masks between the layers of <paramref name="stack"/> for one training batch of <paramref name="batch"/> sequences
    /// of <paramref name="steps"/> steps: mask l is <c>[B, T, H_l]</c> (H_l the output size of layer l), a fresh draw for
    /// every sequence, step and unit, as PyTorch's <c>nn.LSTM(dropout=p)</c>. For
    /// <see cref="Stacked{TState, T}.UnrollWithDropout"/>. With p = 0 they are all ones.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public static Tensor<T>[] BetweenLayers<TState, T>(Stacked<TState, T> stack, int batch, int steps, double p, Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(stack.Layers);
        ArgumentNullException.ThrowIfNull(rng);
        CheckProbability(p, nameof(p));
        return [.. stack.Layers.Take(stack.Layers.Length - 1).Select(l => Draw<T>(new Shape(batch, steps, l.OutputSize), p, rng))];
    }

    /// <summary>
    /// A generator for the masks of one use: training step <paramref name="step"/> of a run seeded <paramref name="seed"/>,
    /// and <paramref name="index"/> telling its uses apart (e.g. the layer). A pure function of the three numbers, so masks
    /// need no state of their own: a resumed run that knows its step draws exactly the masks the uninterrupted run drew.
    /// </summary>
    public static Rng Stream(long seed, long step, long index)
    {
        // SplitMix64's finaliser over each number in turn: nearby (seed, step, index) give unrelated streams.
        ulong h = Mix((ulong)seed ^ 0x6A09E667F3BCC909UL);
        h = Mix(h ^ (ulong)step);
        h = Mix(h ^ (ulong)index);
        return new Rng((long)h);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless 0 ≤ p &lt; 1.</summary>
    internal static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(name, p, $"dropout: probability {name} = {p} must be in [0, 1)");
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
