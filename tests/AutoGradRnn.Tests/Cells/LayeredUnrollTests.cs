using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// Stacks and bidirectional pairs run layer by layer, each layer through its fused kernel: the same values and
/// gradients (float64, 1e-9) as stepping the whole stack per time step, masks and carried states included; and the
/// path each unroll takes is what <see cref="Sequence.Paths{TState, T}"/> and <see cref="UnrollTrace"/> say.
/// </summary>
[Properties(Arbitrary = new[] { typeof(LayeredUnrollTests.StackCases) })]
public class LayeredUnrollTests
{
    public sealed record StackCase(CellCase Cell, int Layers, bool Masked, bool LstmFamily, int Mix)
    {
        public override string ToString() => $"{Cell} layers {Layers} masked {Masked} {(LstmFamily ? "lstm" : "rnn")} family mix {Mix}";
    }

    /// <summary>1–3 layers of cells mixed within a state family (LSTM/coupled LSTM, or RNN/GRU/reset-after GRU), masked or not.</summary>
    public static class StackCases
    {
        public static Arbitrary<StackCase> Cases() => Arb.From(
            from c in CellCase.Arb(4, 6, 4, 5).Generator from layers in Gen.Choose(1, 3) from masked in Gen.Elements(false, true)
            from lstm in Gen.Elements(false, true) from mix in Gen.Choose(0, 1000)
            select new StackCase(c, layers, masked, lstm, mix));
    }

    private static IRecurrentCell<LstmState<double>, double> LstmLayer(int d, int h, long seed, int k) =>
        k % 2 == 0 ? Lstm<double>.Create(d, h, seed) : CoupledLstm<double>.Create(d, h, seed);

    private static IRecurrentCell<RnnState<double>, double> RnnLayer(int d, int h, long seed, int k) =>
        (k % 3) switch { 0 => Rnn<double>.Create(d, h, seed), 1 => Gru<double>.Create(d, h, seed), _ => GruResetAfter<double>.Create(d, h, seed) };

    private static Stacked<TState, double> Stack<TState>(StackCase s, Func<int, int, long, int, IRecurrentCell<TState, double>> layer) =>
        Stacked<TState, double>.Of(Enumerable.Range(0, s.Layers).Select(l => layer(l == 0 ? s.Cell.D : s.Cell.H, s.Cell.H, s.Cell.Seed + 100 * l, s.Mix / (l + 1))).ToArray());

    private static void LayeredEqualsPerStep<TState>(StackCase s, Stacked<TState, double> stack)
    {
        var c = s.Cell;
        var mask = s.Masked ? Sequence.MaskFromLengths<double>(c.Lengths, c.T) : null;
        var state = CellGradientTests.RandomState(stack, c.B, c.Seed + 5);
        SequenceResult<TState[], double> Run(Stacked<TState, double> cell, Tensor<double> x, TState[] s0, bool layered) => (layered, mask) switch
        {
            (true, null) => Sequence.Unroll(cell, x, s0),
            (true, _) => Sequence.Unroll(cell, x, s0, mask),
            (false, null) => Sequence.UnrollComposed(cell, x, s0),
            (false, _) => Sequence.UnrollComposed(cell, x, s0, mask),
        };

        // one fused node per layer, nothing per step
        var tape = new Tape<double>();
        using (var trace = UnrollTrace.Start())
        {
            Run(stack, tape.Track(c.Inputs), state, layered: true);
            Assert.Equal(s.Layers, tape.Ops.Count(op => op.EndsWith("(fused)", StringComparison.Ordinal)));
            Assert.DoesNotContain("sigmoid", tape.Ops);
            Assert.DoesNotContain("tanh", tape.Ops);
            Assert.Equal(Enumerable.Range(0, s.Layers).Select(l => $"Stacked[{l}]"), trace.Paths.Select(p => p.Cell[..p.Cell.IndexOf(':')]));
            Assert.All(trace.Paths, p => Assert.True(p.Fused, p.ToString()));
            Assert.Equal(trace.Paths, Sequence.Paths(stack, c.Inputs, state, mask));
        }

        var layered = Run(stack, c.Inputs, state, layered: true);
        var perStep = Run(stack, c.Inputs, state, layered: false);
        TensorAssert.Close(perStep.Outputs, layered.Outputs, 1e-9, 1e-12);
        foreach (var (a, b) in ParameterTree<double>.Leaves(perStep.Final).Zip(ParameterTree<double>.Leaves(layered.Final)))
            TensorAssert.Close(a, b, 1e-9, 1e-12);

        Func<(Stacked<TState, double> Cell, TState[] State, Tensor<double> X), Tensor<double>> Loss(bool useLayered) =>
            p => CellGradientTests.Loss(Run(p.Cell, p.X, p.State, useLayered), c.Seed);
        var gLayered = Autodiff.Grad(Loss(true))((stack, state, c.Inputs));
        var gPerStep = Autodiff.Grad(Loss(false))((stack, state, c.Inputs));
        foreach (var (a, b) in ParameterTree<double>.Leaves(gPerStep).Zip(ParameterTree<double>.Leaves(gLayered)))
            TensorAssert.Close(a, b, 1e-9, 1e-12);
    }

    [Property(MaxTest = 20)]
    public void A_stack_runs_each_layer_fused_and_equals_stepping_the_whole_stack(StackCase s)
    {
        if (s.LstmFamily) LayeredEqualsPerStep(s, Stack(s, LstmLayer));
        else LayeredEqualsPerStep(s, Stack(s, RnnLayer));
    }

    [Fact]
    public void A_bidirectional_pair_of_stacks_runs_every_layer_fused()
    {
        var c = new CellCase(3, 5, 2, 4, 7);
        var forward = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(2, 4, 1), Lstm<double>.Create(4, 4, 2));
        var backward = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(2, 4, 3), Lstm<double>.Create(4, 4, 4));
        var bi = new Bidirectional<LstmState<double>[], double>(forward, backward);
        var mask = Sequence.MaskFromLengths<double>(c.Lengths, c.T);
        using var trace = UnrollTrace.Start();
        var masked = bi.Unroll(c.Inputs, mask);
        var unmasked = bi.Unroll(c.Inputs);
        Assert.Equal(8, trace.Paths.Count);
        Assert.All(trace.Paths, p => Assert.True(p.Fused, p.ToString()));

        // the same function as per-step unrolls of each direction
        var f = Sequence.UnrollComposed(forward, c.Inputs, forward.InitialState(3), mask);
        var b = Sequence.UnrollComposed(backward, Sequence.ReverseTime(c.Inputs), backward.InitialState(3),
            Sequence.ReverseTime(mask.Reshape(3, 5, 1)).Reshape(3, 5));
        TensorAssert.Close(Ops.Concat(f.Outputs, Sequence.ReverseTime(b.Outputs)), masked.Outputs, 1e-9, 1e-12);
        var fu = Sequence.UnrollComposed(forward, c.Inputs, forward.InitialState(3));
        var bu = Sequence.UnrollComposed(backward, Sequence.ReverseTime(c.Inputs), backward.InitialState(3));
        TensorAssert.Close(Ops.Concat(fu.Outputs, Sequence.ReverseTime(bu.Outputs)), unmasked.Outputs, 1e-9, 1e-12);
    }

    [Fact]
    public void The_per_step_path_is_recorded_with_its_reason()
    {
        var x = Tensor.RandomNormal<double>(new Shape(2, 3, 2), 1);
        var clockwork = ClockworkRnn<double>.Create(2, 2, [1, 2], 1);
        var cw = Assert.Single(Sequence.Paths(clockwork, x, clockwork.InitialState(2)));
        Assert.False(cw.Fused);
        Assert.Equal("no fused kernel for ClockworkRnn", cw.Reason);

        var lstm = Lstm<double>.Create(2, 3, 1);
        var tape = new Tape<double>();
        var trackedMask = tape.Track(Sequence.MaskFromLengths<double>([3, 2], 3));
        Assert.Equal("the mask is tracked on a tape; Detach() it to run fused", Assert.Single(Sequence.Paths(lstm, x, lstm.InitialState(2), trackedMask)).Reason);
        var halfMask = Tensor.Fill(0.5, new Shape(2, 3));
        Assert.Equal("the mask has values other than 0 and 1", Assert.Single(Sequence.Paths(lstm, x, lstm.InitialState(2), halfMask)).Reason);

        using var trace = UnrollTrace.Start();
        Sequence.Unroll(lstm, x, lstm.InitialState(2), halfMask);
        Sequence.Unroll(lstm, x, lstm.InitialState(2));
        Assert.Equal([false, true], trace.Paths.Select(p => p.Fused));
        Assert.Equal("lstm (fused)", trace.Paths[1].Reason);
        Assert.Single(trace.PerStep);
    }

    [Fact]
    public void Traces_nest_and_stop_recording_when_disposed()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var x = Tensor.RandomNormal<double>(new Shape(1, 2, 2), 1);
        using var outer = UnrollTrace.Start();
        using (var inner = UnrollTrace.Start())
        {
            Sequence.Unroll(lstm, x);
            Assert.Single(inner.Paths);
        }
        Sequence.Unroll(lstm, x);
        Assert.Equal(2, outer.Paths.Count);
    }
}
