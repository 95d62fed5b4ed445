using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The fused sequence kernels (one tape node per sequence, hand-derived backward) against the per-equation
/// cells they replace: equal values and equal gradients (float64, 1e-9 relative) for random B, T, D, H,
/// random carried initial states, with and without masks; plus gradchecks of the fused ops themselves.
/// </summary>
[Properties(Arbitrary = new[] { typeof(FusedCellTests.FusedCases) })]
public class FusedCellTests
{
    public sealed record FusedCase(CellCase Cell, bool Masked)
    {
        public override string ToString() => $"{Cell} masked {Masked}";
    }

    // H is sometimes a multiple of the vector width (8 doubles), so the one-pass vector kernels run too.
    private static Arbitrary<FusedCase> Generate(int maxB = 5, int maxT = 7, int maxD = 6, int maxH = 9) => Arb.From(
        from c in CellCase.Arb(maxB, maxT, maxD, maxH).Generator from masked in Gen.Elements(false, true)
        from h in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Elements(8, 16)))
        select new FusedCase(h == 0 ? c : c with { H = h }, masked),
        f => CellCase.Arb(maxB, maxT, maxD, maxH).Shrinker(f.Cell).Select(c => f with { Cell = c }));

    /// <summary>B∈[1,5], T∈[1,7], D∈[1,6], H∈[1,9] (or, two times in five, 8 or 16).</summary>
    public static class FusedCases { public static Arbitrary<FusedCase> Cases() => Generate(); }

    /// <summary>B∈[1,3], T∈[1,4], D∈[1,3], H∈[1,4] (or 8 or 16): small enough for a full gradcheck.</summary>
    public static class SmallFusedCases { public static Arbitrary<FusedCase> Cases() => Generate(3, 4, 3, 4); }

    private static SequenceResult<TState, double> Unroll<TState>(IRecurrentCell<TState, double> cell, Tensor<double> x, TState s, Tensor<double>? mask, bool fused) =>
        (fused, mask) switch
        {
            (true, null) => Sequence.Unroll(cell, x, s),
            (true, _) => Sequence.Unroll(cell, x, s, mask),
            (false, null) => Sequence.UnrollComposed(cell, x, s),
            (false, _) => Sequence.UnrollComposed(cell, x, s, mask),
        };

    private static void FusedEqualsComposed<TCell, TState>(FusedCase f, Func<CellCase, TCell> create)
        where TCell : IRecurrentCell<TState, double>
    {
        var c = f.Cell;
        var cell = create(c);
        var mask = f.Masked ? Sequence.MaskFromLengths<double>(c.Lengths, c.T) : null;
        var state = CellGradientTests.RandomState(cell, c.B, c.Seed + 5);

        // the dispatcher really takes the fused path (one node for the whole sequence)
        var tape = new Tape<double>();
        Unroll(cell, tape.Track(c.Inputs), state, mask, fused: true);
        Assert.Contains(tape.Ops, op => op.EndsWith("(fused)", StringComparison.Ordinal));

        var fused = Unroll(cell, c.Inputs, state, mask, fused: true);
        var composed = Unroll(cell, c.Inputs, state, mask, fused: false);
        TensorAssert.Close(composed.Outputs, fused.Outputs, 1e-9, 1e-12);
        foreach (var (a, b) in ParameterTree<double>.Leaves(composed.Final!).Zip(ParameterTree<double>.Leaves(fused.Final!)))
            TensorAssert.Close(a, b, 1e-9, 1e-12);

        Func<(TCell Cell, TState State, Tensor<double> X), Tensor<double>> Loss(bool useFused) =>
            p => CellGradientTests.Loss(Unroll(p.Cell, p.X, p.State, mask, useFused), c.Seed);
        var gFused = Autodiff.Grad(Loss(true))((cell, state, c.Inputs));
        var gComposed = Autodiff.Grad(Loss(false))((cell, state, c.Inputs));
        foreach (var (a, b) in ParameterTree<double>.Leaves(gComposed).Zip(ParameterTree<double>.Leaves(gFused)))
            TensorAssert.Close(a, b, 1e-9, 1e-12);
    }

    [Property(MaxTest = 15)] public void Lstm_fused_equals_composed(FusedCase f) => FusedEqualsComposed<Lstm<double>, LstmState<double>>(f, c => Lstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 15)] public void Coupled_lstm_fused_equals_composed(FusedCase f) => FusedEqualsComposed<CoupledLstm<double>, LstmState<double>>(f, c => CoupledLstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 15)] public void Rnn_fused_equals_composed(FusedCase f) => FusedEqualsComposed<Rnn<double>, RnnState<double>>(f, c => Rnn<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 15)] public void Gru_essay_form_fused_equals_composed(FusedCase f) => FusedEqualsComposed<Gru<double>, RnnState<double>>(f, c => Gru<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 15)] public void Gru_reset_after_fused_equals_composed(FusedCase f) => FusedEqualsComposed<GruResetAfter<double>, RnnState<double>>(f, c => GruResetAfter<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 15)] public void Peephole_lstm_fused_equals_composed(FusedCase f) => FusedEqualsComposed<PeepholeLstm<double>, LstmState<double>>(f, DiagonalPeephole);
    [Property(MaxTest = 15)] public void Layer_norm_lstm_fused_equals_composed(FusedCase f) => FusedEqualsComposed<LayerNormLstm<double>, LstmState<double>>(f, RandomLayerNorm);

    /// <summary>The diagonal peephole LSTM with peepholes of order 1 (Create's ±1/√H would make their terms small).</summary>
    private static PeepholeLstm<double> DiagonalPeephole(CellCase c) => PeepholeLstm<double>.Create(c.D, c.H, c.Seed, diagonal: true) with
    {
        Pf = Tensor.RandomNormal<double>(new Shape(c.H), c.Seed + 31), Pi = Tensor.RandomNormal<double>(new Shape(c.H), c.Seed + 32),
        Po = Tensor.RandomNormal<double>(new Shape(c.H), c.Seed + 33),
    };

    /// <summary>
    /// A layer-norm LSTM with random gains, shifts and bias (Create's 1s and 0s would hide a gradient that ignores the
    /// gain or swaps the shifts) and an ε far from the default, so a kernel that ignores <see cref="LayerNormLstm{T}.Epsilon"/> fails.
    /// </summary>
    private static LayerNormLstm<double> RandomLayerNorm(CellCase c)
    {
        Tensor<double> R(int n, long k) => Tensor.RandomNormal<double>(new Shape(n), c.Seed + k);
        return LayerNormLstm<double>.Create(c.D, c.H, c.Seed) with
        {
            B = R(4 * c.H, 20), GainH = R(4 * c.H, 21), BiasH = R(4 * c.H, 22), GainX = R(4 * c.H, 23), BiasX = R(4 * c.H, 24),
            GainC = R(c.H, 25), BiasC = R(c.H, 26), Epsilon = 0.05,
        };
    }

    [Property(MaxTest = 10)]
    public void Full_matrix_peephole_lstm_runs_per_step_and_equals_the_composed_path(FusedCase f)
    {
        var c = f.Cell;
        var cell = PeepholeLstm<double>.Create(c.D, c.H, c.Seed);
        Assert.False(cell.Diagonal);
        var mask = f.Masked ? Sequence.MaskFromLengths<double>(c.Lengths, c.T) : null;
        var state = CellGradientTests.RandomState(cell, c.B, c.Seed + 5);
        var tape = new Tape<double>();
        Unroll(cell, tape.Track(c.Inputs), state, mask, fused: true);
        Assert.DoesNotContain(tape.Ops, op => op.EndsWith("(fused)", StringComparison.Ordinal));
        Assert.Equal(Unroll(cell, c.Inputs, state, mask, fused: false).Outputs.ToArray(), Unroll(cell, c.Inputs, state, mask, fused: true).Outputs.ToArray());
        Func<(PeepholeLstm<double> Cell, LstmState<double> State, Tensor<double> X), Tensor<double>> Loss(bool useFused) =>
            p => CellGradientTests.Loss(Unroll(p.Cell, p.X, p.State, mask, useFused), c.Seed);
        var gUnroll = Autodiff.Grad(Loss(true))((cell, state, c.Inputs));
        var gComposed = Autodiff.Grad(Loss(false))((cell, state, c.Inputs));
        foreach (var (a, b) in ParameterTree<double>.Leaves(gComposed).Zip(ParameterTree<double>.Leaves(gUnroll)))
            Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void Gradients_reach_the_fused_op_through_any_subset_of_its_outputs_and_on_repeated_backward_passes()
    {
        var cell = Lstm<double>.Create(3, 8, 1);
        var x = Tensor.RandomNormal<double>(new Shape(2, 5, 3), 2);
        var s0 = CellGradientTests.RandomState(cell, 2, 3);
        var picks = new Func<SequenceResult<LstmState<double>, double>, Tensor<double>>[]
        {
            r => Sum(r.Final!.H * r.Final.H), r => Sum(r.Final!.C), r => Sum(Tanh(r.Outputs)), r => Sum(r.Outputs) + Sum(r.Final!.C * r.Final.H),
        };
        foreach (var pick in picks)
        {
            var fused = Autodiff.Grad(((Lstm<double> Cell, LstmState<double> State, Tensor<double> X) p) => pick(Sequence.Unroll(p.Cell, p.X, p.State)))((cell, s0, x));
            var composed = Autodiff.Grad(((Lstm<double> Cell, LstmState<double> State, Tensor<double> X) p) => pick(Sequence.UnrollComposed(p.Cell, p.X, p.State)))((cell, s0, x));
            foreach (var (a, b) in ParameterTree<double>.Leaves(composed).Zip(ParameterTree<double>.Leaves(fused)))
                TensorAssert.Close(a, b, 1e-9, 1e-12);
        }

        // Two backward passes on one tape, through different outputs: the second must not see the first's gradients.
        Tensor<double> Twice(bool useFused, bool second)
        {
            var tape = new Tape<double>();
            var xt = tape.Track(x);
            var r = useFused ? Sequence.Unroll(cell, xt, s0) : Sequence.UnrollComposed(cell, xt, s0);
            var first = tape.Backward(r.Final!.H, Tensor.RandomNormal<double>(r.Final.H.Shape, 4))[xt];
            return second ? tape.Backward(r.Outputs, Tensor.RandomNormal<double>(r.Outputs.Shape, 5))[xt] : first;
        }
        TensorAssert.Close(Twice(false, false), Twice(true, false), 1e-9, 1e-12);
        TensorAssert.Close(Twice(false, true), Twice(true, true), 1e-9, 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reset_after_gru_gradients_are_the_same_whether_the_backward_pass_consumes_its_saved_rows_or_runs_twice(bool masked)
    {
        // H = 16: the one-pass vector kernel runs, and a single-backward pass (Autodiff.Grad) writes dA over the saved rows.
        var cell = GruResetAfter<double>.Create(3, 16, 1);
        var x = Tensor.RandomNormal<double>(new Shape(3, 5, 3), 2);
        var s0 = CellGradientTests.RandomState(cell, 3, 3);
        var mask = masked ? Sequence.MaskFromLengths<double>([5, 2, 4], 5) : null;
        SequenceResult<RnnState<double>, double> Run(GruResetAfter<double> c, Tensor<double> xs, RnnState<double> s, bool useFused) => Unroll(c, xs, s, mask, useFused);
        var picks = new Func<SequenceResult<RnnState<double>, double>, Tensor<double>>[]
        {
            r => Sum(r.Final!.H * r.Final.H), r => Sum(Tanh(r.Outputs)), r => Sum(r.Outputs) + Sum(r.Final!.H),
        };
        foreach (var pick in picks)
        {
            var fused = Autodiff.Grad(((GruResetAfter<double> Cell, RnnState<double> State, Tensor<double> X) p) => pick(Run(p.Cell, p.X, p.State, true)))((cell, s0, x));
            var composed = Autodiff.Grad(((GruResetAfter<double> Cell, RnnState<double> State, Tensor<double> X) p) => pick(Run(p.Cell, p.X, p.State, false)))((cell, s0, x));
            foreach (var (a, b) in ParameterTree<double>.Leaves(composed).Zip(ParameterTree<double>.Leaves(fused)))
                TensorAssert.Close(a, b, 1e-9, 1e-12);
        }

        // Two backward passes on one tape (the saved rows must survive the first), every parameter's gradient each time.
        Tensor<double>[] Twice(bool useFused, bool second)
        {
            var tape = new Tape<double>();
            var c = ParameterTree<double>.Map(cell, tape.Track);
            var xt = tape.Track(x);
            var r = Run(c, xt, s0, useFused);
            var g = tape.Backward(r.Final!.H, Tensor.RandomNormal<double>(r.Final.H.Shape, 4));
            if (second) g = tape.Backward(r.Outputs, Tensor.RandomNormal<double>(r.Outputs.Shape, 5));
            return [g[xt], .. ParameterTree<double>.Leaves(c).Select(p => g[p])];
        }
        foreach (var second in new[] { false, true })
            foreach (var (a, b) in Twice(false, second).Zip(Twice(true, second)))
                TensorAssert.Close(a, b, 1e-9, 1e-12);
    }

    /// <summary>Gradcheck of the fused ops directly (central differences, every Jacobian element), masks included.</summary>
    private static void GradcheckFused<TCell, TState>(FusedCase f, Func<CellCase, TCell> create) where TCell : IRecurrentCell<TState, double>
    {
        var c = f.Cell;
        var cell = create(c);
        var mask = f.Masked ? Sequence.MaskFromLengths<double>(c.Lengths, c.T) : null;
        Props.GradOk(((TCell Cell, TState State, Tensor<double> X) p) =>
            CellGradientTests.Loss(Unroll(p.Cell, p.X, p.State, mask, fused: true), c.Seed),
            (cell, CellGradientTests.RandomState(cell, c.B, c.Seed + 5), c.Inputs));
    }

    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_lstm(FusedCase f) => GradcheckFused<Lstm<double>, LstmState<double>>(f, c => Lstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_coupled_lstm(FusedCase f) => GradcheckFused<CoupledLstm<double>, LstmState<double>>(f, c => CoupledLstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_rnn(FusedCase f) => GradcheckFused<Rnn<double>, RnnState<double>>(f, c => Rnn<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_gru_essay_form(FusedCase f) => GradcheckFused<Gru<double>, RnnState<double>>(f, c => Gru<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_gru_reset_after(FusedCase f) => GradcheckFused<GruResetAfter<double>, RnnState<double>>(f, c => GruResetAfter<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_peephole_lstm(FusedCase f) => GradcheckFused<PeepholeLstm<double>, LstmState<double>>(f, DiagonalPeephole);
    [Property(MaxTest = 6, Arbitrary = new[] { typeof(SmallFusedCases) })]
    public void Gradcheck_fused_layer_norm_lstm(FusedCase f) => GradcheckFused<LayerNormLstm<double>, LstmState<double>>(f, RandomLayerNorm);

    [Fact]
    public void Float32_fused_lstm_is_close_to_the_float64_reference()
    {
        var cell = Lstm<double>.Create(7, 33, seed: 1);
        var x = Tensor.RandomNormal<double>(new Shape(5, 9, 7), seed: 2);
        var reference = Sequence.UnrollComposed(cell, x, cell.InitialState(5));
        static Tensor<float> F(Tensor<double> t) => Tensor.FromArray(t.ToArray().Select(v => (float)v).ToArray(), t.Shape);
        var lstm32 = new Lstm<float>(F(cell.Wf), F(cell.Bf), F(cell.Wi), F(cell.Bi), F(cell.Wc), F(cell.Bc), F(cell.Wo), F(cell.Bo));
        var x32 = Tensor.FromArray(x.ToArray().Select(v => (float)v).ToArray(), 5, 9, 7);
        var fused = Sequence.Unroll(lstm32, x32, lstm32.InitialState(5));
        var got = fused.Outputs.ToArray();
        var want = reference.Outputs.ToArray();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) < 1e-5, $"output {i}: {got[i]} vs {want[i]}");
    }

    [Fact]
    public void Cells_without_a_fused_kernel_and_unusual_masks_take_the_per_step_path()
    {
        var x = Tensor.RandomNormal<double>(new Shape(2, 3, 2), seed: 1);
        string[] OpsOf(Func<Tensor<double>, object> f)
        {
            var tape = new Tape<double>();
            f(tape.Track(x));
            return [.. tape.Ops];
        }
        var peephole = PeepholeLstm<double>.Create(2, 3, seed: 1);
        Assert.DoesNotContain(OpsOf(t => Sequence.Unroll(peephole, t)), op => op.EndsWith("(fused)", StringComparison.Ordinal));
        var lstm = Lstm<double>.Create(2, 3, seed: 1);
        Assert.Contains(OpsOf(t => Sequence.Unroll(lstm, t)), op => op.EndsWith("(fused)", StringComparison.Ordinal));
        var half = Tensor.Fill(0.5, new Shape(2, 3));   // not a 0/1 mask: the per-step formula m·next + (1 − m)·state
        Assert.DoesNotContain(OpsOf(t => Sequence.Unroll(lstm, t, lstm.InitialState(2), half)), op => op.EndsWith("(fused)", StringComparison.Ordinal));
        Assert.DoesNotContain(OpsOf(t => Sequence.UnrollComposed(lstm, t, lstm.InitialState(2))), op => op.EndsWith("(fused)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fused_unroll_is_a_handful_of_tape_nodes_not_one_per_equation()
    {
        var lstm = Lstm<double>.Create(2, 3, seed: 1);
        var tape = new Tape<double>();
        Sequence.Unroll(lstm, tape.Track(Tensor.RandomNormal<double>(new Shape(2, 50, 2), seed: 1)));
        Assert.True(tape.Count < 10, $"{tape.Count} nodes: {string.Join(", ", tape.Ops)}");
    }
}
