namespace AutoGradRnn.Tests;

/// <summary>
/// The normalizer's statistics are the mean and the population standard deviation (divided by n) of each column over
/// the training rows [0, trainEnd) only; a constant column keeps σ = 1. trainEnd must lie in [2, N]; a non-finite
/// training value is named by row and column; Apply/Invert need the fitted number of features (a rank-1 series is one).
/// </summary>
public class NormalizerTests
{
    /// <summary>
    /// Rows 0..3 are training: column 0 = 1, 2, 4, 9 (mean 4, squared deviations 9 + 4 + 0 + 25 = 38, σ = √9.5),
    /// column 1 = 5 constant. Rows 4, 5 are far off and row 4 is NaN: none of it may reach the statistics.
    /// </summary>
    private static Tensor<double> Series() => Tensor.FromArray([1.0, 5, 2, 5, 4, 5, 9, 5, double.NaN, 1000, 1e6, -1e6], 6, 2);

    [Fact]
    public void Mean_and_population_std_come_from_the_training_rows_only()
    {
        var n = Normalizer<double>.Fit(Series(), 4);
        Assert.Equal([4.0, 5.0], n.Mean);
        Assert.Equal(Math.Sqrt(9.5), n.Std[0], 1e-12);
        Assert.Equal(1.0, n.Std[1]);   // a constant column: centred, unscaled
    }

    [Fact]
    public void The_smallest_and_the_largest_training_end_are_accepted()
    {
        var two = Normalizer<double>.Fit(Series(), 2);
        Assert.Equal([1.5, 5.0], two.Mean);
        Assert.Equal([0.5, 1.0], two.Std);
        var finite = Tensor.FromArray([1.0, 5, 2, 5, 4, 5, 9, 5, 14, 5], 5, 2);
        var all = Normalizer<double>.Fit(finite, 5);
        Assert.Equal([6.0, 5.0], all.Mean);
        Assert.Equal(Math.Sqrt((25 + 16 + 4 + 9 + 64) / 5.0), all.Std[0], 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(7)]
    public void A_training_end_outside_2_to_n_is_refused(int trainEnd)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Normalizer<double>.Fit(Series(), trainEnd));
        Assert.Equal("trainEnd", e.ParamName);
        Assert.StartsWith($"normalizer: training end {trainEnd} must be in [2, 6]", e.Message);
    }

    [Fact]
    public void A_non_finite_training_value_is_named_by_row_and_column()
    {
        var e = Assert.Throws<ArgumentException>(() => Normalizer<double>.Fit(Series(), 5));
        Assert.Equal("normalizer: value NaN at row 4, column 0 is not finite", e.Message);
        var inf = Tensor.FromArray([1.0, 5, 2, double.PositiveInfinity, 3, 5], 3, 2);
        Assert.StartsWith("normalizer: value ", Assert.Throws<ArgumentException>(() => Normalizer<double>.Fit(inf, 3)).Message);
        Assert.EndsWith(" at row 1, column 1 is not finite", Assert.Throws<ArgumentException>(() => Normalizer<double>.Fit(inf, 3)).Message);
    }

    [Fact]
    public void Apply_standardises_each_column_and_invert_undoes_it()
    {
        var n = new Normalizer<double>([1.0, 10.0], [2.0, 5.0]);
        var x = Tensor.FromArray([3.0, 20, -1, 0, 1, 10], 3, 2);
        Assert.Equal([1.0, 2, -1, -2, 0, 0], n.Apply(x).ToArray());
        Assert.Equal(x.ToArray(), n.Invert(n.Apply(x)).ToArray());
        Assert.Equal([3.0, 20, -1, 0, 1, 10], n.Invert(Tensor.FromArray([1.0, 2, -1, -2, 0, 0], 3, 2)).ToArray());
        Assert.Equal(new Shape(3, 2), n.Apply(x).Shape);
        // one column: forecasts of the target column back in its units
        Assert.Equal([10.0, 20, 35], n.InvertColumn(Tensor.FromArray([0.0, 2, 5], 3), 1).ToArray());
        Assert.Equal([1.0, 3], n.InvertColumn(Tensor.FromArray([0.0, 1], 2, 1), 0).ToArray());
    }

    [Fact]
    public void Apply_works_on_batches_of_windows_with_features_last()
    {
        var n = new Normalizer<double>([1.0, 10.0], [2.0, 5.0]);
        var x = Tensor.FromArray([3.0, 20, 5, 30, 1, 10, -1, 0], 2, 2, 2);
        Assert.Equal([1.0, 2, 2, 4, 0, 0, -1, -2], n.Apply(x).ToArray());
        Assert.Equal(new Shape(2, 2, 2), n.Apply(x).Shape);
    }

    [Fact]
    public void A_series_of_rank_1_is_one_feature()
    {
        var s = Tensor.FromArray([1.0, 3, 5, 100], 4);
        var n = Normalizer<double>.Fit(s, 3);
        Assert.Equal([3.0], n.Mean);
        Assert.Equal([Math.Sqrt(8 / 3.0)], n.Std);
        var z = n.Apply(s);
        Assert.Equal(new Shape(4), z.Shape);
        Assert.Equal(-2 / Math.Sqrt(8 / 3.0), z[0], 1e-12);
        Assert.Equal(97 / Math.Sqrt(8 / 3.0), z[3], 1e-12);
        Assert.Equal(s.ToArray(), n.Invert(z).ToArray().Select(v => Math.Round(v, 9)));
    }

    [Fact]
    public void A_width_other_than_the_fitted_features_is_refused()
    {
        var two = new Normalizer<double>([0.0, 0.0], [1.0, 1.0]);
        var e = Assert.Throws<ShapeMismatchException>(() => two.Apply(Tensor.Zeros<double>(5, 3)));
        Assert.Equal("normalizer: [5,3]: expects 2 features in the last axis", e.Message);
        Assert.Equal("normalizer: [3]: expects 2 features in the last axis", Assert.Throws<ShapeMismatchException>(() => two.Invert(Tensor.Zeros<double>(3))).Message);
        var one = new Normalizer<double>([0.0], [1.0]);
        Assert.Equal("normalizer: [4,2]: expects 1 features in the last axis", Assert.Throws<ShapeMismatchException>(() => one.Apply(Tensor.Zeros<double>(4, 2))).Message);
        Assert.Equal(new Shape(4), one.Apply(Tensor.Zeros<double>(4)).Shape);
    }

    [Fact]
    public void A_series_of_rank_3_is_refused()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Normalizer<double>.Fit(Tensor.Zeros<double>(4, 2, 1), 2));
        Assert.Equal("normalizer: [4,2,1]: the series must be [length] or [length, features]", e.Message);
    }
}
