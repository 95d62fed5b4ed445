using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AutoGradRnn;

/// <summary>
/// Elementwise loops for the short rows of the fused kernels' inner loops, where a library call's fixed cost
/// (dispatch, overlap checks) is larger than the work on a row of 32 or 64 values.
/// </summary>
internal static class Simd
{
    /// <summary>d = x + y, element by element (the same bits as a scalar loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumberBase<T>
    {
        int n = d.Length, i = 0;
        if (x.Length < n || y.Length < n) throw new ArgumentException($"add: inputs of {x.Length} and {y.Length} values for {n} outputs");
        ref T xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), dr = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i + Vector512<T>.Count <= n; i += Vector512<T>.Count)
                (Vector512.LoadUnsafe(ref xr, (nuint)i) + Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref xr, (nuint)i) + Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = Unsafe.Add(ref xr, i) + Unsafe.Add(ref yr, i);
    }
}
