using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public class TrainerTests
{
    /// <summary>Sequence classification: the sign of the sum of a random ±1 sequence, read at the last step.</summary>
    private sealed record Classifier(Lstm<double> Cell, Linear<double> Head);

    private sealed record Batch(Tensor<double> X, int[] Labels) : ITrainingBatch { public int Items => Labels.Length; }

    private static IReadOnlyList<Batch> Data(int count, long seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = new double[16 * 7];
            var labels = new int[16];
            for (int b = 0; b < 16; b++)
            {
                double sum = 0;
                for (int t = 0; t < 7; t++) sum += x[b * 7 + t] = rng.NextDouble() < 0.5 ? -1 : 1;
                labels[b] = sum > 0 ? 1 : 0;
            }
            return new Batch(Tensor.FromArray(x, 16, 7, 1), labels);
        }).ToList();
    }

    private static Tensor<double> Loss(Classifier m, Batch b) =>
        CrossEntropy(m.Head.Apply(m.Cell.Output(Sequence.Unroll(m.Cell, b.X).Final)), b.Labels);

    private static TrainingResult<Classifier, double> Train(long seed, IProgress<TrainingProgress>? progress = null, int epochs = 8) =>
        Trainer<double>.Fit(new Classifier(Lstm<double>.Create(1, 8, seed), Linear<double>.Create(8, 2, seed + 1)),
            new Adam<double>(0.03), Loss, Data(12, seed + 2), Data(4, seed + 3),
            new TrainerOptions { Epochs = epochs, ClipNorm = 5, Seed = seed }, progress);

    [Fact]
    public void A_small_lstm_learns_a_sequence_task_through_the_public_api()
    {
        var result = Train(seed: 1);
        var test = Data(8, 99);
        double loss = test.Average(b => Loss(result.Parameters, b).ToScalar());
        var accuracy = test.Average(b => Metrics.Accuracy(Metrics.ArgMax(result.Parameters.Head.Apply(
            result.Parameters.Cell.Output(Sequence.Unroll(result.Parameters.Cell, b.X).Final))), b.Labels));
        Assert.True(result.StepLosses[0] > 0.6, $"first loss {result.StepLosses[0]}");
        Assert.True(loss < 0.2, $"test loss {loss} should fall below 0.2 (chance is ln 2 = 0.69)");
        Assert.True(accuracy > 0.95, $"test accuracy {accuracy}");
        Assert.Equal(8, result.Epochs.Count);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.ValidationLoss)));
    }

    [Fact]
    public void Seeded_runs_are_bit_identical()
    {
        var a = Train(seed: 5, epochs: 2);
        var b = Train(seed: 5, epochs: 2);
        Assert.Equal(a.StepLosses, b.StepLosses);
        Assert.Equal(a.Parameters.Cell.Wf.ToArray(), b.Parameters.Cell.Wf.ToArray());
        var c = Train(seed: 6, epochs: 2);
        Assert.NotEqual(a.StepLosses, c.StepLosses);
    }

    private sealed class Collect : IProgress<TrainingProgress>
    {
        public readonly List<TrainingProgress> Reports = [];
        public void Report(TrainingProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Progress_is_reported_every_step()
    {
        var progress = new Collect();
        var result = Train(seed: 2, progress, epochs: 2);
        Assert.Equal(24, progress.Reports.Count);
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), progress.Reports.Select(r => r.Step));
        Assert.All(progress.Reports, r => Assert.Equal(24, r.TotalSteps));
        Assert.Equal(result.StepLosses, progress.Reports.Select(r => r.Loss));
        Assert.All(progress.Reports, r => Assert.True(r.GradientNorm > 0 && r.ItemsPerSecond > 0 && r.LearningRate == 0.03));
        Assert.True(double.IsNaN(progress.Reports[0].ValidationLoss));
        Assert.True(double.IsFinite(progress.Reports[^1].ValidationLoss));
    }

    private sealed record Scalar(Tensor<double> W);

    private sealed record Dummy(double Target) : ITrainingBatch { public int Items => 1; }

    [Fact]
    public void Early_stopping_restores_the_best_parameters()
    {
        // Training pulls w towards +1, validation is best at w = 0.3: validation improves, then worsens.
        var result = Trainer<double>.Fit(new Scalar(Tensor.FromArray([0.0])), new Sgd<double>(0.1),
            (p, b) => Square(p.W - b.Target).Sum(),
            [new Dummy(1.0)], [new Dummy(0.3)],
            new TrainerOptions { Epochs = 50, Patience = 2 });
        Assert.True(result.StoppedEarly);
        Assert.True(result.Epochs.Count < 50);
        double best = result.Epochs.Min(e => e.ValidationLoss);
        Assert.Equal(best, result.Epochs[result.BestEpoch].ValidationLoss);
        Assert.Equal(best, Math.Pow(result.Parameters.W.ToScalar() - 0.3, 2), 1e-12);
    }

    [Fact]
    public void Divergence_is_reported_with_epoch_step_and_values()
    {
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer<double>.Fit(new Scalar(Tensor.FromArray([1.0])), new Sgd<double>(10.0),
            (p, b) => Exp(Square(p.W) * 50.0).Sum(), [new Dummy(0)], [], new TrainerOptions { Epochs = 20 }));
        Assert.Contains("training diverged at epoch", e.Message);
        Assert.Contains("ClipNorm", e.Message);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Contains("epochs 0", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Trainer<double>.Fit(new Scalar(Tensor.FromArray([1.0])), new Sgd<double>(0.1), (p, b) => p.W.Sum(), [new Dummy(0)], [], new TrainerOptions { Epochs = 0 })).Message);
        Assert.Contains("no training batches", Assert.Throws<ArgumentException>(() =>
            Trainer<double>.Fit(new Scalar(Tensor.FromArray([1.0])), new Sgd<double>(0.1), (p, b) => p.W.Sum(), Array.Empty<Dummy>(), [], new TrainerOptions())).Message);
    }
}
