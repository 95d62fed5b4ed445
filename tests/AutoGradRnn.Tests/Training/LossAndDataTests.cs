using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class LossAndDataTests
{
    [Property]
    public void Masked_and_absolute_losses_gradcheck(CellCase c)
    {
        var mask = Sequence.MaskFromLengths<double>(c.Lengths, c.T);
        var y = Tensor.RandomNormal<double>(new Shape(c.B, c.T, c.D), c.Seed + 1);
        Props.GradOk((Tensor<double> p) => MeanSquaredError(p, y, mask), c.Inputs);
        Props.GradOk((Tensor<double> p) => MeanAbsoluteError(p, y), c.Inputs + 0.05);
        Props.GradOk((Tensor<double> p) => MeanAbsoluteError(p, y, mask), c.Inputs + 0.05);
        var targets = Enumerable.Range(0, c.B * c.T).Select(i => i % c.D).ToArray();
        Props.GradOk((Tensor<double> z) => CrossEntropy(z, targets, mask), c.Inputs);
    }

    [Fact]
    public void Masked_losses_ignore_masked_rows_entirely()
    {
        var logits = Tensor.FromRows([2.0, 0.0], [0.0, 5.0], [1.0, 1.0]).Reshape(1, 3, 2);
        var mask = Tensor.FromArray([1.0, 1.0, 0.0], 1, 3);
        double expected = (CrossEntropy(Slice(logits, 0, 2, 1), [0, 1]).ToScalar());
        Assert.Equal(expected, CrossEntropy(logits, [0, 1, 1], mask).ToScalar(), 1e-14);
        var g = Autodiff.Grad((Tensor<double> z) => CrossEntropy(z, [0, 1, 1], mask))(logits);
        Assert.Equal([0.0, 0.0], Select(Select(g, 1, 2), 0, 0).ToArray());
        Assert.Contains("selects no rows", Assert.Throws<ArgumentException>(() => CrossEntropy(logits, [0, 1, 1], Tensor.Zeros<double>(1, 3))).Message);
        Assert.Contains("the mask has 2 elements for 3 rows", Assert.Throws<ShapeMismatchException>(() => CrossEntropy(logits, [0, 1, 1], Tensor.Ones<double>(2))).Message);
        var p = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2);
        // row 0 kept: ((1)² + (1)²) / (1 row × 2 features) = 1
        Assert.Equal(1.0, MeanSquaredError(p, p - Tensor.FromArray([1.0, 1.0, 0.0, 0.0], 2, 2), Tensor.FromArray([1.0, 0.0])).ToScalar(), 1e-14);
    }

    [Fact]
    public void Metrics()
    {
        Assert.Equal(1.0, AutoGradRnn.Metrics.BitsPerCharacter(Math.Log(2)), 1e-15);
        Assert.Equal(Math.E, AutoGradRnn.Metrics.Perplexity(1), 1e-15);
        Assert.Equal(0.5, AutoGradRnn.Metrics.Accuracy([1, 2, 3, 4], [1, 0, 3, 0]));
        Assert.Equal(Math.Sqrt(2.5), AutoGradRnn.Metrics.Rmse([1, 2], [2, 4]), 1e-15);
        Assert.Equal(1.5, AutoGradRnn.Metrics.Mae([1, 2], [2, 4]));
        Assert.Equal(50, AutoGradRnn.Metrics.Mape([1, 2], [2, 4]), 1e-12);
        Assert.Contains("index 1 is 0", Assert.Throws<ArgumentException>(() => AutoGradRnn.Metrics.Mape([1, 2], [2, 0])).Message);
        Assert.Contains("2 predictions for 3", Assert.Throws<ShapeMismatchException>(() => AutoGradRnn.Metrics.Rmse([1, 2], [1, 2, 3])).Message);
        Assert.Equal([1, 0], AutoGradRnn.Metrics.ArgMax(Tensor.FromRows([0.0, 3.0, 1.0], [5.0, 1.0, 2.0])));
    }

    [Fact]
    public void Windows_split_by_time_and_normalisation_sees_only_training_data()
    {
        int n = 100;
        var series = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), n, 1);
        var split = TimeSplit.ByFraction(n, 0.2, 0.1);
        Assert.Equal((70, 90), (split.TrainEnd, split.ValidationEnd));
        var norm = Normalizer<double>.Fit(series, split.TrainEnd);
        Assert.Equal(34.5, norm.Mean[0], 1e-12);                     // mean of 0..69 only
        var z = norm.Apply(series);
        TensorAssert.Close(series, norm.Invert(z), 1e-12, 1e-12);

        var train = Windows.Create(z, window: 5, horizon: 3, targetColumn: 0, targetFrom: 0, targetTo: split.TrainEnd);
        var valid = Windows.Create(z, 5, 3, 0, split.TrainEnd, split.ValidationEnd);
        Assert.True(train.TargetStarts.Max() + 3 <= split.TrainEnd);
        Assert.True(valid.TargetStarts.Min() >= split.TrainEnd && valid.TargetStarts.Max() + 3 <= split.ValidationEnd);
        // a window's inputs are the W steps right before its targets
        int i0 = 4;
        Assert.Equal(norm.InvertColumn(Select(valid.Inputs, 0, i0), 0).ToArray(), Enumerable.Range(valid.TargetStarts[i0] - 5, 5).Select(v => (double)v).ToArray().Select(v => v).ToArray(), new ToleranceComparer(1e-9));
        Assert.Equal((double)valid.TargetStarts[i0], norm.InvertColumn(valid.Targets, 0)[i0, 0], 1e-9);
        var batches = Windows.ShuffledBatches(train, 16, seed: 3);
        Assert.Equal(train.Inputs.Shape[0], batches.Sum(b => b.Items));
        Assert.Equal(train.TargetStarts.Order(), batches.SelectMany(b => b.TargetStarts).Order());
        Assert.Contains("no window", Assert.Throws<ArgumentException>(() => Windows.Create(z, 50, 30, 0, 90, 100)).Message);
    }

    public sealed record WindowCase(int Length, int Window, int Horizon, int From, int To, int Stride)
    {
        public override string ToString() => $"length {Length} window {Window} horizon {Horizon} targets [{From}, {To}) stride {Stride}";
    }

    public static class WindowCases
    {
        public static Arbitrary<WindowCase> Cases() => Arb.From(
            from length in Gen.Choose(2, 60)
            from window in Gen.Choose(1, 12)
            from horizon in Gen.Choose(1, 8)
            from a in Gen.Choose(0, length - 1)
            from b in Gen.Choose(a + 1, length)
            from stride in Gen.Choose(1, 4)
            select new WindowCase(length, window, horizon, a, b, stride));
    }

    /// <summary>
    /// The exact set of windows, against a brute-force enumeration of every valid target start: targets inside
    /// [from, to), inputs inside the series, every stride-th start from the first valid one. One-sided checks
    /// (targets inside the split) let a dropped last window survive (`&lt;=` → `&lt;` in the loop); this does not.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(WindowCases) }, MaxTest = 200)]
    public void Windows_are_exactly_the_valid_target_starts(WindowCase c)
    {
        var series = Tensor.FromArray(Enumerable.Range(0, c.Length * 2).Select(i => (double)i).ToArray(), c.Length, 2);
        int first = Math.Max(c.From, c.Window);
        var expected = Enumerable.Range(0, c.Length)
            .Where(s => s >= c.From && s - c.Window >= 0 && s + c.Horizon <= c.To && (s - first) % c.Stride == 0).ToArray();
        if (expected.Length == 0)
        {
            Assert.Contains("no window", Assert.Throws<ArgumentException>(() => Windows.Create(series, c.Window, c.Horizon, 1, c.From, c.To, c.Stride)).Message);
            return;
        }
        var w = Windows.Create(series, c.Window, c.Horizon, targetColumn: 1, c.From, c.To, c.Stride);
        Assert.Equal(expected, w.TargetStarts);
        for (int i = 0; i < expected.Length; i++)
        {
            int s = expected[i];
            Assert.Equal(Enumerable.Range((s - c.Window) * 2, c.Window * 2).Select(v => (double)v), Select(w.Inputs, 0, i).ToArray());
            Assert.Equal(Enumerable.Range(s, c.Horizon).Select(t => t * 2 + 1.0), Select(w.Targets, 0, i).ToArray());
        }
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(double v) => 0;
    }
}
