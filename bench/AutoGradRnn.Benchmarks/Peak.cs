using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGradRnn.Benchmarks;

/// <summary>The machine's measured fp32 peak on one thread: a register-only Vector512 (or Vector256) FMA loop with 16 independent accumulators.</summary>
public static class Peak
{
    /// <summary>Best of several 50 ms runs, in GFLOP/s, with the widest accelerated vectors.</summary>
    public static double Measure() => Measure(wide: Vector512.IsHardwareAccelerated);

    /// <summary>
    /// Best of several short runs with <c>Vector512</c> (<paramref name="wide"/>) or <c>Vector256</c>. On a CPU
    /// that splits 512-bit operations into two 256-bit halves (AMD Zen 4), both widths give the same peak.
    /// </summary>
    public static double Measure(bool wide)
    {
        double best = 0;
        for (int r = 0; r < 20; r++)
        {
            const int iters = 2_000_000;
            var sw = Stopwatch.StartNew();
            float sink = wide ? Loop512(iters) : Loop256(iters);
            double s = sw.Elapsed.TotalSeconds;
            int lanes = wide ? 16 : 8;
            best = Math.Max(best, 16.0 * 2 * lanes * iters / s / 1e9 + (sink == 12345 ? 1e-9 : 0));
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(int n)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x, a12 = x, a13 = x, a14 = x, a15 = x;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, y, x); a1 = Vector512.FusedMultiplyAdd(a1, y, x); a2 = Vector512.FusedMultiplyAdd(a2, y, x); a3 = Vector512.FusedMultiplyAdd(a3, y, x);
            a4 = Vector512.FusedMultiplyAdd(a4, y, x); a5 = Vector512.FusedMultiplyAdd(a5, y, x); a6 = Vector512.FusedMultiplyAdd(a6, y, x); a7 = Vector512.FusedMultiplyAdd(a7, y, x);
            a8 = Vector512.FusedMultiplyAdd(a8, y, x); a9 = Vector512.FusedMultiplyAdd(a9, y, x); a10 = Vector512.FusedMultiplyAdd(a10, y, x); a11 = Vector512.FusedMultiplyAdd(a11, y, x);
            a12 = Vector512.FusedMultiplyAdd(a12, y, x); a13 = Vector512.FusedMultiplyAdd(a13, y, x); a14 = Vector512.FusedMultiplyAdd(a14, y, x); a15 = Vector512.FusedMultiplyAdd(a15, y, x);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(int n)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x, a12 = x, a13 = x, a14 = x, a15 = x;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector256.MultiplyAddEstimate(a0, y, x); a1 = Vector256.MultiplyAddEstimate(a1, y, x); a2 = Vector256.MultiplyAddEstimate(a2, y, x); a3 = Vector256.MultiplyAddEstimate(a3, y, x);
            a4 = Vector256.MultiplyAddEstimate(a4, y, x); a5 = Vector256.MultiplyAddEstimate(a5, y, x); a6 = Vector256.MultiplyAddEstimate(a6, y, x); a7 = Vector256.MultiplyAddEstimate(a7, y, x);
            a8 = Vector256.MultiplyAddEstimate(a8, y, x); a9 = Vector256.MultiplyAddEstimate(a9, y, x); a10 = Vector256.MultiplyAddEstimate(a10, y, x); a11 = Vector256.MultiplyAddEstimate(a11, y, x);
            a12 = Vector256.MultiplyAddEstimate(a12, y, x); a13 = Vector256.MultiplyAddEstimate(a13, y, x); a14 = Vector256.MultiplyAddEstimate(a14, y, x); a15 = Vector256.MultiplyAddEstimate(a15, y, x);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector256.Sum(s);
    }
}
