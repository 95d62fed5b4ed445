using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="RecurrentRegularisation"/>, the setting the applications train with: it must be exactly the wrappers and
/// masks it documents (so their gradchecks and statistics carry over), the plain fused unroll when off, and its evaluation
/// the identity (dropout, variational) or zoneout's expectation, step by step as in a whole unroll.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class RecurrentRegularisationTests
{
    private static double[] Values<TState>(SequenceResult<TState, double> r) =>
        [.. r.Outputs.ToArray(), .. ParameterTree<double>.Leaves(r.Final!).SelectMany(l => l.ToArray())];

    private static Stacked<LstmState<double>, double> Stack(CellCase c) =>
        Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(c.D, c.H, c.Seed), Lstm<double>.Create(c.H, 3, c.Seed + 1));

    [Property]
    public void None_is_the_plain_fused_unroll_in_training_and_evaluation(CellCase c)
    {
        var stack = Stack(c);
        var plain = Sequence.Unroll(stack, c.Inputs, stack.InitialState(c.B));
        foreach (var train in new[] { false, true })
        {
            using var trace = UnrollTrace.Start();
            var r = train ? RecurrentRegularisation.None.TrainStack(stack, c.Inputs, stack.InitialState(c.B), new Rng(c.Seed))
                : RecurrentRegularisation.None.EvaluateStack(stack, c.Inputs, stack.InitialState(c.B));
            Assert.Equal(Values(plain), Values(r));
            Assert.All(trace.Paths, p => Assert.True(p.Fused, p.ToString()));
        }
    }

    [Property]
    public void Dropout_alone_is_UnrollWithDropout_with_the_same_masks_and_no_dropout_in_evaluation(CellCase c)
    {
        var stack = Stack(c);
        var reg = new RecurrentRegularisation { Dropout = 0.4 };
        var expected = stack.UnrollWithDropout(c.Inputs, stack.InitialState(c.B), DropoutMasks.BetweenLayers(stack, c.B, c.T, 0.4, new Rng(c.Seed)));
        Assert.Equal(Values(expected), Values(reg.TrainStack(stack, c.Inputs, stack.InitialState(c.B), new Rng(c.Seed))));
        Assert.Equal(Values(Sequence.Unroll(stack, c.Inputs, stack.InitialState(c.B))), Values(reg.EvaluateStack(stack, c.Inputs, stack.InitialState(c.B))));
    }

    [Property]
    public void Training_is_zoneout_around_variational_dropout_with_masks_drawn_in_the_documented_order(CellCase c)
    {
        var lstm = Lstm<double>.Create(c.D, c.H, c.Seed);
        var reg = new RecurrentRegularisation { Variational = 0.3, Zoneout = 0.2 };
        var rng = new Rng(c.Seed);
        var v = new VariationalDropout<LstmState<double>, double>(lstm);
        var z = new Zoneout<LstmState<double>, double>(v);
        var inputs = z.TrainingInputs(v.TrainingInputs(c.Inputs, 0.3, 0.3, rng), 0.2, rng);
        var expected = Sequence.Unroll(z, inputs, lstm.InitialState(c.B));
        var actual = reg.TrainCell(lstm, c.Inputs, lstm.InitialState(c.B), new Rng(c.Seed));
        Assert.Equal(Values(expected), Values(actual));
        // The same generator gives the same masks, bit for bit; another gives others (on a batch large enough that two
        // generators drawing the same masks is out of the question: on one step of one unit they often do).
        Assert.Equal(Values(actual), Values(reg.TrainCell(lstm, c.Inputs, lstm.InitialState(c.B), new Rng(c.Seed))));
        var large = Tensor.RandomNormal<double>(new Shape(8, 10, c.D), c.Seed);
        Assert.NotEqual(Values(reg.TrainCell(lstm, large, lstm.InitialState(8), new Rng(c.Seed))), Values(reg.TrainCell(lstm, large, lstm.InitialState(8), new Rng(c.Seed + 1))));
    }

    [Property]
    public void Evaluation_is_the_plain_cell_under_variational_dropout_and_the_expectation_under_zoneout(CellCase c)
    {
        var gru = GruResetAfter<double>.Create(c.D, c.H, c.Seed);
        var variational = new RecurrentRegularisation { Variational = 0.5 };
        Assert.Equal(Values(Sequence.Unroll(gru, c.Inputs, gru.InitialState(c.B))), Values(variational.EvaluateCell(gru, c.Inputs, gru.InitialState(c.B))));
        var zoned = new RecurrentRegularisation { Zoneout = 0.25, Variational = 0.5 };
        var z = new Zoneout<RnnState<double>, double>(gru);
        var expected = Sequence.Unroll(z, z.EvaluationInputs(c.Inputs, 0.25), gru.InitialState(c.B));
        Assert.Equal(Values(expected), Values(zoned.EvaluateCell(gru, c.Inputs, gru.InitialState(c.B))));
        // The evaluation cell a sampler steps with is the same function, one step at a time.
        Assert.Equal(Values(expected), Values(Sequence.Unroll(zoned.EvaluationCell(gru), c.Inputs, gru.InitialState(c.B))));
        Assert.Same(gru, variational.EvaluationCell(gru));
    }

    [Property]
    public void A_stack_regularises_every_layer_and_drops_between_them(CellCase c)
    {
        var stack = Stack(c);
        var reg = new RecurrentRegularisation { Dropout = 0.3, Zoneout = 0.1 };
        var rng = new Rng(c.Seed);
        var between = DropoutMasks.BetweenLayers(stack, c.B, c.T, 0.3, rng);
        var layerReg = reg with { Dropout = 0 };
        var lower = layerReg.TrainCell(stack.Layers[0], c.Inputs, stack.Layers[0].InitialState(c.B), rng);
        var upper = layerReg.TrainCell(stack.Layers[1], Dropout(lower.Outputs, between[0]), stack.Layers[1].InitialState(c.B), rng);
        var actual = reg.TrainStack(stack, c.Inputs, stack.InitialState(c.B), new Rng(c.Seed));
        Assert.Equal(upper.Outputs.ToArray(), actual.Outputs.ToArray());
        Assert.Equal(lower.Final.C.ToArray(), actual.Final[0].C.ToArray());
        Assert.Equal(upper.Final.H.ToArray(), actual.Final[1].H.ToArray());
    }

    [Theory]
    [InlineData(1.0, 0, 0, "--dropout")]
    [InlineData(0, -0.1, 0, "--variational-dropout")]
    [InlineData(0, 0, double.NaN, "--zoneout")]
    public void A_probability_outside_0_to_1_is_refused_naming_its_flag(double dropout, double variational, double zoneout, string flag)
    {
        var reg = new RecurrentRegularisation { Dropout = dropout, Variational = variational, Zoneout = zoneout };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => reg.Check("train-char"));
        Assert.StartsWith($"train-char: {flag} ", e.Message);
        var lstm = Lstm<double>.Create(2, 3, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => reg.EvaluateCell(lstm, Tensor.Zeros<double>(new Shape(1, 2, 2)), lstm.InitialState(1)));
    }
}
