namespace AutoGradRnn.Tests;

/// <summary>GradCheck's argument checks: every bad option or input is refused naming the value; the boundary values pass.</summary>
public class GradCheckOptionsValidationTests
{
    private static readonly Tensor<double> X = Tensor.FromArray([0.5, 1.5]);

    private static GradCheckResult Run(GradCheckOptions o) => GradCheck.Check((Tensor<double> t) => Ops.Sum(t * t), X, o);

    [Fact]
    public void Bad_tolerances_and_steps_are_refused_naming_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Eps = -1e-3 }));
        Assert.Contains("gradcheck: eps -0.001 must be a finite number > 0", e.Message);
        Assert.Equal("Eps", e.ParamName);
        Assert.Equal("Eps", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Eps = double.PositiveInfinity })).ParamName);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Atol = -1 }));
        Assert.Contains("gradcheck: atol -1 must be finite and ≥ 0", e.Message);
        Assert.Equal("Atol", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Atol = double.NaN })).ParamName);
        Assert.Equal("Atol", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Atol = double.PositiveInfinity })).ParamName);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Rtol = -0.5 }));
        Assert.Contains("gradcheck: rtol -0.5 must be finite and ≥ 0", e.Message);
        Assert.Equal("Rtol", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Rtol = double.NaN })).ParamName);
        Assert.Equal("Rtol", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Rtol = double.PositiveInfinity })).ParamName);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => Run(new GradCheckOptions { Directions = 0 }));
        Assert.Contains("gradcheck: directions 0 must be positive", e.Message);
        Assert.Equal("Directions", e.ParamName);
    }

    [Fact]
    public void Zero_tolerances_and_a_single_direction_are_allowed()
    {
        Assert.Equal(2, Run(new GradCheckOptions { Atol = 0, Rtol = 1e-3 }).Compared);
        Assert.Equal(2, Run(new GradCheckOptions { Atol = 1e-5, Rtol = 0 }).Compared);
        Assert.Equal(1, Run(new GradCheckOptions { Mode = GradCheckMode.Directional, Directions = 1 }).Compared);
        Assert.Equal(2, Run(new GradCheckOptions { Eps = double.Epsilon * 1e10 }).Compared);   // tiny but > 0
    }

    [Fact]
    public void Inputs_without_elements_or_with_non_finite_values_are_refused_naming_the_leaf()
    {
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check((Tensor<double> t) => t, Tensor.Zeros<double>(0)));
        Assert.Contains("gradcheck: the inputs contain no tensor elements to perturb", e.Message);
        Assert.Equal("inputs", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => GradCheck.Check((Tensor<double> t) => t, Tensor.FromArray([1.0, double.NegativeInfinity])));
        Assert.Contains("gradcheck: the input contains NaN or Inf", e.Message);

        var tree = (A: Tensor.FromArray([1.0]), B: Tensor.FromArray([double.NaN]));
        e = Assert.Throws<ArgumentException>(() => GradCheck.Check(((Tensor<double> A, Tensor<double> B) p) => p.A + p.B, tree));
        Assert.Contains("gradcheck: input 'Item2' contains NaN or Inf; gradients can only be checked at finite points", e.Message);

        // One empty leaf beside a non-empty one is fine: there is something to perturb.
        var mixed = (A: Tensor.Zeros<double>(0), B: Tensor.FromArray([1.0]));
        Assert.True(GradCheck.Check(((Tensor<double> A, Tensor<double> B) p) => Ops.Sum(p.B * p.B), mixed).Passed);
    }

    [Fact]
    public void A_function_returning_null_is_reported()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GradCheck.Check((Tensor<double> _) => null!, X));
        Assert.Contains("gradcheck: the function returned null", e.Message);
    }
}
