using System.Numerics;
using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Fused == composed (values and gradients) for every fused kernel in float32 AND float64, at hidden sizes that are whole
/// vectors of every lane width (2 to 16 lanes: 128-, 256- and 512-bit doubles and floats), and sizes with a remainder
/// (1, 7, 9, 15, 17, 31, 33), each case at every vector width this machine can run (<see cref="FusedWidth.Force"/>), so
/// the whole-vector step and the padded last vector are both checked at each width.
/// </summary>
public class FusedWidthTests
{
    /// <summary>128 and 256 bits, and 512 where it is accelerated (emulated 512-bit vectors would be correct but slow).</summary>
    public static int[] Widths => Vector512.IsHardwareAccelerated ? [128, 256, 512] : [128, 256];

    [Fact]
    public void A_kernel_runs_at_the_forced_width_and_otherwise_at_the_widest_accelerated_one()
    {
        var cell = Lstm<float>.Create(3, 9, 1);
        foreach (var bits in Widths)
            using (FusedWidth.Force(bits))
                Assert.Equal(bits, FusedKernels.Create(cell).Kernel!.Width);
        int widest = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        Assert.Equal(widest, FusedKernels.Create(cell).Kernel!.Width);
        Assert.Equal(widest, FusedWidth.Current);
    }

    [Fact]
    public void A_forced_width_ends_with_its_scope_and_does_not_reach_other_async_flows()
    {
        using (FusedWidth.Force(128))
        {
            Assert.Equal(128, FusedWidth.Current);
            using (FusedWidth.Force(256)) Assert.Equal(256, FusedWidth.Current);
            Assert.Equal(128, FusedWidth.Current);
            int elsewhere = 0;
            var t = new Thread(() => elsewhere = FusedWidth.Current);
            t.UnsafeStart();   // no captured execution context: another flow, as a concurrent test would be
            t.Join();
            Assert.Equal(FusedWidth.Widest, elsewhere);
        }
        Assert.Equal(FusedWidth.Widest, FusedWidth.Current);
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedWidth.Force(64));
    }

    [Fact]
    public void Element_types_without_vectors_run_per_step_with_the_reason()
    {
        var (kernel, why) = FusedKernels.Create(Lstm<Half>.Create(2, 3, 1));
        Assert.Null(kernel);
        Assert.Equal("the fused kernels run on float and double vectors, not Half", why);
    }

    /// <summary>
    /// The padded last vector reads and writes only the row's own values: every output row of a forward and a backward
    /// step (saved gates, h, C, dC, dA written over the saved row's layout) sits between sentinels, which stay; and every
    /// width gives the same values.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(17)]
    [InlineData(33)]
    public void The_last_vector_of_a_row_touches_nothing_past_the_row(int h)
    {
        const float sentinel = 12345f;
        var cell = Lstm<float>.Create(2, h, 5);
        float[]? reference = null;
        foreach (var bits in Widths)
        {
            using var _ = FusedWidth.Force(bits);
            var k = FusedKernels.Create(cell).Kernel!;
            var rng = new Random(3);
            float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
            float[] hp = Fill(4 * h), xp = Fill(4 * h), cPrev = Fill(h), dh = Fill(h), dcIn = Fill(h);
            // outputs padded by a whole 512-bit vector of sentinels on each side
            float[] Padded(int n) => [.. Enumerable.Repeat(sentinel, n + 32)];
            float[] save = Padded(4 * h), hOut = Padded(h), cOut = Padded(h), dc = Padded(h), dA = Padded(4 * h);
            dcIn.CopyTo(dc, 16);
            k.Forward1(hp, xp, default, cPrev, save.AsSpan(16, 4 * h), hOut.AsSpan(16, h), cOut.AsSpan(16, h));
            k.Backward1(save.AsSpan(16, 4 * h), default, cPrev, cOut.AsSpan(16, h), hOut.AsSpan(16, h), dh, dc.AsSpan(16, h),
                dA.AsSpan(16, 4 * h), dA.AsSpan(16, 4 * h), default, new float[4 * h], default);
            foreach (var buffer in new[] { save, hOut, cOut, dc, dA })
            {
                Assert.All(buffer[..16], v => Assert.Equal(sentinel, v));
                Assert.All(buffer[^16..], v => Assert.Equal(sentinel, v));
            }
            float[] all = [.. save, .. hOut, .. cOut, .. dc, .. dA];
            Assert.All(all, v => Assert.True(float.IsFinite(v)));
            if (reference is null) reference = all;
            else for (int i = 0; i < all.Length; i++) Assert.Equal(reference[i], all[i], 1e-6f);
        }
    }

    /// <summary><paramref name="Holes"/>: a masked case whose padding is not only at the end (see <see cref="HoledMask{T}"/>).</summary>
    public sealed record WidthCase(CellCase Cell, int Kernel, bool Masked, bool Holes = false)
    {
        public static readonly string[] Kernels = ["Lstm", "CoupledLstm", "Rnn", "Gru", "GruResetAfter", "PeepholeLstm (diagonal)", "LayerNormLstm"];
        public override string ToString() => $"{Kernels[Kernel]} {Cell} masked {Masked}";
    }

    /// <summary>B∈[1,3], T∈[1,4], D∈[1,4], H∈{1, 7, 8, 9, 15, 16, 17, 31, 32, 33}, any of the 7 kernels, masked or not.</summary>
    public static class WidthCases
    {
        public static Arbitrary<WidthCase> Cases() => Arb.From(
            from c in CellCase.Arb(3, 4, 4, 1).Generator
            from h in Gen.Elements(1, 7, 8, 9, 15, 16, 17, 31, 32, 33)
            from k in Gen.Choose(0, WidthCase.Kernels.Length - 1)
            from masked in Gen.Elements(false, true)
            select new WidthCase(c with { H = h }, k, masked));
    }

    [Property(MaxTest = 40, Arbitrary = new[] { typeof(WidthCases) })]
    public void Float64_fused_equals_composed_at_whole_and_partial_vectors(WidthCase w) => Check<double>(w, 1e-9, 1e-11);

    [Property(MaxTest = 40, Arbitrary = new[] { typeof(WidthCases) })]
    public void Float32_fused_equals_composed_at_whole_and_partial_vectors(WidthCase w) => Check<float>(w, 2e-3, 2e-4);

    private static void Check<T>(WidthCase w, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var bits in Widths)
            using (FusedWidth.Force(bits))
                CheckAtCurrentWidth<T>(w, rtol, atol);
    }

    internal static void CheckAtCurrentWidth<T>(WidthCase w, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = w.Cell;
        switch (w.Kernel)
        {
            case 0: Check<T, Lstm<T>, LstmState<T>>(w, Lstm<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
            case 1: Check<T, CoupledLstm<T>, LstmState<T>>(w, CoupledLstm<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
            case 2: Check<T, Rnn<T>, RnnState<T>>(w, Rnn<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
            case 3: Check<T, Gru<T>, RnnState<T>>(w, Gru<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
            case 4: Check<T, GruResetAfter<T>, RnnState<T>>(w, GruResetAfter<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
            case 5: Check<T, PeepholeLstm<T>, LstmState<T>>(w, PeepholeLstm<T>.Create(c.D, c.H, c.Seed, diagonal: true), rtol, atol); break;
            default: Check<T, LayerNormLstm<T>, LstmState<T>>(w, LayerNormLstm<T>.Create(c.D, c.H, c.Seed), rtol, atol); break;
        }
    }

    /// <summary>
    /// Padding before and between real steps (step t of row b is padding when (b + t) % 3 == 1): a real step after a
    /// padded one reads the state carried over the padding, which is not the padded step's output (that is 0).
    /// </summary>
    public static Tensor<T> HoledMask<T>(int batch, int steps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = new T[batch * steps];
        for (int i = 0; i < data.Length; i++) data[i] = (i / steps + i % steps) % 3 == 1 ? T.Zero : T.One;
        return new Tensor<T>(data, new Shape(batch, steps));
    }

    private static void Check<T, TCell, TState>(WidthCase w, TCell cell, double rtol, double atol)
        where T : unmanaged, IFloatingPointIeee754<T> where TCell : IRecurrentCell<TState, T>
    {
        var c = w.Cell;
        var x = Tensor.RandomNormal<T>(new Shape(c.B, c.T, c.D), c.Seed + 11);
        long seed = c.Seed;
        var state = ParameterTree<T>.Map(cell.InitialState(c.B), s => Tensor.RandomNormal<T>(s.Shape, ++seed) * T.CreateTruncating(0.5));
        var mask = !w.Masked ? null : w.Holes ? HoledMask<T>(c.B, c.T) : Sequence.MaskFromLengths<T>(c.Lengths, c.T);
        var weights = Tensor.RandomNormal<T>(new Shape(c.B, c.T, c.H), c.Seed + 3);
        SequenceResult<TState, T> Unroll(TCell k, Tensor<T> xs, TState s, bool fused) => (fused, mask) switch
        {
            (true, null) => Sequence.Unroll(k, xs, s),
            (true, _) => Sequence.Unroll(k, xs, s, mask),
            (false, null) => Sequence.UnrollComposed(k, xs, s),
            (false, _) => Sequence.UnrollComposed(k, xs, s, mask),
        };
        Tensor<T> Loss(SequenceResult<TState, T> r) =>
            ParameterTree<T>.Leaves(r.Final!).Aggregate(Sum(r.Outputs * weights), (acc, leaf) => acc + Sum(leaf * leaf));

        Assert.True(Assert.Single(Sequence.Paths(cell, x, state, mask)).Fused);
        var fused = Unroll(cell, x, state, true);
        var composed = Unroll(cell, x, state, false);
        TensorAssert.Close(composed.Outputs, fused.Outputs, rtol, atol);
        foreach (var (a, b) in ParameterTree<T>.Leaves(composed.Final!).Zip(ParameterTree<T>.Leaves(fused.Final!)))
            TensorAssert.Close(a, b, rtol, atol);
        var gFused = Autodiff.Grad<(TCell, TState, Tensor<T>), T>(p => Loss(Unroll(p.Item1, p.Item3, p.Item2, true)))((cell, state, x));
        var gComposed = Autodiff.Grad<(TCell, TState, Tensor<T>), T>(p => Loss(Unroll(p.Item1, p.Item3, p.Item2, false)))((cell, state, x));
        foreach (var (a, b) in ParameterTree<T>.Leaves(gComposed).Zip(ParameterTree<T>.Leaves(gFused)))
            TensorAssert.Close(a, b, rtol, atol);
    }
}
