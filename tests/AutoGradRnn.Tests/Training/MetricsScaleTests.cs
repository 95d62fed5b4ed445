using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// RMSE, MAE and MAPE are finite whenever the true value is, at any scale (the fault: RMSE of ±1e300 overflowed to ∞
/// through its squares). References: the analytic scaling laws Rmse(2^k·ŷ, 2^k·y) = 2^k·Rmse(ŷ, y) (likewise MAE) and
/// MAPE's invariance, with the plain formula evaluated where it cannot overflow; and exact BigInteger sums.
/// </summary>
public class MetricsScaleTests
{
    /// <summary>Values in ±[1e-3, 1] and a power of two to scale them by, from 2^−1000 (all normal) to 2^1022 (differences overflow).</summary>
    public sealed record Scaled(double[] Predicted, double[] Actual, int Exponent)
    {
        public override string ToString() => $"2^{Exponent} × ({string.Join(", ", Predicted)}) vs ({string.Join(", ", Actual)})";
    }

    public static class Cases
    {
        private static Gen<double> Value => from m in Gen.Choose(1000, 1_000_000) from sign in Gen.Elements(-1.0, 1.0) select sign * m / 1_000_000.0;

        public static Arbitrary<Scaled> Arb() => FsCheck.Fluent.Arb.From(
            from n in Gen.Choose(1, 12)
            from p in Gen.ArrayOf(Value, n) from a in Gen.ArrayOf(Value, n)
            from k in Gen.OneOf(Gen.Choose(-1000, -900), Gen.Choose(-10, 10), Gen.Choose(900, 1022))
            select new Scaled(p, a, k));

        /// <summary>Seeds of the mixed-scale draws.</summary>
        public static Arbitrary<PositiveInt> Seeds() => FsCheck.Fluent.Arb.From(Gen.Choose(1, int.MaxValue).Select(PositiveInt.NewPositiveInt));
    }

    private static double[] Times(double[] xs, int k) => [.. xs.Select(x => Math.ScaleB(x, k))];

    private static void Close(double expected, double actual)
    {
        Assert.True(double.IsFinite(actual), $"{actual} where {expected} was expected");
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Abs(expected), $"{actual} where {expected} was expected");
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Cases)])]
    public void Rmse_and_mae_scale_exactly_with_their_inputs(Scaled c)
    {
        var errors = c.Predicted.Zip(c.Actual, (p, a) => p - a).ToArray();
        double rmse = Math.Sqrt(errors.Average(e => e * e)), mae = errors.Average(Math.Abs);   // the plain formulas, safe at this scale
        Close(Math.ScaleB(rmse, c.Exponent), Metrics.Rmse(Times(c.Predicted, c.Exponent), Times(c.Actual, c.Exponent)));
        Close(Math.ScaleB(mae, c.Exponent), Metrics.Mae(Times(c.Predicted, c.Exponent), Times(c.Actual, c.Exponent)));
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Cases)])]
    public void Mape_does_not_depend_on_the_scale(Scaled c)
    {
        double mape = 100 * c.Predicted.Zip(c.Actual, (p, a) => Math.Abs(p - a) / Math.Abs(a)).Average();
        Close(mape, Metrics.Mape(Times(c.Predicted, c.Exponent), Times(c.Actual, c.Exponent)));
    }

    /// <summary>A finite double as an exact integer count of 2^−1074 (the smallest subnormal).</summary>
    private static BigInteger Exact(double x)
    {
        if (x == 0) return BigInteger.Zero;
        int k = Math.ILogB(x);
        var units = new BigInteger(Math.ScaleB(Math.Abs(x), 52 - k)) << (k - 52 + 1074);   // 53 significant bits, shifted into place
        return x < 0 ? -units : units;
    }

    /// <summary>An exact count of 2^−1074 divided by <paramref name="n"/>, rounded to a double (to within an ulp or two).</summary>
    private static double ToDouble(BigInteger units, int n)
    {
        int shift = Math.Max(0, (int)units.GetBitLength() - 62);
        return Math.ScaleB((double)(units >> shift) / n, shift - 1074);
    }

    /// <summary>Mixed scales in one call, from subnormals to near double's largest, against an exact BigInteger mean.</summary>
    [Property(MaxTest = 200, Arbitrary = [typeof(Cases)])]
    public void Mae_of_values_of_every_scale_matches_the_exact_mean(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        int n = 1 + rng.Next(8);
        double Draw() => (rng.Next(2) == 0 ? -1 : 1) * Math.ScaleB(1 + rng.NextDouble(), rng.Next(-1074, 1023));
        var p = Enumerable.Range(0, n).Select(_ => Draw()).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => Draw()).ToArray();
        var exact = ToDouble(p.Zip(a).Aggregate(BigInteger.Zero, (s, x) => s + BigInteger.Abs(Exact(x.First) - Exact(x.Second))), n);
        double mae = Metrics.Mae(p, a);
        if (double.IsInfinity(exact)) Assert.Equal(double.PositiveInfinity, mae);
        else Assert.True(Math.Abs(mae - exact) <= 1e-15 * exact + double.Epsilon * 4, $"{mae} where {exact} was expected");
    }

    [Fact]
    public void Empty_and_mismatched_inputs_are_shape_mismatches_as_in_a_loss()
    {
        Assert.Equal("rmse: [0]: no values", Assert.Throws<ShapeMismatchException>(() => Metrics.Rmse([], [])).Message);
        Assert.Equal("accuracy: [1] x [2]: 1 predictions for 2 actual values", Assert.Throws<ShapeMismatchException>(() => Metrics.Accuracy([1], [1, 2])).Message);
    }

    [Fact]
    public void The_reported_fault_rmse_of_plus_minus_1e300_is_finite()
    {
        Assert.Equal(2e300, Metrics.Rmse([1e300, -1e300], [-1e300, 1e300]));
        Assert.Equal(1e300, Metrics.Rmse([1e300, -1e300], [0, 0]));
    }

    [Fact]
    public void Differences_that_overflow_still_give_the_finite_mean()
    {
        // |ŷ − y| = 3e308 overflows, but its mean over 2 (MAE) or root mean square over 4 (RMSE) does not.
        Assert.Equal(1.5e308, Metrics.Mae([1.5e308, 0], [-1.5e308, 0]));
        Assert.Equal(1.5e308, Metrics.Rmse([1.5e308, 0, 0, 0], [-1.5e308, 0, 0, 0]));
        Assert.Equal(double.PositiveInfinity, Metrics.Mae([1.5e308], [-1.5e308]));   // the true value is past double's range
    }

    [Fact]
    public void Tiny_errors_do_not_underflow_to_zero()
    {
        Assert.Equal(1e-200, Metrics.Rmse([1e-200], [0]));                          // 1e-400 squared was 0
        Assert.Equal(3e-320, Metrics.Mae([4e-320, 0], [1e-320, -3e-320]), 1e-330); // subnormal: exact in units of 2^-1074
        Assert.Equal(Math.ScaleB(Math.Sqrt(0.5), -1074), Metrics.Rmse([double.Epsilon, 0], [0, 0]));
    }

    [Fact]
    public void Mape_with_huge_ratios_matches_an_exact_reference()
    {
        // 200 ratios of about 1e306 each: their plain sum (2e308) overflowed; the mean, in percent, is about 1e308.
        var predicted = Enumerable.Repeat(1e6, 200).ToArray();
        var actual = Enumerable.Repeat(1e-300, 200).ToArray();
        Close(100 * ((1e6 - 1e-300) / 1e-300), Metrics.Mape(predicted, actual));
        Assert.Equal(100, Metrics.Mape([2e-310], [1e-310]));
        Assert.Equal(100, Metrics.Mape([1e308], [-1e308]) / 2);   // |1e308 − (−1e308)| overflows; the ratio is 2
    }

    [Fact]
    public void Ordinary_values_give_the_plain_formulas_to_the_last_bit()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 200; trial++)
        {
            var p = Enumerable.Range(0, 1 + trial % 17).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
            var a = p.Select(_ => rng.NextDouble() * 20 - 10).ToArray();
            Assert.Equal(Math.Sqrt(p.Zip(a).Average(x => (x.First - x.Second) * (x.First - x.Second))), Metrics.Rmse(p, a));
            Assert.Equal(p.Zip(a).Average(x => Math.Abs(x.First - x.Second)), Metrics.Mae(p, a));
            Assert.Equal(100 * p.Zip(a).Average(x => Math.Abs(x.First - x.Second) / Math.Abs(x.Second)), Metrics.Mape(p, a));
        }
    }
}
