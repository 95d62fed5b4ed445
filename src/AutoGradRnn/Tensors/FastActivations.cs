using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AutoGradRnn;

/// <summary>
/// σ(x) and tanh(x) for the fused cell kernels, written once over <see cref="ISimdVector{TSelf, T}"/> (128-, 256- and
/// 512-bit vectors of float or double): exp by range reduction (x = n·ln2 + r, |r| ≤ ln2/2, Cody–Waite split of ln2), a
/// Taylor polynomial for e^r − 1 (degree 7 in float, 13 in double: truncation below half an ulp) and 2ⁿ built in the
/// exponent bits. tanh uses e^(−2|x|) − 1 directly, so there is no cancellation near 0. Accuracy: a few ulp (tested
/// against <see cref="Math"/>). The span forms run at <see cref="FusedWidth.Current"/>; for element types other than
/// float and double they defer to <see cref="TensorPrimitives"/>.
/// </summary>
internal static class FastActivations
{
    /// <summary>y = σ(x) at <paramref name="width"/> bits (a kernel's own <see cref="FusedCellKernel{T}.Width"/>; 0: <see cref="FusedWidth.Current"/>).</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y, int width = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!FusedWidth.Supports<T>()) { TensorPrimitives.Sigmoid(x, y); return; }
        switch (width == 0 ? FusedWidth.Current : width)
        {
            case 512: Apply<V512<T>, T>(x, y, sigmoid: true); break;
            case 256: Apply<V256<T>, T>(x, y, sigmoid: true); break;
            default: Apply<V128<T>, T>(x, y, sigmoid: true); break;
        }
    }

    /// <summary>y = tanh(x) at <paramref name="width"/> bits (a kernel's own <see cref="FusedCellKernel{T}.Width"/>; 0: <see cref="FusedWidth.Current"/>).</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y, int width = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!FusedWidth.Supports<T>()) { TensorPrimitives.Tanh(x, y); return; }
        switch (width == 0 ? FusedWidth.Current : width)
        {
            case 512: Apply<V512<T>, T>(x, y, sigmoid: false); break;
            case 256: Apply<V256<T>, T>(x, y, sigmoid: false); break;
            default: Apply<V128<T>, T>(x, y, sigmoid: false); break;
        }
    }

    /// <summary>Whole vectors, then the tail as one zero-padded vector (only its values are written).</summary>
    private static void Apply<V, T>(ReadOnlySpan<T> x, Span<T> y, bool sigmoid)
        where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length < x.Length) throw new ArgumentException("destination too short", nameof(y));
        int n = x.Length, i = 0, w = V.Count;
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        for (; i + w <= n; i += w)
        {
            var v = V.Load(ref xs, (nuint)i);
            V.Store(sigmoid ? Sigmoid<V, T>(v) : Tanh<V, T>(v), ref ys, (nuint)i);
        }
        if (i < n)
        {
            var v = V.LoadPart(ref xs, (nuint)i, n - i);
            V.StorePart(sigmoid ? Sigmoid<V, T>(v) : Tanh<V, T>(v), ref ys, (nuint)i, n - i);
        }
    }

    /// <summary>e^x − 1 = 2ⁿ·(1 + q) − 1 as (2ⁿ, q) with q = e^r − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (V Scale, V Q) ExpParts<V, T>(V x) where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        x = V.Min(V.Max(x, V.Create(-87.0f, -708.0)), V.Create(88.0f, 709.0));
        var k = V.Round(x * V.Create(1.44269504088896341f, 1.4426950408889634074));
        var r = V.FusedMultiplyAdd(k, V.Create(-0.693359375f, -6.93145751953125E-1), x);            // ln2 high part (exact in k·hi)
        r = V.FusedMultiplyAdd(k, V.Create(2.12194440e-4f, -1.42860682030941723212E-6), r);          // ln2 low part
        // e^r − 1 = r + r²/2! + … + r⁷/7! in float, … + r¹³/13! in double (Horner)
        V p;
        if (typeof(T) == typeof(float)) p = V.Create(1.0f / 5040, 0);
        else
        {
            p = V.Create(0, 1.0 / 6227020800);                                                        // 1/13!
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 479001600));
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 39916800));
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 3628800));
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 362880));
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 40320));
            p = V.FusedMultiplyAdd(p, r, V.Create(0, 1.0 / 5040));
        }
        p = V.FusedMultiplyAdd(p, r, V.Create(1.0f / 720, 1.0 / 720));
        p = V.FusedMultiplyAdd(p, r, V.Create(1.0f / 120, 1.0 / 120));
        p = V.FusedMultiplyAdd(p, r, V.Create(1.0f / 24, 1.0 / 24));
        p = V.FusedMultiplyAdd(p, r, V.Create(1.0f / 6, 1.0 / 6));
        p = V.FusedMultiplyAdd(p, r, V.Create(0.5f, 0.5));
        p = V.FusedMultiplyAdd(p, r, V.One);
        // k is a whole number within the exponent range after the clamp, so the plain conversion needs no saturating fix-ups.
        return (V.Pow2(k), p * r);
    }

    /// <summary>σ of one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Sigmoid<V, T>(V x) where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (s, q) = ExpParts<V, T>(-x);
        var e = V.FusedMultiplyAdd(s, q, s);                                                        // e^(−x)
        // float: the reciprocal estimate and a Newton step is much cheaper than a division (two 256-bit halves at 512 bits)
        return V.KeepNaN(x, typeof(T) == typeof(float) ? V.ReciprocalF(V.One + e) : V.One / (V.One + e));
    }

    /// <summary>tanh of one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Tanh<V, T>(V x) where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ax = V.Abs(x);
        var (s, q) = ExpParts<V, T>(ax * V.Create(-2.0f, -2.0));
        var em1 = V.FusedMultiplyAdd(s, q, s - V.One);                                              // e^(−2|x|) − 1, exact-ish near 0
        var two = V.Create(2.0f, 2.0);
        // tanh|x| = (1 − e^(−2|x|)) / (1 + e^(−2|x|))
        var t = typeof(T) == typeof(float) ? -em1 * V.ReciprocalF(two + em1) : -em1 / (two + em1);
        return V.KeepNaN(x, V.CopySign(t, x));                                                      // NaN stays NaN (the clamp would hide it)
    }
}
