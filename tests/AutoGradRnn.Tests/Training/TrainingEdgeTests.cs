using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Survivors of the second Training mutation run: checks and values no test had reached (null templates of a file that
/// exists, the optimizer state's messages, centered RMSprop's gradient average, the divergence exception's properties,
/// ArgMax of nothing, a non-finite value on either side of a metric, a negative checkpoint interval, Evaluate of nothing).
/// </summary>
public class TrainingEdgeTests
{
    private sealed record Scalar(Tensor<double> W);

    private sealed record One : ITrainingBatch { public int Items => 1; }

    [Fact]
    public void Loading_into_a_null_template_is_refused_by_name_even_when_the_file_exists()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        Checkpoint<double>.Save(path, new Scalar(Tensor.FromArray([1.0])), new Adam<double>(0.1).Init(new Scalar(Tensor.FromArray([1.0]))));
        Assert.Equal("template", Assert.Throws<ArgumentNullException>(() => Checkpoint<double>.Load<Scalar>(path, null!)).ParamName);
        Assert.Equal("template", Assert.Throws<ArgumentNullException>(() => Checkpoint<double>.LoadWithOptimizer<Scalar>(path, null!, new Adam<double>(0.1))).ParamName);
        Assert.Equal("optimizer", Assert.Throws<ArgumentNullException>(() => Checkpoint<double>.LoadWithOptimizer(path, new Scalar(Tensor.FromArray([0.0])), null!)).ParamName);
    }

    [Fact]
    public void The_optimizer_state_names_what_does_not_belong()
    {
        var p = new Scalar(Tensor.FromArray([1.0, 2.0]));
        var state = new Adam<double>(0.1).Init(p);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => state.Slot(null!)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new Sgd<double>(0.1, momentum: 0.9).Update(p, p, state));
        Assert.Equal("optimizer: the state (slots exp_avg,exp_avg_sq) does not belong to this optimizer and these parameters (slots momentum_buffer, 1 leaves)", e.Message);
        var misshapen = state with { Slots = [[Tensor.Zeros<double>(3)], state.Slots[1]] };
        var shape = Assert.Throws<ShapeMismatchException>(() => new Adam<double>(0.1).Update(p, p, misshapen));
        Assert.Equal("optimizer: [2] x [3]: slot 'exp_avg' of 'W' has the wrong shape", shape.Message);
    }

    [Fact]
    public void Centered_RMSprop_keeps_the_gradient_average_with_its_sign()
    {
        var p = new Scalar(Tensor.FromArray([1.0, -1.0]));
        var g = new Scalar(Tensor.FromArray([2.0, -3.0]));
        var rms = new RmsProp<double>(0.01, alpha: 0.9, centered: true);
        var (_, state) = rms.Update(p, g, rms.Init(p));
        var (avg, square) = (state.Slot("grad_avg")[0].ToArray(), state.Slot("square_avg")[0].ToArray());
        Assert.Equal(0.2, avg[0], 1e-12);      // (1 − α)·g
        Assert.Equal(-0.3, avg[1], 1e-12);
        Assert.Equal(0.4, square[0], 1e-12);   // (1 − α)·g²
        Assert.Equal(0.9, square[1], 1e-12);
    }

    [Fact]
    public void A_diverged_run_reports_its_epoch_step_loss_and_norm_as_properties()
    {
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer<double>.Fit(new Scalar(Tensor.FromArray([1.0])), new Sgd<double>(0.1),
            (p, b) => Sum(p.W * double.PositiveInfinity), [new One(), new One()], [], new TrainerOptions { Epochs = 2 }));
        Assert.Equal(0, e.Epoch);
        Assert.Equal(1, e.Step);
        Assert.Equal(double.PositiveInfinity, e.Loss);
        Assert.Equal(double.PositiveInfinity, e.GradientNorm);
    }

    [Fact]
    public void ArgMax_of_no_values_is_empty_and_metrics_refuse_a_non_finite_value_on_either_side()
    {
        Assert.Empty(Metrics.ArgMax(Tensor.Zeros<double>(0)));
        Assert.Equal([1, 0], Metrics.ArgMax(Tensor.FromRows([1.0, 2.0], [5.0, 3.0])));
        Assert.Contains("values must be finite, found NaN", Assert.Throws<ArgumentException>(() => Metrics.Rmse([1.0], [double.NaN])).Message);
        Assert.Contains("values must be finite, found NaN", Assert.Throws<ArgumentException>(() => Metrics.Rmse([double.NaN], [1.0])).Message);
        // The same value on both sides is still checked (a set difference would drop it).
        Assert.Contains("values must be finite", Assert.Throws<ArgumentException>(() => Metrics.Mae([double.PositiveInfinity], [double.PositiveInfinity])).Message);
    }

    [Fact]
    public void A_negative_checkpoint_interval_and_an_empty_evaluation_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer<double>.Fit(new Scalar(Tensor.FromArray([1.0])), new Sgd<double>(0.1),
            (p, b) => Sum(p.W), [new One()], [], new TrainerOptions(), null, new TrainingControl { ResumeFile = "r.safetensors", CheckpointEvery = -1 }));
        Assert.StartsWith("trainer: checkpoint every -1 steps must be ≥ 0", e.Message);
        Assert.Equal("CheckpointEvery", e.ParamName);
        var empty = Assert.Throws<ArgumentException>(() => Trainer<double>.Evaluate(new Scalar(Tensor.FromArray([1.0])), (Scalar p, int c, One b) => (Sum(p.W), c), _ => 0, []));
        Assert.StartsWith("evaluate: no batches", empty.Message);
        Assert.Equal("batches", empty.ParamName);
    }
}
