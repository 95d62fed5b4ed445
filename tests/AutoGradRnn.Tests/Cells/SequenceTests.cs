using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class SequenceTests
{
    private static Tensor<double> Truncate(Tensor<double> x, int b, int length) => Slice(Slice(x, b, 1, 0), 0, length, 1);

    [Property]
    public void A_padded_step_leaves_the_state_unchanged_and_outputs_zero(CellCase c)
    {
        var cell = Lstm<double>.Create(c.D, c.H, c.Seed);
        var lengths = c.Lengths;
        var x = c.Inputs;
        var masked = Sequence.Unroll(cell, x, cell.InitialState(c.B), Sequence.MaskFromLengths<double>(lengths, c.T));
        for (int b = 0; b < c.B; b++)
        {
            var alone = Sequence.Unroll(cell, Truncate(x, b, lengths[b]));
            TensorAssert.Close(alone.Final.C, Slice(masked.Final.C, b, 1, 0));
            TensorAssert.Close(alone.Outputs, Slice(Slice(masked.Outputs, b, 1, 0), 0, lengths[b], 1));
            var padding = Slice(Slice(masked.Outputs, b, 1, 0), lengths[b], c.T - lengths[b], 1);
            Assert.All(padding.ToArray(), v => Assert.Equal(0.0, v));
        }
    }

    [Property]
    public void Padded_steps_contribute_no_gradient(CellCase c)
    {
        var cell = Gru<double>.Create(c.D, c.H, c.Seed);
        var lengths = c.Lengths;
        var mask = Sequence.MaskFromLengths<double>(lengths, c.T);
        var g = Autodiff.Grad(((Gru<double> Cell, Tensor<double> X) p) =>
            Sum(Square(Sequence.Unroll(p.Cell, p.X, p.Cell.InitialState(c.B), mask).Final.H)))((cell, c.Inputs));
        // inputs at padded positions get exactly zero gradient
        for (int b = 0; b < c.B; b++)
            Assert.All(Slice(Slice(g.X, b, 1, 0), lengths[b], c.T - lengths[b], 1).ToArray(), v => Assert.Equal(0.0, v));
        // and the parameter gradient is the sum of the per-sequence gradients on the truncated sequences
        var expected = Enumerable.Range(0, c.B).Select(b => Autodiff.Grad((Gru<double> q) =>
            Sum(Square(Sequence.Unroll(q, Truncate(c.Inputs, b, lengths[b])).Final.H)))(cell).W).Aggregate((a, d) => a + d);
        TensorAssert.Close(expected, g.Cell.W, 1e-9, 1e-12);
    }

    [Property]
    public void Bidirectional_equals_a_forward_and_a_reversed_unroll(CellCase c)
    {
        var f = Rnn<double>.Create(c.D, c.H, c.Seed);
        var b = Rnn<double>.Create(c.D, c.H, c.Seed + 1);
        var result = new Bidirectional<RnnState<double>, double>(f, b).Unroll(c.Inputs);
        var forward = Sequence.Unroll(f, c.Inputs);
        var backward = Sequence.Unroll(b, Sequence.ReverseTime(c.Inputs));
        TensorAssert.Close(Concat(forward.Outputs, Sequence.ReverseTime(backward.Outputs)), result.Outputs);
        TensorAssert.Close(backward.Final.H, result.BackwardFinal.H);
    }

    [Property]
    public void Bidirectional_with_a_mask_starts_each_backward_pass_at_the_sequence_end(CellCase c)
    {
        var f = Lstm<double>.Create(c.D, c.H, c.Seed);
        var b = Lstm<double>.Create(c.D, c.H, c.Seed + 1);
        var lengths = c.Lengths;
        var result = new Bidirectional<LstmState<double>, double>(f, b).Unroll(c.Inputs, Sequence.MaskFromLengths<double>(lengths, c.T));
        for (int s = 0; s < c.B; s++)
        {
            var alone = Sequence.Unroll(b, Sequence.ReverseTime(Truncate(c.Inputs, s, lengths[s])));
            TensorAssert.Close(alone.Final.H, Slice(result.BackwardFinal.H, s, 1, 0));
            // backward features at step 0 = backward cell after reading the whole real sequence
            TensorAssert.Close(alone.Final.H, Slice(Select(Slice(result.Outputs, s, 1, 0), 1, 0), c.H, c.H));
        }
    }

    [Property]
    public void Stacked_layers_equal_chained_unrolls(CellCase c)
    {
        var l1 = Lstm<double>.Create(c.D, c.H, c.Seed);
        var l2 = Gru<double>.Create(c.H, 2, c.Seed + 1);
        var first = Sequence.Unroll(l1, c.Inputs);
        var second = Sequence.Unroll(l2, first.Outputs);
        var stacked = Sequence.Unroll(Stacked<RnnState<double>, double>.Of(AsRnnState(l1), l2), c.Inputs);
        TensorAssert.Close(second.Outputs, stacked.Outputs);
    }

    // Stacking needs one state type per stack; an adapter would do for mixed stacks. Here: two GRU-state cells.
    private static IRecurrentCell<RnnState<double>, double> AsRnnState(Lstm<double> l) => new LstmAsRnn(l);

    private sealed record LstmAsRnn(Lstm<double> Inner) : IRecurrentCell<RnnState<double>, double>
    {
        public int InputSize => Inner.InputSize;
        public int OutputSize => Inner.OutputSize;
        public RnnState<double> InitialState(int batchSize) => new(Concat(Inner.InitialState(batchSize).H, Inner.InitialState(batchSize).C));
        public RnnState<double> Step(RnnState<double> s, Tensor<double> x)
        {
            var next = Inner.Step(new LstmState<double>(Slice(s.H, 0, OutputSize), Slice(s.H, OutputSize, OutputSize)), x);
            return new(Concat(next.H, next.C));
        }
        public Tensor<double> Output(RnnState<double> s) => Slice(s.H, 0, OutputSize);
    }

    [Fact]
    public void Gates_come_from_the_same_step_code()
    {
        var cell = Lstm<double>.Create(3, 4, 1);
        var x = Tensor.RandomNormal<double>(new Shape(2, 5, 3), 2);
        var (result, gates) = Sequence.UnrollWithGates(cell, x, cell.InitialState(2));
        Assert.Equal(5, gates.Count);
        TensorAssert.Close(Sequence.Unroll(cell, x).Outputs, result.Outputs);
        // C_T = f_T*C_{T-1} + i_T*C̃_T, from the reported gates
        var previous = Sequence.Unroll(cell, Slice(x, 0, 4, 1)).Final.C;
        var g = gates[^1];
        TensorAssert.Close(g.ForgetGate * previous + g.InputGate * g.Candidate, result.Final.C);
        TensorAssert.Close(g.OutputGate * Tanh(result.Final.C), result.Final.H);
    }

    [Fact]
    public void Scan_folds_any_step_function()
    {
        var states = Sequence.Scan((int s, int x) => s + x, 0, [1, 2, 3]);
        Assert.Equal([1, 3, 6], states);
    }

    [Fact]
    public void The_conveyor_belt_carries_the_cell_state_unchanged_for_1000_steps()
    {
        // Forget gate pinned open (f = σ(40) = 1 in float64), input gate pinned shut (i = σ(−800) = 0).
        const int h = 3, d = 2, steps = 1000;
        var random = Lstm<double>.Create(d, h, seed: 5);
        var cell = random with
        {
            Wf = Tensor.Zeros<double>(h + d, h), Bf = Tensor.Fill(40.0, h),
            Wi = Tensor.Zeros<double>(h + d, h), Bi = Tensor.Fill(-800.0, h),
        };
        var c0 = Tensor.FromRows([0.5, -1.25, 2.0]);
        var x = Tensor.RandomNormal<double>(new Shape(1, steps, d), 6);
        var (value, grad) = Autodiff.ValueAndGrad((Tensor<double> c) =>
        {
            var final = Sequence.Unroll(cell, x, new LstmState<double>(Tensor.Zeros<double>(1, h), c)).Final;
            return Sum(final.C * Tensor.FromArray([1.0, 10.0, 100.0]));
        })(c0);
        Assert.Equal(0.5 - 12.5 + 200, value.ToScalar());                       // C_1000 == C_0 exactly
        Assert.Equal([1.0, 10.0, 100.0], grad.ToArray());                        // ∂C_1000/∂C_0 == 1 exactly
    }

    [Fact]
    public void Bad_sequences_and_masks_name_their_shapes()
    {
        var cell = Lstm<double>.Create(3, 4, 1);
        Assert.Contains("inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, Tensor.Zeros<double>(2, 5, 4))).Message);
        Assert.Contains("no time steps", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, Tensor.Zeros<double>(2, 0, 3))).Message);
        Assert.Contains("batch is empty", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, Tensor.Zeros<double>(0, 2, 3))).Message);
        Assert.Contains("mask must be [batch, time] = [2,5]", Assert.Throws<ShapeMismatchException>(() =>
            Sequence.Unroll(cell, Tensor.Zeros<double>(2, 5, 3), cell.InitialState(2), Tensor.Ones<double>(2, 4))).Message);
        Assert.Contains("lstm step: [2,2]: input must be [batch, 3]", Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(2), Tensor.Zeros<double>(2, 2))).Message);
        Assert.Contains("state H must be [5,4] for this input", Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(2), Tensor.Zeros<double>(5, 3))).Message);
        Assert.Contains("hidden size 0 must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => Lstm<double>.Create(3, 0, 1)).Message);
        Assert.Contains("batch size 0", Assert.Throws<ArgumentOutOfRangeException>(() => cell.InitialState(0)).Message);
        Assert.Contains("length 6 of sequence 1", Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.MaskFromLengths<double>([2, 6], 5)).Message);
        Assert.Contains("layer 1 reads 3 features but layer 0 outputs 4", Assert.Throws<ShapeMismatchException>(() =>
            Stacked<LstmState<double>, double>.Of(cell, Lstm<double>.Create(3, 4, 2))).Message);
    }
}
