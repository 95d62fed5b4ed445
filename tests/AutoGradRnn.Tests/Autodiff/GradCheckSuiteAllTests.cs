namespace AutoGradRnn.Tests;

/// <summary>
/// GradCheckSuite.All on made-up results: the first failing one, else the one with the largest absolute error (the
/// earlier one on a tie), with Compared summed over every check that ran.
/// </summary>
public class GradCheckSuiteAllTests
{
    private static Func<GradCheckResult> Result(bool passed, double error, int tag, int compared = 1) =>
        () => new GradCheckResult(passed, GradCheckMode.Full, compared, new GradCheckEntry("", [0], tag, 1 + error, 1), new GradCheckOptions());

    [Fact]
    public void Among_passing_checks_the_largest_error_is_picked()
    {
        var r = GradCheckSuite.All([Result(true, 0.1, 0, 2), Result(true, 0.3, 1, 3), Result(true, 0.2, 2, 5)]);
        Assert.True(r.Passed);
        Assert.Equal(1, r.Worst.OutputIndex);
        Assert.Equal(10, r.Compared);
    }

    [Fact]
    public void On_a_tie_the_earlier_check_is_kept()
    {
        var r = GradCheckSuite.All([Result(true, 0.5, 0), Result(true, 0.5, 1)]);
        Assert.Equal(0, r.Worst.OutputIndex);
        Assert.Equal(2, r.Compared);
    }

    [Fact]
    public void A_failing_check_is_picked_over_a_passing_one_with_a_larger_error_and_ends_the_run()
    {
        int runs = 0;
        Func<GradCheckResult> Counted(Func<GradCheckResult> f) => () => { runs++; return f(); };
        var r = GradCheckSuite.All([Counted(Result(true, 0.9, 0, 4)), Counted(Result(false, 0.1, 1, 6)), Counted(Result(false, 5, 2, 8))]);
        Assert.False(r.Passed);
        Assert.Equal(1, r.Worst.OutputIndex);
        Assert.Equal(10, r.Compared);
        Assert.Equal(2, runs);
    }

    [Fact]
    public void A_first_failing_check_stays_picked()
    {
        var r = GradCheckSuite.All([Result(false, 0.1, 0, 3), Result(true, 0.9, 1, 4)]);
        Assert.False(r.Passed);
        Assert.Equal(0, r.Worst.OutputIndex);
        Assert.Equal(3, r.Compared);
    }
}
