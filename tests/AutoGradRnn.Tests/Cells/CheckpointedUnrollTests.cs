using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>The checkpointed (recompute) unroll gives the normal mode's values and gradients.</summary>
[Properties(Arbitrary = new[] { typeof(CheckpointedUnrollTests.CheckpointedCases) })]
public class CheckpointedUnrollTests
{
    public sealed record Case(CellCase Cell, int Every, bool Masked)
    {
        public override string ToString() => $"{Cell} every {Every} masked {Masked}";
    }

    public static class CheckpointedCases
    {
        public static Arbitrary<Case> Cases() => Arb.From(
            from c in CellCase.Arb(4, 9, 4, 5).Generator from k in Gen.Choose(1, 10) from m in Gen.Elements(false, true) select new Case(c, k, m),
            x => CellCase.Arb(4, 9, 4, 5).Shrinker(x.Cell).Select(c => x with { Cell = c }));
    }

    private static void SameAsNormal<TCell, TState>(Case k, Func<CellCase, TCell> create) where TCell : IRecurrentCell<TState, double>
    {
        var c = k.Cell;
        var cell = create(c);
        var mask = k.Masked ? Sequence.MaskFromLengths<double>(c.Lengths, c.T) : null;
        var state = CellGradientTests.RandomState(cell, c.B, c.Seed + 5);
        SequenceResult<TState, double> Normal(TCell p, TState s, Tensor<double> x) => mask is null ? Sequence.Unroll(p, x, s) : Sequence.Unroll(p, x, s, mask);
        SequenceResult<TState, double> Checkpointed(TCell p, TState s, Tensor<double> x) => Sequence.UnrollCheckpointed(p, x, s, k.Every, mask);

        var a = Normal(cell, state, c.Inputs);
        var b = Checkpointed(cell, state, c.Inputs);
        TensorAssert.Close(a.Outputs, b.Outputs, 1e-12, 1e-14);
        var gNormal = Autodiff.Grad(((TCell Cell, TState State, Tensor<double> X) p) => CellGradientTests.Loss(Normal(p.Cell, p.State, p.X), c.Seed))((cell, state, c.Inputs));
        var gCheck = Autodiff.Grad(((TCell Cell, TState State, Tensor<double> X) p) => CellGradientTests.Loss(Checkpointed(p.Cell, p.State, p.X), c.Seed))((cell, state, c.Inputs));
        foreach (var (x, y) in ParameterTree<double>.Leaves(gNormal).Zip(ParameterTree<double>.Leaves(gCheck)))
            TensorAssert.Close(x, y, 1e-9, 1e-12);
    }

    [Property(MaxTest = 12)] public void Lstm_checkpointed_gradients_equal_the_normal_mode(Case k) => SameAsNormal<Lstm<double>, LstmState<double>>(k, c => Lstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Gru_checkpointed_gradients_equal_the_normal_mode(Case k) => SameAsNormal<GruResetAfter<double>, RnnState<double>>(k, c => GruResetAfter<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Peephole_checkpointed_gradients_equal_the_normal_mode(Case k) => SameAsNormal<PeepholeLstm<double>, LstmState<double>>(k, c => PeepholeLstm<double>.Create(c.D, c.H, c.Seed, diagonal: true));

    [Fact]
    public void Gradients_through_only_the_outputs_or_only_the_final_state_equal_the_normal_mode()
    {
        var cell = Lstm<double>.Create(3, 4, 1);
        var x = Tensor.RandomNormal<double>(new Shape(2, 7, 3), 2);
        var s0 = CellGradientTests.RandomState(cell, 2, 3);
        foreach (Func<SequenceResult<LstmState<double>, double>, Tensor<double>> pick in new Func<SequenceResult<LstmState<double>, double>, Tensor<double>>[] { r => Ops.Sum(Ops.Tanh(r.Outputs)), r => Ops.Sum(r.Final!.C * r.Final.H) })
        {
            var normal = Autodiff.Grad((Lstm<double> p) => pick(Sequence.Unroll(p, x, s0)))(cell);
            var checkpointed = Autodiff.Grad((Lstm<double> p) => pick(Sequence.UnrollCheckpointed(p, x, s0, every: 3)))(cell);
            foreach (var (a, b) in ParameterTree<double>.Leaves(normal).Zip(ParameterTree<double>.Leaves(checkpointed)))
                TensorAssert.Close(a, b, 1e-9, 1e-12);
        }
    }

    [Fact]
    public void A_segment_length_below_one_is_an_error()
    {
        var cell = Lstm<double>.Create(2, 3, seed: 1);
        var x = Tensor.Zeros<double>(1, 4, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.UnrollCheckpointed(cell, x, cell.InitialState(1), 0));
        Assert.Contains("segment length 0", e.Message);
    }
}
