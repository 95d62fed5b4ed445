using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGradRnn;

/// <summary>
/// σ(x) and tanh(x) over spans with <see cref="Vector512{T}"/> for the fused cell kernels: exp by range
/// reduction (x = n·ln2 + r, |r| ≤ ln2/2, Cody–Waite split of ln2), a Taylor polynomial for e^r − 1 (degree 7 in
/// float, 13 in double: truncation below half an ulp) and 2ⁿ built in the exponent bits. tanh uses
/// e^(−2|x|) − 1 directly, so there is no cancellation near 0. Accuracy: a few ulp (tested against
/// <see cref="Math"/>). Without AVX-512 (or for other element types) they defer to <see cref="TensorPrimitives"/>.
/// </summary>
internal static class FastActivations
{
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Accelerated<T>()) Apply(x, y, sigmoid: true);
        else TensorPrimitives.Sigmoid(x, y);
    }

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Accelerated<T>()) Apply(x, y, sigmoid: false);
        else TensorPrimitives.Tanh(x, y);
    }

    /// <summary>Whole vectors in place, then the tail through a zero-padded vector.</summary>
    private static void Apply<T>(ReadOnlySpan<T> x, Span<T> y, bool sigmoid) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length < x.Length) throw new ArgumentException("destination too short", nameof(y));
        int n = x.Length, i = 0, w = Vector512<T>.Count;
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        for (; i + w <= n; i += w)
        {
            var v = Vector512.LoadUnsafe(ref xs, (nuint)i);
            (sigmoid ? Sigmoid(v) : Tanh(v)).StoreUnsafe(ref ys, (nuint)i);
        }
        if (i < n)
        {
            Span<T> tmp = stackalloc T[w];
            x[i..].CopyTo(tmp);
            var v = Vector512.Create((ReadOnlySpan<T>)tmp);
            (sigmoid ? Sigmoid(v) : Tanh(v)).CopyTo(tmp);
            tmp[..(n - i)].CopyTo(y[i..]);
        }
    }

    /// <summary>σ of one vector (float or double lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Sigmoid<T>(Vector512<T> x) =>
        typeof(T) == typeof(float) ? SigmoidF(x.AsSingle()).As<float, T>() : SigmoidD(x.AsDouble()).As<double, T>();

    /// <summary>tanh of one vector (float or double lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Tanh<T>(Vector512<T> x) =>
        typeof(T) == typeof(float) ? TanhF(x.AsSingle()).As<float, T>() : TanhD(x.AsDouble()).As<double, T>();

    /// <summary>True when the one-vector-at-a-time kernels run for <typeparamref name="T"/> on rows of length <paramref name="n"/>.</summary>
    internal static bool Vectorized<T>(int n) => Accelerated<T>() && n % Vector512<T>.Count == 0;

    /// <summary>True when the Vector512 kernels serve <typeparamref name="T"/> on this CPU.</summary>
    private static bool Accelerated<T>() => Vector512.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    // ---- float ----

    /// <summary>e^x − 1 = 2ⁿ·(1 + q) − 1 as (2ⁿ, q) with q = e^r − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Scale, Vector512<float> Q) ExpParts(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.0f)), Vector512.Create(88.0f));
        var k = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-0.693359375f), x);          // ln2 high part (exact in k·hi)
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(2.12194440e-4f), r);             // ln2 low part
        // e^r − 1 = r + r²/2! + … + r⁷/7! (Horner)
        var p = Vector512.Create(1.0f / 5040);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var q = p * r;
        // k is a whole number in [−126, 127] after the clamp, so the plain conversion needs none of the saturating fix-ups.
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32Native(k) + Vector512.Create(127), 23).AsSingle();
        return (scale, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SigmoidF(Vector512<float> x)
    {
        var (s, q) = ExpParts(-x);
        var e = Vector512.FusedMultiplyAdd(s, q, s);                                        // e^(−x)
        return KeepNaN(x, Reciprocal(Vector512<float>.One + e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TanhF(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var (s, q) = ExpParts(ax * Vector512.Create(-2.0f));
        var em1 = Vector512.FusedMultiplyAdd(s, q, s - Vector512<float>.One);               // e^(−2|x|) − 1, exact-ish near 0
        var t = -em1 * Reciprocal(Vector512.Create(2.0f) + em1);                           // tanh|x| = (1 − e^(−2|x|)) / (1 + e^(−2|x|))
        return KeepNaN(x, Vector512.CopySign(t, x));
    }

    /// <summary>
    /// 1/d for d in [1, 2^127): the 14-bit hardware estimate and one Newton step (about 28 bits, inside a float's
    /// rounding), much cheaper than a 512-bit division, which this CPU runs as two 256-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reciprocal(Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / d;
        var r = Avx512F.Reciprocal14(d);
        return Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-d, r, Vector512<float>.One), r);   // r + r·(1 − d·r)
    }

    /// <summary>NaN inputs stay NaN (the clamping above would hide them from anomaly detection).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> KeepNaN<T>(Vector512<T> x, Vector512<T> y) => Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);

    // ---- double ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> Scale, Vector512<double> Q) ExpParts(Vector512<double> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-708.0)), Vector512.Create(709.0));
        var k = Vector512.Round(x * Vector512.Create(1.4426950408889634074));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-6.93145751953125E-1), x);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-1.42860682030941723212E-6), r);
        var p = Vector512.Create(1.0 / 6227020800);                                         // 1/13!
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 479001600));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 39916800));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 3628800));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 362880));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 40320));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 5040));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        var q = p * r;
        // k is a whole number in [−1022, 1023] after the clamp: the plain conversion is exact.
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt64Native(k) + Vector512.Create(1023L), 52).AsDouble();
        return (scale, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> SigmoidD(Vector512<double> x)
    {
        var (s, q) = ExpParts(-x);
        var e = Vector512.FusedMultiplyAdd(s, q, s);
        return KeepNaN(x, Vector512<double>.One / (Vector512<double>.One + e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> TanhD(Vector512<double> x)
    {
        var ax = Vector512.Abs(x);
        var (s, q) = ExpParts(ax * Vector512.Create(-2.0));
        var em1 = Vector512.FusedMultiplyAdd(s, q, s - Vector512<double>.One);
        var t = -em1 / (Vector512.Create(2.0) + em1);
        return KeepNaN(x, Vector512.CopySign(t, x));
    }
}
