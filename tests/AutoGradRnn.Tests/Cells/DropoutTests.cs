using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Dropout between stacked layers, variational dropout and zoneout: masks are inputs (drawn from a seed, bit-reproducible),
/// evaluation is the identity or the expectation exactly, p = 0 changes nothing, and the statistics of the masks are the
/// papers' (within 4 standard errors, fixed seeds). Their gradients, with the masks fixed, are in the gradcheck registry.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class DropoutTests
{
    [Fact]
    public void A_mask_drops_a_fraction_p_and_scales_the_rest_by_one_over_one_minus_p()
    {
        const double p = 0.3;
        const int n = 200_000;
        var m = DropoutMasks.Draw<double>(new Shape(n), p, new Rng(1)).ToArray();
        Assert.All(m, v => Assert.True(v == 0 || v == 1 / (1 - p), $"entry {v}"));
        double dropped = m.Count(v => v == 0) / (double)n;
        Assert.InRange(dropped, p - 4 * Math.Sqrt(p * (1 - p) / n), p + 4 * Math.Sqrt(p * (1 - p) / n));
    }

    [Fact]
    public void Dropout_is_unbiased_the_mean_over_masks_is_x()
    {
        const double p = 0.5;
        const int draws = 20_000;
        var x = Tensor.FromArray(new[] { 1.5, -2.0, 0.25, 3.0, -0.5, 0.0 });
        var rng = new Rng(7);
        var sum = new double[x.Count];
        for (int k = 0; k < draws; k++)
        {
            var y = Dropout(x, DropoutMasks.Draw<double>(x.Shape, p, rng)).ToArray();
            for (int i = 0; i < sum.Length; i++) sum[i] += y[i];
        }
        for (int i = 0; i < sum.Length; i++)
        {
            double xi = x.ToArray()[i], se = Math.Abs(xi) * Math.Sqrt(p / (1 - p) / draws);
            Assert.InRange(sum[i] / draws, xi - 4 * se - 1e-12, xi + 4 * se + 1e-12);
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_probability_outside_0_to_1_is_refused_naming_it(double p)
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var x = Tensor.Zeros<double>(2, 5, 3);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMasks.Draw<double>(new Shape(3), p, new Rng(0))).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMasks.BetweenLayers(Stacked<LstmState<double>, double>.Of(lstm, Lstm<double>.Create(4, 4, 2)), 2, 5, p, new Rng(0))).ParamName);
        var zoneout = new Zoneout<LstmState<double>, double>(lstm);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => zoneout.TrainingInputs(x, p, new Rng(0))).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => zoneout.EvaluationInputs(x, p)).ParamName);
        var variational = new VariationalDropout<LstmState<double>, double>(lstm);
        Assert.Equal("inputP", Assert.Throws<ArgumentOutOfRangeException>(() => variational.TrainingInputs(x, p, 0, new Rng(0))).ParamName);
        Assert.Equal("stateP", Assert.Throws<ArgumentOutOfRangeException>(() => variational.TrainingInputs(x, 0, p, new Rng(0))).ParamName);
    }

    [Fact]
    public void Masks_are_a_pure_function_of_seed_step_and_index()
    {
        Tensor<float> Mask(long seed, long step, long index) => DropoutMasks.Draw<float>(new Shape(4, 16), 0.5, DropoutMasks.Stream(seed, step, index));
        Assert.Equal(Mask(3, 10, 1).ToArray(), Mask(3, 10, 1).ToArray());
        Assert.NotEqual(Mask(3, 10, 1).ToArray(), Mask(3, 11, 1).ToArray());
        Assert.NotEqual(Mask(3, 10, 1).ToArray(), Mask(3, 10, 2).ToArray());
        Assert.NotEqual(Mask(3, 10, 1).ToArray(), Mask(4, 10, 1).ToArray());
    }

    [Fact]
    public void The_op_refuses_a_tracked_mask_and_one_that_would_change_the_shape_of_x()
    {
        var x = Tensor.Ones<double>(2, 3);
        var tape = new Tape<double>();
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => Dropout(x, tape.Track(Tensor.Ones<double>(2, 3)))).ParamName);
        Assert.Throws<ShapeMismatchException>(() => Dropout(x, Tensor.Ones<double>(4, 2, 3)));
    }

    [Property]
    public void Dropout_between_layers_with_p_0_is_the_plain_unroll_bit_for_bit_and_still_fused(CellCase c)
    {
        var stack = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(c.D, c.H, c.Seed), Lstm<double>.Create(c.H, c.H, c.Seed + 1), Lstm<double>.Create(c.H, 2, c.Seed + 2));
        var state = stack.InitialState(c.B);
        var plain = Sequence.Unroll(stack, c.Inputs, state);
        using var trace = UnrollTrace.Start();
        var dropped = stack.UnrollWithDropout(c.Inputs, state, DropoutMasks.BetweenLayers(stack, c.B, c.T, 0, new Rng(c.Seed)));
        Assert.Equal(plain.Outputs.ToArray(), dropped.Outputs.ToArray());
        Assert.Equal(ParameterTree<double>.Leaves(plain.Final).SelectMany(l => l.ToArray()), ParameterTree<double>.Leaves(dropped.Final).SelectMany(l => l.ToArray()));
        Assert.Equal(3, trace.Paths.Count);
        Assert.All(trace.Paths, p => Assert.True(p.Fused, p.ToString()));
    }

    [Property]
    public void Dropout_between_layers_drops_the_outputs_of_every_layer_but_the_last(CellCase c)
    {
        Lstm<double> l0 = Lstm<double>.Create(c.D, c.H, c.Seed), l1 = Lstm<double>.Create(c.H, 2, c.Seed + 1);
        var stack = Stacked<LstmState<double>, double>.Of(l0, l1);
        var masks = DropoutMasks.BetweenLayers(stack, c.B, c.T, 0.5, new Rng(c.Seed));
        Assert.Single(masks);
        Assert.Equal(new Shape(c.B, c.T, c.H), masks[0].Shape);
        var r = stack.UnrollWithDropout(c.Inputs, stack.InitialState(c.B), masks);
        var lower = Sequence.Unroll(l0, c.Inputs);
        var upper = Sequence.Unroll(l1, lower.Outputs * masks[0]);
        Assert.Equal(upper.Outputs.ToArray(), r.Outputs.ToArray());
        Assert.Equal(lower.Final.C.ToArray(), r.Final[0].C.ToArray());
        Assert.Throws<ArgumentException>(() => stack.UnrollWithDropout(c.Inputs, stack.InitialState(c.B), []));
    }

    [Property]
    public void Zoneout_with_p_0_and_variational_dropout_in_evaluation_are_the_wrapped_cell_exactly(CellCase c)
    {
        var lstm = Lstm<double>.Create(c.D, c.H, c.Seed);
        // The wrappers step per equation, so the reference is the wrapped cell's per-step unroll (the fused kernel differs in the last bits).
        var plain = Sequence.UnrollComposed(lstm, c.Inputs, lstm.InitialState(c.B));
        var zoneout = new Zoneout<LstmState<double>, double>(lstm);
        var variational = new VariationalDropout<LstmState<double>, double>(lstm);
        foreach (var r in new[]
        {
            Sequence.Unroll(zoneout, zoneout.TrainingInputs(c.Inputs, 0, new Rng(c.Seed))),
            Sequence.Unroll(zoneout, zoneout.EvaluationInputs(c.Inputs, 0)),
            Sequence.Unroll(variational, variational.EvaluationInputs(c.Inputs)),
            Sequence.Unroll(variational, variational.TrainingInputs(c.Inputs, 0, 0, new Rng(c.Seed))),
        })
        {
            Assert.Equal(plain.Outputs.ToArray(), r.Outputs.ToArray());
            Assert.Equal(plain.Final.C.ToArray(), r.Final.C.ToArray());
        }
    }

    [Fact]
    public void Zoneout_in_evaluation_is_the_expectation_of_its_training_step_over_the_masks()
    {
        const double p = 0.4;
        const int draws = 20_000;
        var gru = GruResetAfter<double>.Create(3, 4, 5);
        var zoneout = new Zoneout<RnnState<double>, double>(gru);
        var previous = new RnnState<double>(Tensor.RandomNormal<double>(new Shape(2, 4), 9));
        var x = Tensor.RandomNormal<double>(new Shape(2, 1, 3), 10);
        var expected = zoneout.Step(previous, Reshape(zoneout.EvaluationInputs(x, p), 2, 7)).H.ToArray();
        var fresh = gru.Step(previous, Reshape(x, 2, 3)).H.ToArray();
        // The exact form: p·h_{t−1} + (1 − p)·h̃_t.
        var prev = previous.H.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(p * prev[i] + (1 - p) * fresh[i], expected[i], 12);
        var rng = new Rng(11);
        var sum = new double[expected.Length];
        for (int k = 0; k < draws; k++)
        {
            var h = zoneout.Step(previous, Reshape(zoneout.TrainingInputs(x, p, rng), 2, 7)).H.ToArray();
            for (int i = 0; i < sum.Length; i++) sum[i] += h[i];
        }
        for (int i = 0; i < sum.Length; i++)
        {
            double se = Math.Abs(prev[i] - fresh[i]) * Math.Sqrt(p * (1 - p) / draws);
            Assert.InRange(sum[i] / draws, expected[i] - 4 * se - 1e-12, expected[i] + 4 * se + 1e-12);
        }
    }

    [Fact]
    public void Zoneout_keeps_a_unit_whose_mask_is_1_and_updates_one_whose_mask_is_0()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var zoneout = new Zoneout<LstmState<double>, double>(lstm);
        Assert.Equal(2 + 3 + 3, zoneout.InputSize);
        var s0 = new LstmState<double>(Tensor.RandomNormal<double>(new Shape(1, 3), 2), Tensor.RandomNormal<double>(new Shape(1, 3), 3));
        var x = Tensor.FromArray(new[] { 0.5, -1.0 }, 1, 2);
        var fresh = lstm.Step(s0, x);
        // h: keep unit 0, update 1 and 2; c: update 0, keep 1 and 2.
        var s1 = zoneout.Step(s0, Concat(x, Tensor.FromArray(new[] { 1.0, 0.0, 0.0, 0.0, 1.0, 1.0 }, 1, 6)));
        Assert.Equal(new[] { s0.H.ToArray()[0], fresh.H.ToArray()[1], fresh.H.ToArray()[2] }, s1.H.ToArray());
        Assert.Equal(new[] { fresh.C.ToArray()[0], s0.C.ToArray()[1], s0.C.ToArray()[2] }, s1.C.ToArray());
    }

    [Fact]
    public void Variational_dropout_uses_one_mask_per_sequence_at_every_step_and_runs_per_step()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var v = new VariationalDropout<LstmState<double>, double>(lstm);
        var inputs = v.TrainingInputs(Tensor.RandomNormal<double>(new Shape(2, 5, 3), 1), 0.5, 0.5, new Rng(4));
        Assert.Equal(new Shape(2, 5, 3 + 3 + 4), inputs.Shape);
        var masks = Slice(inputs, 3, 7, 2);
        for (int t = 1; t < 5; t++) Assert.Equal(Select(masks, 1, 0).ToArray(), Select(masks, 1, t).ToArray());
        using var trace = UnrollTrace.Start();
        Sequence.Unroll(v, inputs);
        Assert.Equal("no fused kernel for VariationalDropout", Assert.Single(trace.Paths).Reason);
        // Step by step it is the wrapped cell on the dropped input and h.
        var mx = Select(Slice(masks, 0, 3, 2), 1, 0);
        var mh = Select(Slice(masks, 3, 4, 2), 1, 0);
        var s0 = new LstmState<double>(Tensor.RandomNormal<double>(new Shape(2, 4), 5), Tensor.RandomNormal<double>(new Shape(2, 4), 6));
        var x0 = Select(Slice(inputs, 0, 3, 2), 1, 0);
        var expected = lstm.Step(s0 with { H = s0.H * mh }, x0 * mx);
        var actual = v.Step(s0, Select(inputs, 1, 0));
        Assert.Equal(expected.H.ToArray(), actual.H.ToArray());
        Assert.Equal(expected.C.ToArray(), actual.C.ToArray());
        // A cell with h alone (RnnState) has its h dropped the same way.
        var gru = Gru<double>.Create(3, 4, 2);
        var g = new VariationalDropout<RnnState<double>, double>(gru);
        var h0 = new RnnState<double>(s0.H);
        Assert.Equal(gru.Step(h0 with { H = s0.H * mh }, x0 * mx).H.ToArray(), g.Step(h0, Select(inputs, 1, 0)).H.ToArray());
    }
}
