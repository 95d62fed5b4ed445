namespace AutoGradRnn.Tests;

/// <summary>The fused kernels' vectorised σ and tanh against <see cref="Math"/> in double precision.</summary>
public class FastActivationTests
{
    private static double[] Points()
    {
        var rng = new Rng(7);
        var xs = new List<double> { 0, -0.0, 1e-30, -1e-12, 1e-7, 0.3, -0.3466, 0.3466, 1, -1, 5, -5, 20, -20, 40, -40, 87, -87, 100, -100, 400, -400, 800, -800, 1e300, -1e300 };
        for (int i = 0; i < 3000; i++) xs.Add((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.NextDouble() * 5 - 3));
        return [.. xs];
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Float32_sigmoid_and_tanh_are_within_a_few_ulp()
    {
        var xs = Points().Select(v => (float)v).ToArray();
        var s = new float[xs.Length];
        var t = new float[xs.Length];
        FastActivations.Sigmoid<float>(xs, s);
        FastActivations.Tanh<float>(xs, t);
        for (int i = 0; i < xs.Length; i++)
        {
            double es = Sigmoid(xs[i]), et = Math.Tanh(xs[i]);
            Assert.True(Math.Abs(s[i] - es) <= 4 * 6e-8 * Math.Abs(es) + 1e-37, $"sigmoid({xs[i]}) = {s[i]}, expected {es}");
            Assert.True(Math.Abs(t[i] - et) <= 4 * 6e-8 * Math.Abs(et) + 1e-37, $"tanh({xs[i]}) = {t[i]}, expected {et}");
        }
    }

    [Fact]
    public void Float64_sigmoid_and_tanh_are_within_a_few_ulp()
    {
        var xs = Points();
        var s = new double[xs.Length];
        var t = new double[xs.Length];
        FastActivations.Sigmoid<double>(xs, s);
        FastActivations.Tanh<double>(xs, t);
        for (int i = 0; i < xs.Length; i++)
        {
            double es = Sigmoid(xs[i]), et = Math.Tanh(xs[i]);
            Assert.True(Math.Abs(s[i] - es) <= 8 * 1.1e-16 * Math.Abs(es) + 1e-300, $"sigmoid({xs[i]}) = {s[i]}, expected {es}");
            Assert.True(Math.Abs(t[i] - et) <= 8 * 1.1e-16 * Math.Abs(et) + 1e-300, $"tanh({xs[i]}) = {t[i]}, expected {et}");
        }
    }

    [Fact]
    public void NaN_stays_NaN()
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
