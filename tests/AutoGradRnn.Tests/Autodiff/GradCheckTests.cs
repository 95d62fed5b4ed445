using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

[Properties(Arbitrary = new[] { typeof(Arbs.Tensors) })]
public class GradCheckTests
{
    /// <summary>A test-only op: forward x³ with a deliberately wrong backward (2x² instead of 3x²).</summary>
    private static Tensor<double> BrokenCube(Tensor<double> x) =>
        Custom("broken_cube", Tensor.FromArray(x.ToArray().Select(v => v * v * v).ToArray(), x.Shape), [x],
            c => [c.Gradient * Tensor.FromArray(x.ToArray().Select(v => 2 * v * v).ToArray(), x.Shape)]);

    /// <summary>The same op with the right backward, so the custom-op mechanism itself is known to work.</summary>
    private static Tensor<double> Cube(Tensor<double> x) =>
        Custom("cube", Tensor.FromArray(x.ToArray().Select(v => v * v * v).ToArray(), x.Shape), [x],
            c => [c.Gradient * Tensor.FromArray(x.ToArray().Select(v => 3 * v * v).ToArray(), x.Shape)]);

    [Property]
    public void A_wrong_backward_rule_fails_in_full_mode_and_the_report_names_the_worst_element(TensorCase c)
    {
        var x = c.Values(awayFromZero: 0.5);
        var result = GradCheck.Check((Tensor<double> t) => BrokenCube(t), x);
        Assert.False(result.Passed, result.Report);
        Assert.Contains("FAILED", result.Report);
        // analytic is 2/3 of numeric everywhere: the worst element shows exactly that ratio
        Assert.Equal(2.0 / 3.0, result.Worst.Analytic / result.Worst.Numeric, 1e-4);
        Assert.Equal(c.Dims.Length, result.Worst.Index.Length);
        Assert.True(GradCheck.Check((Tensor<double> t) => Cube(t), x).Passed);
    }

    [Property]
    public void A_wrong_backward_rule_fails_in_directional_mode(TensorCase c)
    {
        var x = c.Values(awayFromZero: 0.5);
        var options = new GradCheckOptions { Mode = GradCheckMode.Directional, Seed = c.Seed };
        Assert.False(GradCheck.Check((Tensor<double> t) => Sum(BrokenCube(t)), x, options).Passed);
        Assert.True(GradCheck.Check((Tensor<double> t) => Sum(Cube(t)), x, options).Passed);
    }

    [Fact]
    public void Assert_throws_with_the_report() 
    {
        var x = Tensor.FromArray([1.0, -2.0, 3.0]);
        var e = Assert.Throws<GradCheckException>(() => GradCheck.Assert((Tensor<double> t) => BrokenCube(t), x));
        Assert.False(e.Result.Passed);
        Assert.Equal(e.Result.Report, e.Message);
        // the worst element is the largest |x|: numeric 3·9 = 27, analytic 2·9 = 18
        Assert.Equal([2], e.Result.Worst.Index);
        Assert.Equal(27, e.Result.Worst.Numeric, 1e-4);
        Assert.Equal(18, e.Result.Worst.Analytic, 1e-9);
        Assert.Contains("input [2], output [2]", e.Message);
    }

    [Fact]
    public void The_report_names_the_leaf_of_a_parameter_tree()
    {
        var p = (Good: Tensor.FromArray([1.0, 2.0]), Bad: Tensor.FromArray([1.0, 2.0]));
        var r = GradCheck.Check(((Tensor<double> Good, Tensor<double> Bad) q) => Sum(Cube(q.Good)) + Sum(BrokenCube(q.Bad)), p);
        Assert.False(r.Passed);
        Assert.Equal("Item2", r.Worst.Input);
    }

    [Fact]
    public void A_gradient_that_ignores_a_dependence_fails()
    {
        // f reads x's values outside the tape: the analytic gradient is 0, the numeric one is not.
        var x = Tensor.FromArray([0.5, 1.5]);
        var r = GradCheck.Check((Tensor<double> t) => Tensor.FromArray(t.ToArray().Select(v => v * v).ToArray()), x);
        Assert.False(r.Passed);
    }

    [Fact]
    public void Bad_options_are_rejected_with_their_values()
    {
        var x = Tensor.FromArray([1.0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check((Tensor<double> t) => t, x, new GradCheckOptions { Eps = 0 }));
        Assert.Contains("eps 0 must be", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check((Tensor<double> t) => t, x, new GradCheckOptions { Eps = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check((Tensor<double> t) => t, x, new GradCheckOptions { Rtol = -1 }));
        Assert.Throws<ArgumentException>(() => GradCheck.Check((Tensor<double> t) => t, Tensor.Zeros<double>(0)));
        Assert.Throws<ArgumentException>(() => GradCheck.Check((Tensor<double> t) => t, Tensor.FromArray([double.NaN])));
    }

    [Fact]
    public void Non_scalar_outputs_are_checked_element_by_element()
    {
        var x = Tensor.FromRows([1.0, 2.0], [3.0, 4.0]);
        var r = GradCheck.Check((Tensor<double> t) => Tanh(t) * 2.0, x);
        Assert.True(r.Passed, r.Report);
        Assert.Equal(16, r.Compared); // 4 outputs × 4 inputs
    }
}
