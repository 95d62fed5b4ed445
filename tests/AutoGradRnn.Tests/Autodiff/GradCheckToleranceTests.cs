using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// GradCheck's decision rule |analytic − numeric| ≤ atol + rtol·|numeric| at its boundary, on linear functions whose
/// central difference is exact (x = 0, eps = 0.5: every number involved is a power of two), with an analytic gradient
/// chosen off by a known amount through a custom op.
/// </summary>
public class GradCheckToleranceTests
{
    /// <summary>f(x) = k·x elementwise, whose backward rule claims the slopes <paramref name="claimed"/> instead.</summary>
    private static Tensor<double> Linear(Tensor<double> x, double k, double[] claimed) =>
        Custom("linear", Tensor.FromArray(x.ToArray().Select(v => k * v).ToArray(), x.Shape), [x],
            c => [K.Mul(c.Gradient, Tensor.FromArray(claimed, x.Shape))]);

    private static GradCheckOptions Exact(double atol, double rtol) => new() { Eps = 0.5, Atol = atol, Rtol = rtol };

    [Fact]
    public void An_error_exactly_at_the_absolute_tolerance_passes_and_just_beyond_fails()
    {
        var x = Tensor.Zeros<double>(1);
        var at = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.25]), x, Exact(0.25, 0));
        Assert.True(at.Passed, at.Report);
        Assert.Equal(2.0, at.Worst.Numeric);
        Assert.Equal(2.25, at.Worst.Analytic);
        var beyond = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.25]), x, Exact(0.2499, 0));
        Assert.False(beyond.Passed, beyond.Report);
    }

    [Fact]
    public void The_relative_part_scales_with_the_magnitude_of_the_numeric_value()
    {
        var x = Tensor.Zeros<double>(1);
        // numeric −2, error 0.25: tolerance 0.125 + 0.0625·|−2| = 0.25 exactly.
        var at = GradCheck.Check((Tensor<double> t) => Linear(t, -2, [-2.25]), x, Exact(0.125, 0.0625));
        Assert.True(at.Passed, at.Report);
        var beyond = GradCheck.Check((Tensor<double> t) => Linear(t, -2, [-2.25]), x, Exact(0.125, 0.06));
        Assert.False(beyond.Passed, beyond.Report);
        // Relative tolerance alone: 0.125·|−2| = 0.25.
        Assert.True(GradCheck.Check((Tensor<double> t) => Linear(t, -2, [-1.75]), x, Exact(0, 0.125)).Passed);
        Assert.False(GradCheck.Check((Tensor<double> t) => Linear(t, -2, [-1.75]), x, Exact(0, 0.12)).Passed);
    }

    [Fact]
    public void The_report_of_a_check_reads_exactly()
    {
        var x = Tensor.Zeros<double>(1);
        var r = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.25]), x, Exact(0.25, 0));
        Assert.Equal("gradcheck passed (full, 1 values compared, eps 0.5, tolerance 0.25 + 0·|numeric|); worst: " +
                     "input [0], output [0]: analytic 2.25, numeric 2, abs err 0.25, rel err 0.125", r.Report);
        Assert.Equal(r.Report, r.ToString());
        var failed = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.5]), x, Exact(0.25, 0.0625));
        Assert.StartsWith("gradcheck FAILED (full, 1 values compared, eps 0.5, tolerance 0.25 + 0.0625·|numeric|); worst: ", failed.Report);
    }

    [Fact]
    public void The_worst_entry_is_the_largest_error_relative_to_its_tolerance_not_the_first()
    {
        var x = Tensor.Zeros<double>(3, 2);
        // slope 2 everywhere, the claimed slope off by 0.125 at [0,1], by 0.25 at [1,1] and by 0.5 at [2,1].
        double[] claimed = [2, 2.125, 2, 2.25, 2, 2.5];
        var r = GradCheck.Check((Tensor<double> t) => Linear(t, 2, claimed), x, Exact(1, 0));
        Assert.True(r.Passed);
        Assert.Equal(36, r.Compared);                     // 6 outputs × 6 inputs
        Assert.Equal([2, 1], r.Worst.Index);              // flat element 5 of [3,2], row-major
        Assert.Equal(5, r.Worst.OutputIndex);
        Assert.Equal(2.5, r.Worst.Analytic);
        Assert.Equal(0.5, r.Worst.AbsoluteError);
        var second = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2, 2.125, 2, 2.25, 2, 2]), x, Exact(1, 0));
        Assert.Equal([1, 1], second.Worst.Index);
    }

    [Fact]
    public void On_a_tie_the_first_of_the_worst_entries_is_reported()
    {
        var x = Tensor.Zeros<double>(3);
        var r = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.5, 2, 2.5]), x, Exact(1, 0));
        Assert.Equal([0], r.Worst.Index);
        Assert.Equal(0, r.Worst.OutputIndex);
        var failing = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2, 3, 3]), x, Exact(0.25, 0));
        Assert.False(failing.Passed);
        Assert.Equal([1], failing.Worst.Index);
    }

    [Fact]
    public void The_worst_entry_is_judged_against_its_own_tolerance_not_by_its_absolute_error()
    {
        // f(x) = [10, 1] ⊙ x with claimed slopes [10.5, 1.3]: absolute errors 0.5 and 0.3, but with rtol 0.1 the
        // tolerances are 1 and 0.1, so the second element (3 tolerances off) is the worst, and the only failure.
        var x = Tensor.Zeros<double>(2);
        var slopes = Tensor.FromArray([10.0, 1.0]);
        var r = GradCheck.Check((Tensor<double> t) => Custom("scaled", K.Mul(t.Detach(), slopes), [t],
            c => [K.Mul(c.Gradient, Tensor.FromArray([10.5, 1.3]))]), x, Exact(0, 0.1));
        Assert.False(r.Passed);
        Assert.Equal([1], r.Worst.Index);
        Assert.Equal(0.3, r.Worst.AbsoluteError, 1e-12);
    }

    [Fact]
    public void A_nan_analytic_gradient_fails_and_is_the_worst_entry()
    {
        var x = Tensor.Zeros<double>(3);
        var r = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2.125, double.NaN, 2]), x, Exact(0.25, 0));
        Assert.False(r.Passed);
        Assert.Equal([1], r.Worst.Index);
        Assert.True(double.IsNaN(r.Worst.Analytic));
    }

    [Fact]
    public void Failing_one_element_among_passing_ones_fails_the_check()
    {
        var x = Tensor.Zeros<double>(3);
        var r = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2, 2, 3]), x, Exact(0.25, 0));
        Assert.False(r.Passed);
        var first = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [3, 2, 2]), x, Exact(0.25, 0));
        Assert.False(first.Passed);
        Assert.Equal([0], first.Worst.Index);
    }

    [Fact]
    public void Directional_mode_compares_one_value_per_direction_and_fails_a_wrong_slope()
    {
        var x = Tensor.Zeros<double>(2, 2);
        var options = new GradCheckOptions { Mode = GradCheckMode.Directional, Directions = 3, Seed = 5 };
        var good = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [2, 2, 2, 2]), x, options);
        Assert.True(good.Passed, good.Report);
        Assert.Equal(GradCheckMode.Directional, good.Mode);
        Assert.Equal(3, good.Compared);
        Assert.Contains("gradcheck passed (directional, 3 values compared", good.Report);
        Assert.StartsWith("direction ", good.Worst.ToString());
        Assert.Empty(good.Worst.Index);
        // vᵀJu with J = 2I against the claimed 3I: analytic = 1.5 × numeric, which is far from zero for a random u, v.
        var bad = GradCheck.Check((Tensor<double> t) => Linear(t, 2, [3, 3, 3, 3]), x, options);
        Assert.False(bad.Passed, bad.Report);
        Assert.Equal(1.5 * bad.Worst.Numeric, bad.Worst.Analytic, 1e-6);
        Assert.InRange(bad.Worst.OutputIndex, 0, 2);
    }

    [Fact]
    public void Directional_mode_draws_its_directions_from_the_seed()
    {
        var x = Tensor.FromArray([0.3, -0.7, 1.1]);
        GradCheckResult Run(long seed) => GradCheck.Check((Tensor<double> t) => Sum(Exp(t)), x,
            new GradCheckOptions { Mode = GradCheckMode.Directional, Directions = 1, Seed = seed });
        Assert.Equal(Run(1).Worst.Analytic, Run(1).Worst.Analytic);
        Assert.NotEqual(Run(1).Worst.Analytic, Run(2).Worst.Analytic);
        Assert.True(Run(1).Passed);
    }

    [Fact]
    public void A_function_that_ignores_its_input_has_zero_gradients_in_both_modes()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0]);
        var full = GradCheck.Check((Tensor<double> _) => Tensor.FromArray([4.0, 5.0]), x);
        Assert.True(full.Passed);
        Assert.Equal(6, full.Compared);
        Assert.Equal(0.0, full.Worst.Analytic);
        var directional = GradCheck.Check((Tensor<double> _) => Tensor.FromArray([4.0, 5.0]), x, new GradCheckOptions { Mode = GradCheckMode.Directional });
        Assert.True(directional.Passed);
        Assert.Equal(0.0, directional.Worst.Analytic);
        Assert.Equal(4, directional.Compared);               // the default number of directions
    }

    [Fact]
    public void Assert_returns_the_result_of_a_passing_check()
    {
        var x = Tensor.FromArray([0.5, 1.5]);
        var r = GradCheck.Assert((Tensor<double> t) => Sum(t * t), x);
        Assert.True(r.Passed);
        Assert.Equal(2, r.Compared);
    }

    [Fact]
    public void The_entry_text_says_where_the_value_is()
    {
        Assert.StartsWith("direction 3: ", new GradCheckEntry("", [], 3, 1, 1).ToString());
        Assert.StartsWith("input [2,0], output [1]: ", new GradCheckEntry("", [2, 0], 1, 1, 1).ToString());
        Assert.StartsWith("input 'scale' [], output [0]: ", new GradCheckEntry("scale", [], 0, 1, 1).ToString());
        Assert.StartsWith("input 'W' [1], output [4]: ", new GradCheckEntry("W", [1], 4, 1, 1).ToString());
    }

    [Fact]
    public void Errors_of_an_entry_are_absolute_and_relative_to_the_numeric_value()
    {
        var e = new GradCheckEntry("", [0], 0, 3, -2);
        Assert.Equal(5, e.AbsoluteError);
        Assert.Equal(2.5, e.RelativeError);
        Assert.Equal(1e300, new GradCheckEntry("", [0], 0, 1, 0).RelativeError, 1e285);   // |numeric| floored at 1e-300
    }
}
