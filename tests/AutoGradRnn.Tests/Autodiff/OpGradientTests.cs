using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>Every differentiable op, gradchecked in float64 on random shapes (including size-1 and odd sizes).</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Tensors), typeof(Arbs.MatMuls) })]
public class OpGradientTests
{
    /// <summary>Shapes that broadcast against the case's shape: itself, its last axis, a column, a scalar, a leading-1 row.</summary>
    private static IEnumerable<Shape> BroadcastPartners(Shape s)
    {
        yield return s;
        yield return new Shape(s.Last);
        yield return Shape.Scalar;
        if (s.Rank >= 2) yield return s.With(s.Rank - 1, 1);         // column [.., 1]
        if (s.Rank >= 2) yield return s.With(0, 1);                   // [1, ..]
    }

    [Property]
    public void Add_subtract_multiply_with_broadcasting(TensorCase c)
    {
        foreach (var partner in BroadcastPartners(c.Shape))
        {
            var b = Tensor.RandomNormal<double>(partner, c.Seed + 1);
            Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => p.a + p.b, (c.Values(), b));
            Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => p.a - p.b, (c.Values(), b));
            Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => p.a * p.b, (c.Values(), b));
            // broadcasting the other way round: the small operand first
            Props.GradOk(((Tensor<double> b, Tensor<double> a) p) => p.b * p.a - p.a, (b, c.Values()));
        }
    }

    [Property]
    public void Divide_with_broadcasting(TensorCase c)
    {
        foreach (var partner in BroadcastPartners(c.Shape))
        {
            var denominator = Tensor.RandomUniform<double>(partner, c.Seed + 2, 0.5, 2.0);
            Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => p.a / p.b, (c.Values(), denominator));
        }
    }

    [Property]
    public void Negate_and_scalar_ops(TensorCase c)
    {
        Props.GradOk((Tensor<double> x) => -x, c.Values());
        Props.GradOk((Tensor<double> x) => 1.0 - x, c.Values());
        Props.GradOk((Tensor<double> x) => x + 2.5, c.Values());
        Props.GradOk((Tensor<double> x) => x - 2.5, c.Values());
        Props.GradOk((Tensor<double> x) => 3.0 * x, c.Values());
        Props.GradOk((Tensor<double> x) => x / 4.0, c.Values());
    }

    [Property]
    public void Square_sqrt_abs(TensorCase c)
    {
        Props.GradOk((Tensor<double> x) => Square(x), c.Values());
        Props.GradOk((Tensor<double> x) => Sqrt(x), c.Uniform(0.5, 3));
        Props.GradOk((Tensor<double> x) => Abs(x), c.Values(awayFromZero: 0.1));
    }

    [Property]
    public void Activations(TensorCase c)
    {
        Props.GradOk((Tensor<double> x) => Sigmoid(x), c.Values());
        Props.GradOk((Tensor<double> x) => Tanh(x), c.Values());
        Props.GradOk((Tensor<double> x) => Exp(x), c.Values());
        Props.GradOk((Tensor<double> x) => Log(x), c.Uniform(0.3, 3));
        Props.GradOk((Tensor<double> x) => Relu(x), c.Values(awayFromZero: 0.1));
    }

    /// <summary>
    /// The gradchecks above keep inputs 0.1 away from the kink, but exact zeros are common (padding, masked inputs,
    /// ReLU after ReLU). The convention at 0 is PyTorch's and the doc comment's: ∂relu/∂x = 0 and ∂|x|/∂x = 0 there
    /// (this fails if relu's backward tests x ≥ 0 instead of x &gt; 0, a mutant the properties let survive).
    /// </summary>
    [Fact]
    public void Relu_and_abs_have_zero_gradient_at_exactly_zero()
    {
        var x = Tensor.FromArray([-1.0, 0.0, -0.0, 2.0]);
        Assert.Equal([0.0, 0.0, 0.0, 1.0], Autodiff.Grad((Tensor<double> v) => Sum(Relu(v)))(x).ToArray());
        Assert.Equal([-1.0, 0.0, 0.0, 1.0], Autodiff.Grad((Tensor<double> v) => Sum(Abs(v)))(x).ToArray());
        var xf = Tensor.FromArray([0.0f, 3.0f]);
        Assert.Equal([0.0f, 1.0f], Autodiff.Grad((Tensor<float> v) => Sum(Relu(v)))(xf).ToArray());
    }

    [Property]
    public void Softmax_and_log_softmax_along_any_axis(TensorCase c)
    {
        for (int axis = -c.Dims.Length; axis < c.Dims.Length; axis++)
        {
            int ax = axis;
            Props.GradOk((Tensor<double> x) => Softmax(x, ax), c.Values());
            Props.GradOk((Tensor<double> x) => LogSoftmax(x, ax), c.Values());
        }
    }

    [Property]
    public void Sum_and_mean_all_and_per_axis(TensorCase c)
    {
        Props.GradOk((Tensor<double> x) => Sum(x), c.Values());
        Props.GradOk((Tensor<double> x) => Mean(x), c.Values());
        for (int axis = 0; axis < c.Dims.Length; axis++)
        {
            int ax = axis;
            Props.GradOk((Tensor<double> x) => Sum(x, ax), c.Values());
            Props.GradOk((Tensor<double> x) => Mean(x, ax, keepDims: true), c.Values());
        }
    }

    [Property]
    public void MatMul_in_every_transpose_form(Props.MatMulCase c)
    {
        var rng = new Rng(c.Seed);
        Tensor<double> R(params int[] s) => rng.Normal<double>(new Shape(s));
        Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => MatMul(p.a, p.b), (R(c.M, c.K), R(c.K, c.N)));
        Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => MatMul(p.a, p.b, transposeA: true), (R(c.K, c.M), R(c.K, c.N)));
        Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => MatMul(p.a, p.b, transposeB: true), (R(c.M, c.K), R(c.N, c.K)));
        Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => MatMul(p.a, p.b, true, true), (R(c.K, c.M), R(c.N, c.K)));
        // a rank-3 left operand: [B,T,D]·[D,H]
        Props.GradOk(((Tensor<double> a, Tensor<double> b) p) => MatMul(p.a, p.b), (R(c.BatchLead, c.M, c.K), R(c.K, c.N)));
    }

    [Property]
    public void Concat_along_any_axis(TensorCase c)
    {
        for (int axis = 0; axis < c.Dims.Length; axis++)
        {
            int ax = axis;
            var other = Tensor.RandomNormal<double>(c.Shape.With(ax, c.Dims[ax] + 1), c.Seed + 3);
            var third = Tensor.RandomNormal<double>(c.Shape.With(ax, 1), c.Seed + 4);
            Props.GradOk((Tensor<double>[] xs) => Concat(xs, ax), new[] { c.Values(), other, third });
        }
    }

    [Property]
    public void Slice_split_select(TensorCase c)
    {
        for (int axis = 0; axis < c.Dims.Length; axis++)
        {
            int ax = axis, n = c.Dims[axis];
            int start = (int)(c.Seed % n), length = n - start;
            Props.GradOk((Tensor<double> x) => Slice(x, start, length, ax), c.Values());
            Props.GradOk((Tensor<double> x) => Select(x, ax, n - 1), c.Values());
            Props.GradOk((Tensor<double> x) =>
            {
                var parts = Split(x, [start, length], ax);
                return Concat([parts[1] * 2.0, parts[0]], ax);
            }, c.Values());
        }
    }

    [Property]
    public void Reshape_and_transpose(TensorCase c)
    {
        Props.GradOk((Tensor<double> x) => Reshape(x, -1) * Tensor.RandomNormal<double>(new Shape(c.Shape.Count), 9), c.Values());
        Props.GradOk((Tensor<double> x) => Reshape(x, c.Dims.Reverse().ToArray()), c.Values());
        for (int a0 = 0; a0 < c.Dims.Length; a0++)
            for (int a1 = 0; a1 < c.Dims.Length; a1++)
            {
                int x0 = a0, x1 = a1;
                Props.GradOk((Tensor<double> x) => Transpose(x, x0, x1), c.Values());
            }
    }

    [Property]
    public void Stack_and_unstack_over_time(TensorCase c)
    {
        for (int axis = 0; axis <= c.Dims.Length; axis++)
        {
            int ax = axis;
            var steps = Enumerable.Range(0, 3).Select(i => Tensor.RandomNormal<double>(c.Shape, c.Seed + i)).ToArray();
            Props.GradOk((Tensor<double>[] xs) => Stack(xs, ax), steps);
        }
        for (int axis = 0; axis < c.Dims.Length; axis++)
        {
            int ax = axis;
            Props.GradOk((Tensor<double> x) => Stack(Unstack(x, ax).Reverse().ToArray(), ax), c.Values());
        }
    }

    [Property(Arbitrary = new[] { typeof(Arbs.Matrices) })]
    public void Gather_rows_accumulates_repeated_indices(TensorCase c)
    {
        int rows = c.Dims[0];
        var rng = new Rng(c.Seed);
        var indices = Enumerable.Range(0, rows + 2).Select(_ => rng.NextInt(rows)).ToArray();
        Props.GradOk((Tensor<double> table) => Gather(table, indices), c.Values());
    }

    [Property(Arbitrary = new[] { typeof(Arbs.Matrices) })]
    public void OneHot_times_table_equals_gather_in_value_and_gradient(TensorCase c)
    {
        int rows = c.Dims[0];
        var rng = new Rng(c.Seed);
        var indices = Enumerable.Range(0, 5).Select(_ => rng.NextInt(rows)).ToArray();
        var oneHot = Tensor.OneHot<double>(indices, rows);
        var weights = Tensor.RandomNormal<double>(new Shape(5, c.Dims[1]), c.Seed + 1);
        var viaMatMul = Autodiff.ValueAndGrad((Tensor<double> t) => Sum(MatMul(oneHot, t) * weights))(c.Values());
        var viaGather = Autodiff.ValueAndGrad((Tensor<double> t) => Sum(Gather(t, indices) * weights))(c.Values());
        TensorAssert.Close(viaMatMul.Value, viaGather.Value);
        TensorAssert.Close(viaMatMul.Gradient, viaGather.Gradient);
        Props.GradOk((Tensor<double> t) => MatMul(oneHot, t), c.Values());
    }

    [Property]
    public void Layer_norm_over_the_last_axis(TensorCase c)
    {
        var gain = Tensor.RandomNormal<double>(new Shape(c.Shape.Last), c.Seed + 1);
        var bias = Tensor.RandomNormal<double>(new Shape(c.Shape.Last), c.Seed + 2);
        var weights = Tensor.RandomNormal<double>(c.Shape, c.Seed + 3);   // so that ∂y is not constant along a row
        Props.GradOk(((Tensor<double> x, Tensor<double> g, Tensor<double> b) p) => LayerNorm(p.x, p.g, p.b) * weights, (c.Values(), gain, bias));
        Props.GradOk(((Tensor<double> x, Tensor<double> g, Tensor<double> b) p) => LayerNorm(p.x, p.g, p.b, epsilon: 0.5) * weights, (c.Values(), gain, bias));
    }

    [Property]
    public void Masked_softmax_over_random_masks(TensorCase c)
    {
        var mask = NormalizationTests.RandomMask(c.Shape, c.Seed);
        var weights = Tensor.RandomNormal<double>(c.Shape, c.Seed + 3);
        Props.GradOk((Tensor<double> x) => MaskedSoftmax(x, mask) * weights, c.Values());
    }

    [Property]
    public void Mean_squared_error(TensorCase c) =>
        Props.GradOk(((Tensor<double> p, Tensor<double> y) q) => MeanSquaredError(q.p, q.y), (c.Values(), c.Values(salt: 1)));

    [Property]
    public void Cross_entropy_from_logits(TensorCase c)
    {
        var rng = new Rng(c.Seed);
        int classes = c.Dims[^1], rows = c.Shape.Count / classes;
        var targets = Enumerable.Range(0, rows).Select(_ => rng.NextInt(classes)).ToArray();
        Props.GradOk((Tensor<double> z) => CrossEntropy(z, targets), c.Values());
    }

    [Property]
    public void Float32_ops_match_float64(TensorCase c)
    {
        var x64 = c.Values();
        var x32 = Tensor.Convert<double, float>(x64);
        var y64 = Sum(Sigmoid(x64) * Tanh(x64) + Exp(x64 * 0.1) + Softmax(x64));
        var y32 = Sum(Sigmoid(x32) * Tanh(x32) + Exp(x32 * 0.1f) + Softmax(x32));
        Assert.Equal(y64.ToScalar(), y32.ToScalar(), 1e-4 * Math.Max(1, Math.Abs(y64.ToScalar())));
    }
}
