using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>A random clockwork: batch, steps, input size, module sizes, strictly increasing periods, a starting clock and a seed.</summary>
public sealed record ClockworkCase(int B, int T, int D, int[] Sizes, int[] Periods, long Start, long Seed)
{
    public override string ToString() => $"B {B} T {T} D {D} sizes [{string.Join(",", Sizes)}] periods [{string.Join(",", Periods)}] start {Start} seed {Seed}";

    public Tensor<double> Inputs => Tensor.RandomNormal<double>(new Shape(B, T, D), Seed + 11);

    public ClockworkRnn<double> Cell => ClockworkRnn<double>.Create(D, Sizes, Periods, Seed);

    public ClockworkState<double> State => new(Tensor.RandomNormal<double>(new Shape(B, Sizes.Sum()), Seed + 5, std: 0.5), Start);

    /// <summary>1–4 modules of 1–3 units, periods drawn from 1..9 without repeats and sorted, 1–14 steps from a clock in 0..5.</summary>
    public static Arbitrary<ClockworkCase> Arb(int maxT = 14) => FsCheck.Fluent.Arb.From(
        from g in Gen.Choose(1, 4)
        from periods in Gen.Shuffle(Enumerable.Range(1, 9).ToArray()).Select(p => p.Take(g).Order().ToArray())
        from sizes in Gen.ArrayOf(Gen.Choose(1, 3), g)
        from b in Gen.Choose(1, 3) from t in Gen.Choose(1, maxT) from d in Gen.Choose(1, 4) from start in Gen.Choose(0, 5)
        from s in Props.Seeds
        select new ClockworkCase(b, t, d, sizes, periods, start, s));
}

/// <summary>The Clockwork RNN: modules fire only on their clock ticks, information flows only from slower to faster modules.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Clockworks) })]
public class ClockworkRnnTests
{
    private static int Offset(int[] sizes, int i) => sizes.Take(i).Sum();

    [Property]
    public void A_module_with_period_P_changes_state_exactly_at_multiples_of_P(ClockworkCase c)
    {
        var cell = c.Cell;
        var states = Sequence.Scan(cell.Step, c.State, Unstack(c.Inputs, 1)).Prepend(c.State).ToArray();
        for (int s = 1; s < states.Length; s++)
        {
            long clock = states[s - 1].Step;
            Assert.Equal(clock + 1, states[s].Step);
            for (int i = 0; i < c.Periods.Length; i++)
            {
                var before = Slice(states[s - 1].H, Offset(c.Sizes, i), c.Sizes[i]).ToArray();
                var after = Slice(states[s].H, Offset(c.Sizes, i), c.Sizes[i]).ToArray();
                if (clock % c.Periods[i] == 0) Assert.NotEqual(before, after);     // fires (a tanh lands on the old value with probability 0)
                else Assert.Equal(before, after);                                   // keeps its value, exactly
            }
        }
    }

    [Property]
    public void Slower_modules_never_read_faster_ones(ClockworkCase c)
    {
        // ∂(module j and slower at the end)/∂(faster modules at the start) = 0 exactly; the faster modules do read the slower ones.
        var cell = c.Cell;
        for (int j = 1; j < c.Periods.Length; j++)
        {
            int off = Offset(c.Sizes, j), hidden = c.Sizes.Sum();
            var grad = Autodiff.Grad((Tensor<double> h0) =>
                Sum(Slice(Sequence.Unroll(cell, c.Inputs, c.State with { H = h0 }).Final.H, off, hidden - off) * Tensor.RandomNormal<double>(new Shape(c.B, hidden - off), c.Seed + j)))(c.State.H);
            Assert.All(Slice(grad, 0, off).ToArray(), v => Assert.Equal(0.0, v));
        }
    }

    [Property(MaxTest = 12, Arbitrary = new[] { typeof(Arbs.ShortClockworks) })]
    public void Gradients_check_over_random_clockworks(ClockworkCase c) =>
        Props.GradOk(((ClockworkRnn<double> Cell, ClockworkState<double> State, Tensor<double> X) p) =>
            CellGradientTests.Loss(Sequence.Unroll(p.Cell, p.X, p.State), c.Seed), (c.Cell, c.State, c.Inputs));

    [Property(MaxTest = 8, Arbitrary = new[] { typeof(Arbs.ShortClockworks) })]
    public void Gradients_check_with_padded_sequences(ClockworkCase c)
    {
        var mask = Sequence.MaskFromLengths<double>(new CellCase(c.B, c.T, c.D, 1, c.Seed).Lengths, c.T);
        Props.GradOk(((ClockworkRnn<double> Cell, ClockworkState<double> State, Tensor<double> X) p) =>
            CellGradientTests.Loss(Sequence.Unroll(p.Cell, p.X, p.State, mask), c.Seed), (c.Cell, c.State, c.Inputs));
    }

    [Fact]
    public void The_clock_counts_steps_and_the_gates_say_which_modules_fired()
    {
        var cell = ClockworkRnn<float>.Create(inputSize: 2, moduleSize: 3, ClockworkRnn.ExponentialPeriods(4), seed: 1);
        Assert.Equal([1, 2, 4, 8], cell.Periods);
        Assert.Equal((12, 4, 2), (cell.OutputSize, cell.Modules, cell.InputSize));
        Assert.Equal([new Shape(12, 3), new Shape(9, 3), new Shape(6, 3), new Shape(3, 3)], cell.Wh.Select(w => w.Shape));   // the block-triangular W_H, by module
        var (result, fired) = Sequence.UnrollWithGates(cell, Tensor.RandomNormal<float>(new Shape(2, 9, 2), 3), cell.InitialState(2));
        Assert.Equal(9, result.Final.Step);
        Assert.Equal([true, true, true, true], fired[0]);     // t = 0: every module
        Assert.Equal([true, false, false, false], fired[1]);
        Assert.Equal([true, true, true, false], fired[4]);
        Assert.Equal([true, true, true, true], fired[8]);
    }

    [Fact]
    public void Bad_periods_sizes_and_shapes_are_named()
    {
        Assert.Contains("period 0 of module 1 must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 3, [1, 0], 1)).Message);
        Assert.Contains("period -4 of module 0", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 3, [-4], 1)).Message);
        Assert.Contains("periods must strictly increase, but module 2 has 2 after 4 ([1, 4, 2])", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 3, [1, 4, 2], 1)).Message);
        Assert.Contains("module 1 has 4 after 4", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 3, [4, 4], 1)).Message);
        Assert.Contains("clockwork rnn: 0 modules (periods); at least 1 is needed", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, 3, [], 1)).Message);
        Assert.Contains("module 1 has size 0", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, [3, 0], [1, 2], 1)).Message);
        Assert.Contains("3 module sizes for 2 periods", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(2, [3, 1, 1], [1, 2], 1)).Message);
        Assert.Contains("input size 0", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn<double>.Create(0, 3, [1, 2], 1)).Message);
        Assert.Contains("0 modules", Assert.Throws<ArgumentOutOfRangeException>(() => ClockworkRnn.ExponentialPeriods(0)).Message);
        var cell = ClockworkRnn<double>.Create(2, 3, [1, 2], 1);
        Assert.Contains("the clock -1 must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => cell.Step(cell.InitialState(1) with { Step = -1 }, Tensor.Zeros<double>(1, 2))).Message);
        Assert.Contains("clockwork rnn step: [1,3]: input must be [batch, 2]", Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(1), Tensor.Zeros<double>(1, 3))).Message);
        Assert.Contains("parameter Wh[1] must be [3,3]", Assert.Throws<ShapeMismatchException>(() =>
            (cell with { Wh = [cell.Wh[0], Tensor.Zeros<double>(6, 3)] }).Step(cell.InitialState(1), Tensor.Zeros<double>(1, 2))).Message);
        Assert.Contains("2 periods but 1 W_H", Assert.Throws<ShapeMismatchException>(() =>
            (cell with { Wh = [cell.Wh[0]] }).Step(cell.InitialState(1), Tensor.Zeros<double>(1, 2))).Message);
    }
}
