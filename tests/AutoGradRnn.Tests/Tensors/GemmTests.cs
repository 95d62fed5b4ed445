using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace AutoGradRnn.Tests;

/// <summary>
/// The packed, register-blocked GEMM against a naive float64 reference on random odd shapes (1..300 per
/// dimension, biased small), in all four transpose forms, both precisions and every SIMD width this CPU
/// runs, with leading dimensions, offsets and accumulation.
/// </summary>
[Properties(Arbitrary = new[] { typeof(GemmTests.GemmCases) })]
public class GemmTests
{
    public sealed record GemmCase(int M, int K, int N, int Pad, bool Accumulate, long Seed)
    {
        public override string ToString() => $"m {M} k {K} n {N} pad {Pad} accumulate {Accumulate} seed {Seed}";
    }

    // Mostly small (edge tiles everywhere), sometimes large (several KC/MC blocks, two threads).
    private static Gen<int> Dim => Gen.Frequency((7, Gen.Choose(1, 40)), (3, Gen.Choose(1, 300)));

    public static class GemmCases
    {
        public static Arbitrary<GemmCase> Cases() => Arb.From(
            from m in Dim from k in Dim from n in Dim from pad in Gen.Choose(0, 3) from acc in Gen.Elements(false, true)
            from s in Props.Seeds select new GemmCase(m, k, n, pad, acc, s),
            Props.Shrink<GemmCase>(c => new[] { c with { M = c.M / 2 }, c with { K = c.K / 2 }, c with { N = c.N / 2 }, c with { M = c.M - 1 }, c with { K = c.K - 1 }, c with { N = c.N - 1 } }
                .Where(x => x.M >= 1 && x.K >= 1 && x.N >= 1)));
    }

    internal static IEnumerable<GemmWidth> Widths<T>()
    {
        yield return GemmWidth.Scalar;
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) yield break;
        if (Vector128.IsHardwareAccelerated) yield return GemmWidth.V128;
        if (Vector256.IsHardwareAccelerated) yield return GemmWidth.V256;
        if (Vector512.IsHardwareAccelerated) yield return GemmWidth.V512;
    }

    /// <summary>Checks every transpose form, thread count and (unless <paramref name="only"/> names one) SIMD width.</summary>
    private static void CheckCase<T>(GemmCase c, double eps, GemmWidth? only = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(c.Seed);
        T[] Random(int count) => Enumerable.Range(0, count).Select(_ => T.CreateTruncating(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (var (transA, transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            // Buffers with padded leading dimensions and an offset, so strides are exercised too.
            int aRows = transA ? c.K : c.M, aCols = transA ? c.M : c.K, lda = aCols + c.Pad;
            int bRows = transB ? c.N : c.K, bCols = transB ? c.K : c.N, ldb = bCols + c.Pad;
            int ldc = c.N + c.Pad, off = c.Pad;
            var a = Random(off + aRows * lda);
            var b = Random(off + bRows * ldb);
            var c0 = Random(off + c.M * ldc);
            double A(int i, int p) => double.CreateTruncating(transA ? a[off + p * lda + i] : a[off + i * lda + p]);
            double B(int p, int j) => double.CreateTruncating(transB ? b[off + j * ldb + p] : b[off + p * ldb + j]);
            var expected = new double[c.M * c.N];
            var scale = new double[c.M * c.N];
            for (int i = 0; i < c.M; i++)
                for (int j = 0; j < c.N; j++)
                {
                    double s = c.Accumulate ? double.CreateTruncating(c0[off + i * ldc + j]) : 0, abs = Math.Abs(s);
                    for (int p = 0; p < c.K; p++) { s += A(i, p) * B(p, j); abs += Math.Abs(A(i, p) * B(p, j)); }
                    (expected[i * c.N + j], scale[i * c.N + j]) = (s, abs);
                }
            foreach (var width in only is GemmWidth w ? [w] : Widths<T>())
                foreach (int threads in new[] { 1, 2 })
                {
                    var cc = (T[])c0.Clone();
                    Gemm.Multiply(a, off, lda, transA, b, off, ldb, transB, cc, off, ldc, c.M, c.K, c.N, c.Accumulate, width, threads);
                    for (int i = 0; i < c.M; i++)
                        for (int j = 0; j < c.N; j++)
                        {
                            double got = double.CreateTruncating(cc[off + i * ldc + j]), want = expected[i * c.N + j];
                            // Rounding error of a length-K dot product grows like K·ε·Σ|aᵢbᵢ|.
                            double tol = (c.K + 2) * eps * scale[i * c.N + j] + 1e-30;
                            if (!(Math.Abs(got - want) <= tol))
                                Assert.Fail($"{typeof(T).Name} {width} threads {threads} transA {transA} transB {transB}: C[{i},{j}] = {got} but reference {want} (tolerance {tol:G3})");
                        }
                    // Padding between rows of C is never written.
                    for (int i = 0; i < c.M; i++)
                        for (int j = c.N; j < ldc && i * ldc + j + off < cc.Length; j++)
                            Assert.Equal(c0[off + i * ldc + j], cc[off + i * ldc + j]);
                }
        }
    }

    [Property(MaxTest = 25)]
    public void Float32_matches_the_reference_in_all_transpose_forms(GemmCase c) => CheckCase<float>(c, 2 * 5.96e-8);

    [Property(MaxTest = 25)]
    public void Float64_matches_the_reference_in_all_transpose_forms(GemmCase c) => CheckCase<double>(c, 2 * 1.11e-16);

    /// <summary>
    /// Fixed edge cases beside the random ones: k across the 256-deep KC block boundary with partial row and column
    /// tiles of every kind (MR is 8 rows, NR two vectors: 16 or 32 columns), so a micro-kernel that drops the
    /// accumulation across k-blocks on an edge tile fails every run, not one draw in 25.
    /// </summary>
    public static TheoryData<int, int, int> EdgeShapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int k in new[] { 255, 256, 257, 513 })
            foreach (int m in new[] { 1, 7, 9, 17 })
                foreach (int n in new[] { 1, 15, 17, 33 })
                    data.Add(m, k, n);
        return data;
    }

    [Theory, MemberData(nameof(EdgeShapes))]
    public void Edge_tiles_across_k_blocks_match_the_reference(int m, int k, int n)
    {
        foreach (bool accumulate in new[] { false, true })
        {
            var c = new GemmCase(m, k, n, Pad: 1, accumulate, Seed: m * 100_000 + k * 100 + n);
            CheckCase<float>(c, 2 * 5.96e-8);
            CheckCase<double>(c, 2 * 1.11e-16);
        }
    }

    /// <summary>Each SIMD width this CPU runs (by name: the enum is internal), with k on both sides of the KC block boundary.</summary>
    public static TheoryData<string, int> WidthsAndDepths()
    {
        var data = new TheoryData<string, int>();
        foreach (var width in Widths<float>())
            foreach (int k in new[] { 255, 256, 257, 513 })
                data.Add(width.ToString(), k);
        return data;
    }

    /// <summary>
    /// The tile sizes of each width as the kernel reports them (<see cref="Gemm.Tile{T}"/>): m one below, at and one
    /// above MR, n likewise around NR, so full tiles, partial tiles and one-past tiles all meet k-block accumulation.
    /// Kills an edge-tile copy that overwrites C instead of adding when p0 &gt; 0 (`if (acc)` → `if (accumulate)`).
    /// </summary>
    [Theory, MemberData(nameof(WidthsAndDepths))]
    public void Each_width_around_its_own_tile_sizes_matches_the_reference_across_k_blocks(string width, int k)
    {
        Around<float>(Enum.Parse<GemmWidth>(width), k, 2 * 5.96e-8);
        Around<double>(Enum.Parse<GemmWidth>(width), k, 2 * 1.11e-16);
    }

    private static void Around<T>(GemmWidth width, int k, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (mr, nr) = Gemm.Tile<T>(width);
        foreach (int m in new[] { mr - 1, mr, mr + 1 }.Where(d => d >= 1))
            foreach (int n in new[] { nr - 1, nr, nr + 1 }.Where(d => d >= 1))
                foreach (bool accumulate in new[] { false, true })
                    CheckCase<T>(new GemmCase(m, k, n, Pad: 1, accumulate, Seed: m * 100_000 + k * 100 + n), eps, width);
    }

    [Property(MaxTest = 10)]
    public void A_prepacked_right_operand_gives_the_same_product(GemmCase c)
    {
        var rng = new Rng(c.Seed);
        var a = Enumerable.Range(0, c.M * c.K).Select(_ => rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, c.K * c.N).Select(_ => rng.NextDouble()).ToArray();
        var direct = new double[c.M * c.N];
        Gemm.Multiply(a, false, b, false, direct, c.M, c.K, c.N);
        using var packed = Gemm.PackB(b, 0, c.N, false, c.K, c.N);
        var viaPacked = new double[c.M * c.N];
        Gemm.Multiply(a, 0, c.K, false, packed, viaPacked, 0, c.N, c.M, accumulate: false);
        Assert.Equal(direct, viaPacked);
    }

    [Fact]
    public void Empty_inner_dimension_gives_zeros()
    {
        var c = new[] { 1.0, 2.0 };
        Gemm.Multiply([], false, [], false, c, 1, 0, 2);
        Assert.Equal(new[] { 0.0, 0.0 }, c);
    }
}
