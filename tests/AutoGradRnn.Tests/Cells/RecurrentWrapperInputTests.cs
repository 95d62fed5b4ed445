using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The inputs the zoneout and variational-dropout wrappers build: one mask column block per state leaf (zoneout) or
/// [D + H] per sequence (variational), their shapes and their share of ones, the inputs they refuse (named), and the
/// states variational dropout cannot drop.
/// </summary>
public class RecurrentWrapperInputTests
{
    [Fact]
    public void Zoneout_has_a_mask_block_per_state_leaf_in_flatten_order()
    {
        Assert.Equal([4, 4], new Zoneout<LstmState<double>, double>(Lstm<double>.Create(3, 4, 1)).MaskSizes);
        Assert.Equal([5], new Zoneout<RnnState<double>, double>(Gru<double>.Create(3, 5, 1)).MaskSizes);
        var stack = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(3, 2, 1), Lstm<double>.Create(2, 6, 2));
        var zoneout = new Zoneout<LstmState<double>[], double>(stack);
        Assert.Equal([2, 2, 6, 6], zoneout.MaskSizes);
        Assert.Equal(3 + 16, zoneout.InputSize);
        Assert.Equal(6, zoneout.OutputSize);
        var x = Tensor.RandomNormal<double>(new Shape(2, 4, 3), 1);
        Assert.Equal(new Shape(2, 4, 19), zoneout.TrainingInputs(x, 0.5, new Rng(1)).Shape);
        Assert.Equal(new Shape(2, 4, 19), zoneout.EvaluationInputs(x, 0.5).Shape);
        Assert.Equal(new Shape(2, 4, 6), Sequence.Unroll(zoneout, zoneout.TrainingInputs(x, 0.5, new Rng(1))).Outputs.Shape);
    }

    [Fact]
    public void Zoneout_training_masks_are_ones_with_probability_p_after_the_inputs_untouched()
    {
        const double p = 0.25;
        var zoneout = new Zoneout<LstmState<double>, double>(Lstm<double>.Create(2, 50, 1));
        var x = Tensor.RandomNormal<double>(new Shape(4, 50, 2), 1);
        var inputs = zoneout.TrainingInputs(x, p, new Rng(3));
        Assert.Equal(x.ToArray(), Slice(inputs, 0, 2, 2).ToArray());
        var masks = Slice(inputs, 2, 100, 2).ToArray();
        Assert.All(masks, v => Assert.True(v == 0 || v == 1, $"mask value {v}"));
        double ones = masks.Count(v => v == 1) / (double)masks.Length, se = Math.Sqrt(p * (1 - p) / masks.Length);
        Assert.InRange(ones, p - 4 * se, p + 4 * se);
        Assert.All(Slice(zoneout.EvaluationInputs(x, p), 2, 100, 2).ToArray(), v => Assert.Equal(p, v));
        // p = 0 keeps nothing and draws nothing: the stream is where it was.
        var rng = new Rng(3);
        Assert.All(Slice(zoneout.TrainingInputs(x, 0, rng), 2, 100, 2).ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(new Rng(3).NextDouble(), rng.NextDouble());
    }

    [Fact]
    public void The_wrappers_refuse_inputs_that_are_not_batch_time_D_naming_the_width()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var zoneout = new Zoneout<LstmState<double>, double>(lstm);
        var variational = new VariationalDropout<LstmState<double>, double>(lstm);
        foreach (var bad in new[] { Tensor.Zeros<double>(2, 5, 4), Tensor.Zeros<double>(2, 3) })
        {
            string shape = bad.Shape.ToString();
            Assert.Equal($"zoneout inputs: {shape}: inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => zoneout.TrainingInputs(bad, 0.5, new Rng(1))).Message);
            Assert.Equal($"zoneout inputs: {shape}: inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => zoneout.EvaluationInputs(bad, 0.5)).Message);
            Assert.Equal($"variational dropout inputs: {shape}: inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => variational.TrainingInputs(bad, 0.5, 0.5, new Rng(1))).Message);
            Assert.Equal($"variational dropout inputs: {shape}: inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => variational.EvaluationInputs(bad)).Message);
        }
    }

    [Fact]
    public void A_wrapper_step_given_an_input_of_the_wrong_width_names_the_wrapper_and_its_own_width()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var (state, x) = (lstm.InitialState(2), Tensor.Zeros<double>(2, 3));   // the wrapped cell's width, not the wrapper's
        Assert.Equal("variational dropout step: [2,3]: input must be [batch, 10]",
            Assert.Throws<ShapeMismatchException>(() => new VariationalDropout<LstmState<double>, double>(lstm).Step(state, x)).Message);
        Assert.Equal("zoneout step: [2,3]: input must be [batch, 11]",
            Assert.Throws<ShapeMismatchException>(() => new Zoneout<LstmState<double>, double>(lstm).Step(state, x)).Message);
    }

    [Fact]
    public void Variational_masks_are_zero_or_scaled_per_sequence_and_evaluation_masks_are_ones()
    {
        var variational = new VariationalDropout<RnnState<double>, double>(Rnn<double>.Create(3, 40, 1));
        Assert.Equal(2 * 3 + 40, variational.InputSize);
        Assert.Equal(40, variational.OutputSize);
        var x = Tensor.RandomNormal<double>(new Shape(30, 2, 3), 1);
        var train = variational.TrainingInputs(x, 0.5, 0.2, new Rng(2));
        Assert.Equal(x.ToArray(), Slice(train, 0, 3, 2).ToArray());
        var mx = Slice(train, 3, 3, 2).ToArray();
        var mh = Slice(train, 6, 40, 2).ToArray();
        Assert.All(mx, v => Assert.True(v == 0 || v == 2, $"input mask {v}"));
        Assert.All(mh, v => Assert.True(v == 0 || v == 1 / 0.8, $"state mask {v}"));
        Assert.InRange(mh.Count(v => v == 0) / (double)mh.Length, 0.2 - 4 * Math.Sqrt(0.16 / mh.Length), 0.2 + 4 * Math.Sqrt(0.16 / mh.Length));
        Assert.All(Slice(variational.EvaluationInputs(x), 3, 43, 2).ToArray(), v => Assert.Equal(1.0, v));
        Assert.Equal(new Shape(30, 2, 46), variational.EvaluationInputs(x).Shape);
    }

    [Fact]
    public void Variational_dropout_refuses_a_state_without_a_single_h()
    {
        var stack = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(3, 4, 1));
        var variational = new VariationalDropout<LstmState<double>[], double>(stack);
        var e = Assert.Throws<NotSupportedException>(() => variational.Step(stack.InitialState(2), Tensor.Ones<double>(2, 3 + 3 + 4)));
        Assert.Equal("variational dropout: the state LstmState`1[] has no single h to drop (LstmState or RnnState)", e.Message);
    }
}
