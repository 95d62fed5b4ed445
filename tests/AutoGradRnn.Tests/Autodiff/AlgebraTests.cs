using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>Algebraic facts about gradients that hold exactly (up to rounding), whatever the shapes.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Tensors), typeof(Arbs.MatMuls) })]
public class AlgebraTests
{
    [Property]
    public void Gradient_of_sum_is_ones(TensorCase c) =>
        TensorAssert.Close(Tensor.Ones<double>(c.Dims), Autodiff.Grad((Tensor<double> x) => Sum(x))(c.Values()));

    [Property]
    public void Gradient_of_a_linear_map_is_its_transpose(Props.MatMulCase c)
    {
        // f(x) = ⟨v, x·W⟩  ⇒  ∇ₓf = v·Wᵀ and ∇_W f = xᵀ·v
        var x = Tensor.RandomNormal<double>(new Shape(c.M, c.K), c.Seed);
        var w = Tensor.RandomNormal<double>(new Shape(c.K, c.N), c.Seed + 1);
        var v = Tensor.RandomNormal<double>(new Shape(c.M, c.N), c.Seed + 2);
        var g = Autodiff.Grad(((Tensor<double> x, Tensor<double> w) p) => Sum(v * MatMul(p.x, p.w)))((x, w));
        TensorAssert.Close(Naive.MatMul(v, Naive.Transpose(w)), g.x);
        TensorAssert.Close(Naive.MatMul(Naive.Transpose(x), v), g.w);
    }

    [Property]
    public void Gradients_accumulate_when_a_value_is_used_twice(TensorCase c)
    {
        var x = c.Values();
        TensorAssert.Close(x * 2.0, Autodiff.Grad((Tensor<double> t) => Sum(t * t))(x));
        TensorAssert.Close(Tensor.Fill(3.0, c.Shape), Autodiff.Grad((Tensor<double> t) => Sum(t) + Sum(t) + Sum(Tanh(t) * 0.0 + t))(x));
        // a shared intermediate: y used by two branches
        var g = Autodiff.Grad((Tensor<double> t) => { var y = t * 3.0; return Sum(y) + Sum(y * y); })(x);
        TensorAssert.Close(3.0 + 18.0 * x, g);
    }

    [Property]
    public void Softmax_rows_sum_to_one_and_log_softmax_is_its_log(TensorCase c)
    {
        var x = c.Values() * 5.0;
        TensorAssert.Close(Tensor.Ones<double>(c.Shape.Without(c.Dims.Length - 1)), Sum(Softmax(x), -1));
        TensorAssert.Close(Log(Softmax(x)), LogSoftmax(x), 1e-9, 1e-12);
    }

    [Property(Arbitrary = new[] { typeof(Arbs.Rank2To3Tensors) })]
    public void Cross_entropy_equals_negative_mean_log_softmax_of_the_targets(TensorCase c)
    {
        var z = c.Values();
        int classes = c.Dims[^1], rows = c.Shape.Count / classes;
        var targets = Enumerable.Range(0, rows).Select(r => (r * 7 + (int)(c.Seed % 5)) % classes).ToArray();
        var logp = LogSoftmax(z).Reshape(rows, classes);
        double expected = -targets.Select((t, r) => logp[r, t]).Average();
        Assert.Equal(expected, CrossEntropy(z, targets).ToScalar(), 1e-12);
    }
}

/// <summary>Plain loops: the reference the fast kernels are compared against.</summary>
public static class Naive
{
    public static Tensor<double> MatMul(Tensor<double> a, Tensor<double> b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var d = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int p = 0; p < k; p++) s += a[i, p] * b[p, j]; d[i * n + j] = s; }
        return Tensor.FromArray(d, m, n);
    }

    public static Tensor<double> Transpose(Tensor<double> a)
    {
        int m = a.Shape[0], n = a.Shape[1];
        var d = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) d[j * m + i] = a[i, j];
        return Tensor.FromArray(d, n, m);
    }
}
