using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// A small, fast, seeded random number generator (xoshiro256**, seeded through SplitMix64).
/// Same seed, same numbers, on every platform and .NET version — unlike <see cref="Random"/>,
/// whose algorithm is not a compatibility promise. An instance is a stream: it is the one
/// mutable object in the library and belongs to one thread; pass seeds, not instances, across threads.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpare;

    /// <summary>Creates a generator from a seed.</summary>
    public Rng(long seed)
    {
        ulong x = (ulong)seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"NextInt: bound {maxExclusive} must be positive");
        return (int)((NextUInt64() >> 33) % (ulong)maxExclusive);
    }

    /// <summary>Standard normal N(0, 1) (Marsaglia polar method).</summary>
    public double NextNormal()
    {
        if (hasSpare) { hasSpare = false; return spareNormal; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.Sqrt(-2 * Math.Log(s) / s);
        spareNormal = v * m;
        hasSpare = true;
        return u * m;
    }

    /// <summary>The generator's whole state (four xoshiro words, then the spare normal's bits and a 0/1 flag), for resumable runs.</summary>
    internal ulong[] CaptureState() => [s0, s1, s2, s3, (ulong)BitConverter.DoubleToInt64Bits(spareNormal), hasSpare ? 1UL : 0UL];

    /// <summary>A generator that continues exactly where the one whose <see cref="CaptureState"/> gave <paramref name="state"/> stood.</summary>
    internal static Rng FromState(IReadOnlyList<ulong> state)
    {
        if (state.Count != 6) throw new ArgumentException($"rng state: {state.Count} words, expected 6", nameof(state));
        return new Rng(0) { s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3], spareNormal = BitConverter.Int64BitsToDouble((long)state[4]), hasSpare = state[5] != 0 };
    }

    /// <summary>A new generator whose stream is independent of this one's (for handing to a sub-task).</summary>
    public Rng Split() => new((long)NextUInt64());

    /// <summary>
    /// A tensor of normal N(<paramref name="mean"/>, <paramref name="std"/>²) values drawn from this stream, in row-major order.
    /// (A method of the stream rather than a <c>Tensor.RandomNormal</c> overload: an overload taking a seed or a stream in the
    /// same position cannot be resolved by F# when the argument is not annotated.)
    /// </summary>
    public Tensor<T> Normal<T>(Shape shape, double mean = 0, double std = 1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!double.IsFinite(mean) || !double.IsFinite(std) || std < 0)
            throw new ArgumentOutOfRangeException(nameof(std), $"RandomNormal: mean {mean} and std {std} must be finite, std ≥ 0");
        var data = new T[shape.Count];
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateTruncating(mean + std * NextNormal());
        return new Tensor<T>(data, shape);
    }

    /// <summary>A tensor of uniform values in [<paramref name="low"/>, <paramref name="high"/>) drawn from this stream, in row-major order.</summary>
    public Tensor<T> Uniform<T>(Shape shape, double low = 0, double high = 1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!double.IsFinite(low) || !double.IsFinite(high) || high < low)
            throw new ArgumentOutOfRangeException(nameof(high), $"RandomUniform: bounds [{low}, {high}) must be finite with low ≤ high");
        var data = new T[shape.Count];
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateTruncating(low + (high - low) * NextDouble());
        return new Tensor<T>(data, shape);
    }
}
