using System.Numerics;

namespace AutoGradRnn.Tests;

/// <summary>The fused kernels' vectorised σ and tanh against <see cref="Math"/> in double precision, at every vector width.</summary>
public class FastActivationTests
{
    private static int[] Widths => FusedWidthTests.Widths;

    private static double[] Points()
    {
        var rng = new Rng(7);
        var xs = new List<double> { 0, -0.0, 1e-30, -1e-12, 1e-7, 0.3, -0.3466, 0.3466, 1, -1, 5, -5, 20, -20, 40, -40, 87, -87, 100, -100, 400, -400, 800, -800, 1e300, -1e300 };
        for (int i = 0; i < 3000; i++) xs.Add((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.NextDouble() * 5 - 3));
        return [.. xs];
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Float32_sigmoid_and_tanh_are_within_a_few_ulp() => WithinFewUlps<float>(4 * 6e-8, 1e-37);

    [Fact]
    public void Float64_sigmoid_and_tanh_are_within_a_few_ulp() => WithinFewUlps<double>(8 * 1.1e-16, 1e-300);

    /// <summary>Both activations against Math in float64, within <paramref name="relative"/>·|exact| + <paramref name="absolute"/>.</summary>
    private static void WithinFewUlps<T>(double relative, double absolute) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var bits in Widths)
        {
            using var _ = FusedWidth.Force(bits);
            // every tail length: 3000 + 26 points, less 0 to 15 of them
            for (int drop = 0; drop < 16; drop++) WithinFewUlps<T>(Points()[drop..], relative, absolute);
        }
    }

    private static void WithinFewUlps<T>(double[] points, double relative, double absolute) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = points.Select(T.CreateTruncating).ToArray();
        var s = new T[xs.Length];
        var t = new T[xs.Length];
        FastActivations.Sigmoid<T>(xs, s);
        FastActivations.Tanh<T>(xs, t);
        for (int i = 0; i < xs.Length; i++)
        {
            double x = double.CreateTruncating(xs[i]), es = Sigmoid(x), et = Math.Tanh(x);
            double si = double.CreateTruncating(s[i]), ti = double.CreateTruncating(t[i]);
            Assert.True(Math.Abs(si - es) <= relative * Math.Abs(es) + absolute, $"sigmoid({x}) = {si}, expected {es}");
            Assert.True(Math.Abs(ti - et) <= relative * Math.Abs(et) + absolute, $"tanh({x}) = {ti}, expected {et}");
        }
    }

    [Fact]
    public void NaN_stays_NaN()
    {
        foreach (var bits in Widths)
            using (FusedWidth.Force(bits))
                NaNStaysNaN();
    }

    [Fact]
    public void The_tail_writes_only_its_values()
    {
        foreach (var bits in Widths)
            using (FusedWidth.Force(bits))
                for (int n = 0; n <= 33; n++)
                {
                    var y = Enumerable.Repeat(7f, n + 1).ToArray();
                    var z = Enumerable.Repeat(7.0, n + 1).ToArray();
                    FastActivations.Tanh<float>(new float[n], y.AsSpan(0, n));
                    FastActivations.Sigmoid<double>(new double[n], z.AsSpan(0, n));
                    Assert.All(y[..n], v => Assert.Equal(0f, v));
                    Assert.All(z[..n], v => Assert.Equal(0.5, v));
                    Assert.Equal(7f, y[n]);
                    Assert.Equal(7.0, z[n]);
                }
    }

    private static void NaNStaysNaN()
    {
        var s = new double[3];
        FastActivations.Sigmoid<double>([double.NaN, 1, double.NaN], s);
        Assert.True(double.IsNaN(s[0]) && double.IsNaN(s[2]));
        var t = new float[17];
        var x = new float[17];
        x[16] = float.NaN;
        FastActivations.Tanh<float>(x, t);
        Assert.True(float.IsNaN(t[16]));
        Assert.Equal(0f, t[0]);
    }
}
