using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Window arguments one at a time (0 refused, 1 accepted, for window, horizon and stride each), the target column and
/// range bounds, a series of rank 1, and cutting windows into batches in time order or shuffled: every window exactly
/// once, full batches then one partial, and a shuffle that moves every window (the first one too) to every place.
/// The exact set of windows is checked against brute force in LossAndDataTests.
/// </summary>
public class WindowsTests
{
    /// <summary>Series [n, 2] with x[t, 0] = t and x[t, 1] = 100 + t.</summary>
    private static Tensor<double> Series(int n) =>
        Tensor.FromArray(Enumerable.Range(0, n).SelectMany(t => new[] { (double)t, 100.0 + t }).ToArray(), n, 2);

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    [InlineData(-1, 1, 1)]
    public void Window_horizon_and_stride_must_each_be_at_least_1(int window, int horizon, int stride)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Windows.Create(Series(10), window, horizon, 0, 0, 10, stride));
        Assert.Equal("window", e.ParamName);
        Assert.StartsWith($"windows: window {window}, horizon {horizon} and stride {stride} must be positive", e.Message);
    }

    [Fact]
    public void Window_horizon_and_stride_of_1_give_one_window_a_step()
    {
        var w = Windows.Create(Series(4), 1, 1, 1, 0, 4, 1);
        Assert.Equal([1, 2, 3], w.TargetStarts);
        Assert.Equal([0.0, 100, 1, 101, 2, 102], w.Inputs.ToArray());
        Assert.Equal([101.0, 102, 103], w.Targets.ToArray());
        Assert.Equal(3, w.Items);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_target_column_outside_the_features_is_refused(int column)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Windows.Create(Series(10), 2, 1, column, 0, 10));
        Assert.Equal("targetColumn", e.ParamName);
        Assert.StartsWith($"windows: target column {column} is outside the 2 features", e.Message);
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, 11)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    public void A_target_range_outside_the_series_or_empty_is_refused(int from, int to)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Windows.Create(Series(10), 2, 1, 0, from, to));
        Assert.Equal("targetFrom", e.ParamName);
        Assert.StartsWith($"windows: target range [{from}, {to}) must lie inside the series of length 10", e.Message);
    }

    [Fact]
    public void A_target_range_up_to_the_end_and_one_step_long_is_accepted()
    {
        Assert.Equal([9], Windows.Create(Series(10), 2, 1, 0, 9, 10).TargetStarts);
        Assert.Equal([2, 3], Windows.Create(Series(10), 2, 1, 0, 0, 4).TargetStarts);
        var e = Assert.Throws<ArgumentException>(() => Windows.Create(Series(10), 5, 3, 0, 6, 8));
        Assert.Equal("windows: no window of 5 inputs and 3 targets fits with targets in [6, 8)", e.Message);
    }

    [Fact]
    public void A_series_of_rank_1_is_one_feature_and_rank_3_is_refused()
    {
        var series = Tensor.FromArray(Enumerable.Range(0, 6).Select(t => 10.0 * t).ToArray(), 6);
        var w = Windows.Create(series, 2, 2, 0, 0, 6, 2);
        Assert.Equal([2, 4], w.TargetStarts);
        Assert.Equal(new Shape(2, 2, 1), w.Inputs.Shape);
        Assert.Equal([0.0, 10, 20, 30], w.Inputs.ToArray());
        Assert.Equal([20.0, 30, 40, 50], w.Targets.ToArray());
        var e = Assert.Throws<ShapeMismatchException>(() => Windows.Create(Tensor.Zeros<double>(6, 1, 1), 1, 1, 0, 0, 6));
        Assert.Equal("windows: [6,1,1]: the series must be [length] or [length, features]", e.Message);
    }

    private static WindowBatch<double> Seven() => Windows.Create(Series(9), 2, 1, 1, 0, 9);   // starts 2..8

    [Fact]
    public void Batches_in_time_order_are_full_then_one_partial()
    {
        var all = Seven();
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], all.TargetStarts);
        var batches = Windows.Batches(all, 3);
        Assert.Equal([3, 3, 1], batches.Select(b => b.Items));
        Assert.Equal([[2, 3, 4], [5, 6, 7], [8]], batches.Select(b => b.TargetStarts));
        Assert.Equal(new Shape(3, 2, 2), batches[1].Inputs.Shape);
        Assert.Equal(new Shape(1, 1), batches[2].Targets.Shape);
        Assert.Equal([3.0, 103, 4, 104], Select(batches[1].Inputs, 0, 0).ToArray());   // window of start 5 reads t = 3, 4
        Assert.Equal([105.0, 106, 107], batches[1].Targets.ToArray());
        Assert.Equal([2, 2, 2, 1], Windows.Batches(Windows.Create(Series(9), 2, 1, 1, 0, 9), 2).Select(b => b.Items));
    }

    [Fact]
    public void A_batch_size_dividing_the_windows_gives_no_empty_batch_and_one_window_batches_work()
    {
        var six = Windows.Create(Series(8), 2, 1, 0, 0, 8);
        Assert.Equal([3, 3], Windows.Batches(six, 3).Select(b => b.Items));
        Assert.Equal([6], Windows.Batches(six, 6).Select(b => b.Items));
        Assert.Equal([6], Windows.Batches(six, 100).Select(b => b.Items));
        Assert.Equal(Enumerable.Range(2, 6).Select(s => new[] { s }), Windows.Batches(six, 1).Select(b => b.TargetStarts));
        Assert.Equal([3, 3], Windows.ShuffledBatches(six, 3, 1).Select(b => b.Items));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_batch_size_below_1_is_refused(int size)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Windows.Batches(Seven(), size));
        Assert.Equal("batchSize", e.ParamName);
        Assert.StartsWith($"windows: batch size {size} must be positive", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Windows.ShuffledBatches(Seven(), size, 1));
    }

    [Fact]
    public void Shuffled_batches_hold_every_window_once_with_its_own_inputs_and_targets()
    {
        var all = Seven();
        foreach (long seed in new long[] { 0, 1, 2, 17 })
        {
            var batches = Windows.ShuffledBatches(all, 3, seed);
            Assert.Equal([3, 3, 1], batches.Select(b => b.Items));
            Assert.Equal(all.TargetStarts, batches.SelectMany(b => b.TargetStarts).Order());
            foreach (var b in batches)
                for (int i = 0; i < b.Items; i++)
                {
                    int s = b.TargetStarts[i];
                    Assert.Equal([s - 2.0, 98 + s, s - 1, 99 + s], Select(b.Inputs, 0, i).ToArray());
                    Assert.Equal(100.0 + s, b.Targets[i, 0]);
                }
        }
    }

    [Fact]
    public void The_shuffle_moves_every_window_to_every_place_including_the_first_window()
    {
        // 3 windows, 600 seeds: a uniform shuffle puts each window in each place 200 times (± about 12); a shuffle
        // that never touches place 0, or that never leaves a window in place, is far off.
        var all = Windows.Create(Series(5), 2, 1, 0, 0, 5);   // starts 2, 3, 4
        var counts = new int[3, 3];
        var orders = new HashSet<string>();
        for (long seed = 0; seed < 600; seed++)
        {
            var order = Windows.ShuffledBatches(all, 3, seed).Single().TargetStarts;
            orders.Add(string.Join(",", order));
            for (int place = 0; place < 3; place++) counts[order[place] - 2, place]++;
        }
        Assert.Equal(6, orders.Count);
        for (int w = 0; w < 3; w++)
            for (int place = 0; place < 3; place++)
                Assert.InRange(counts[w, place], 150, 250);
        Assert.Equal(Windows.ShuffledBatches(all, 3, 5).Single().TargetStarts, Windows.ShuffledBatches(all, 3, 5).Single().TargetStarts);
        Assert.Equal([2, 3, 4], Windows.Batches(all, 3).Single().TargetStarts);
    }
}
