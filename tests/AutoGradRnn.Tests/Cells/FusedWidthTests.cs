using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Fused == composed (values and gradients) for every fused kernel in float32 AND float64, at hidden sizes that are whole
/// vectors of both lane widths (8, 16, 32: 256- and 512-bit floats and doubles), and sizes with a remainder (1, 7, 9, 15,
/// 17, 31, 33), so every row length the kernels treat differently is covered on this machine.
/// </summary>
public class FusedWidthTests
{
    public sealed record WidthCase(CellCase Cell, int Kernel, bool Masked)
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

    private static void Check<T, TCell, TState>(WidthCase w, TCell cell, double rtol, double atol)
        where T : unmanaged, IFloatingPointIeee754<T> where TCell : IRecurrentCell<TState, T>
    {
        var c = w.Cell;
        var x = Tensor.RandomNormal<T>(new Shape(c.B, c.T, c.D), c.Seed + 11);
        long seed = c.Seed;
        var state = ParameterTree<T>.Map(cell.InitialState(c.B), s => Tensor.RandomNormal<T>(s.Shape, ++seed) * T.CreateTruncating(0.5));
        var mask = w.Masked ? Sequence.MaskFromLengths<T>(c.Lengths, c.T) : null;
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
