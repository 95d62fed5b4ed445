using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The clockwork's boundaries: 31 exponential periods are the most (2^30), 32 are refused; a module fires at t = 0
/// and at every multiple of its period and at no step between; clock 0 is valid; each malformed block is named; and
/// its weights are U(±1/√H) over the whole hidden size.
/// </summary>
public class ClockworkBoundaryTests
{
    [Fact]
    public void Exponential_periods_go_up_to_2_to_the_30()
    {
        Assert.Equal([1], ClockworkRnn.ExponentialPeriods(1));
        var most = ClockworkRnn.ExponentialPeriods(31);
        Assert.Equal(1 << 30, most[^1]);
        Assert.Equal(31, most.Length);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn.ExponentialPeriods(32));
        Assert.Equal("modules", e.ParamName);
        Assert.StartsWith("clockwork rnn: 32 modules would need periods beyond 2^30", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_fires_exactly_when_the_clock_is_a_multiple_of_its_period()
    {
        var cell = ClockworkRnn<double>.Create(1, 1, [1, 3, 5], 1);
        for (long t = 0; t < 16; t++)
            Assert.Equal(new[] { true, t % 3 == 0, t % 5 == 0 }, cell.Active(t));
        Assert.Equal([true, false, false], cell.Active(1));
        Assert.Equal([true, false, false], cell.Active(2));
        Assert.Equal([true, true, false], cell.Active(3));
        Assert.Equal([true, false, true], cell.Active(5));
        // A clock started at 1 instead of 0: the slow modules first fire at their period, not at once.
        var x = Tensor.RandomNormal<double>(new Shape(1, 1), 2);
        var s = cell.InitialState(1) with { Step = 1, H = Tensor.FromArray([0.1, 0.2, 0.3], 1, 3) };
        var (next, fired) = cell.StepWithGates(s, x);
        Assert.Equal([true, false, false], fired);
        Assert.Equal(2, next.Step);
        Assert.Equal([0.2, 0.3], Slice(next.H, 1, 2).ToArray());
        Assert.NotEqual(0.1, next.H.ToArray()[0]);
        Assert.Equal(0, cell.InitialState(1).Step);
    }

    [Fact]
    public void Malformed_blocks_and_module_sizes_are_named()
    {
        var cell = ClockworkRnn<double>.Create(2, 3, [1, 2], 1);
        var s = cell.InitialState(1);
        var x = Tensor.Zeros<double>(1, 2);
        Assert.Equal("clockwork rnn: [3,3]: parameter Wi[1] must be [2,3]", Assert.Throws<ShapeMismatchException>(() =>
            (cell with { Wi = [cell.Wi[0], Tensor.Zeros<double>(3, 3)] }).Step(s, x)).Message);
        Assert.Equal("clockwork rnn: 2 periods but 2 W_H, 2 W_I and 1 b blocks", Assert.Throws<ShapeMismatchException>(() =>
            (cell with { B = [cell.B[0]] }).Step(s, x)).Message);
        Assert.Equal("clockwork rnn: 2 periods but 2 W_H, 1 W_I and 2 b blocks", Assert.Throws<ShapeMismatchException>(() =>
            (cell with { Wi = [cell.Wi[0]] }).Step(s, x)).Message);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 0, [1, 2], 1));
        Assert.Equal("moduleSize", e.ParamName);
        Assert.StartsWith("clockwork rnn: module 0 has size 0; sizes must be positive", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, ClockworkRnn<double>.Create(1, 1, [1, 2], 1).OutputSize);   // size 1 and input 1 are valid
        Assert.Equal("moduleSizes", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, [3, -1], [1, 2], 1)).ParamName);
    }

    [Fact]
    public void Weights_are_uniform_over_one_over_root_of_the_whole_hidden_size()
    {
        var cell = ClockworkRnn<double>.Create(20, [10, 20, 30], [1, 2, 4], 3);
        Assert.Equal([10, 20, 30], cell.ModuleSizes);
        Assert.Equal([new Shape(60, 10), new Shape(50, 20), new Shape(30, 30)], cell.Wh.Select(w => w.Shape));
        Assert.All(cell.Wi, w => Assert.Equal(20, w.Shape[0]));
        double bound = 1 / Math.Sqrt(60);
        var all = cell.Wh.Concat(cell.Wi).Concat(cell.B).SelectMany(t => t.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));
        Assert.True(all.Max() > 0.95 * bound && all.Min() < -0.95 * bound);
        double variance = all.Select(v => v * v).Average();
        Assert.InRange(variance / (bound * bound / 3), 0.9, 1.1);
    }
}
