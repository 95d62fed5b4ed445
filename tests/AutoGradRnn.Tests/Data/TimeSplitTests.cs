namespace AutoGradRnn.Tests;

/// <summary>
/// Splitting by fractions: the length must be at least 1, each fraction must be a number ≥ 0 (0 allowed, NaN not)
/// and together they must stay below 1 (exactly 1 leaves no training data); the split points are rounded counts.
/// </summary>
public class TimeSplitTests
{
    [Fact]
    public void The_last_test_fraction_is_test_and_the_validation_fraction_before_it()
    {
        Assert.Equal(new TimeSplit(7, 3, 5), TimeSplit.ByFraction(7, 0.3, 0.3));      // round(2.1) = 2 each
        Assert.Equal(new TimeSplit(10, 5, 9), TimeSplit.ByFraction(10, 0.4, 0.1));
        Assert.Equal(new TimeSplit(10, 10, 10), TimeSplit.ByFraction(10, 0, 0));
        Assert.Equal(new TimeSplit(10, 8, 10), TimeSplit.ByFraction(10, 0.2, 0));
        Assert.Equal(new TimeSplit(10, 7, 7), TimeSplit.ByFraction(10, 0, 0.3));
        Assert.Equal(new TimeSplit(1, 1, 1), TimeSplit.ByFraction(1, 0, 0));
        Assert.Equal(new TimeSplit(10, 5, 8), TimeSplit.ByFraction(10, 0.26, 0.17));  // 2.6 → 3 and 1.7 → 2: rounded, not cut
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_length_below_1_is_refused(int length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSplit.ByFraction(length, 0.1, 0.1));
        Assert.Equal("length", e.ParamName);
        Assert.StartsWith($"split: length {length} must be positive", e.Message);
    }

    [Theory]
    [InlineData(-0.1, 0.2)]
    [InlineData(0.2, -0.1)]
    [InlineData(double.NaN, 0.2)]
    [InlineData(0.2, double.NaN)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.6, 0.5)]
    [InlineData(1.0, 0.0)]
    [InlineData(0.0, 1.0)]
    public void Fractions_below_0_not_numbers_or_summing_to_1_or_more_are_refused(double validation, double test)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSplit.ByFraction(10, validation, test));
        Assert.Equal("testFraction", e.ParamName);
        Assert.StartsWith($"split: validation {validation} and test {test} fractions must be ≥ 0 and leave some training data", e.Message);
    }

    [Fact]
    public void Fractions_just_below_1_in_sum_are_accepted()
    {
        Assert.Equal(new TimeSplit(100, 1, 50), TimeSplit.ByFraction(100, 0.49, 0.5));
    }
}
