using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Gradient facts beside the registry. Every differentiable op is a case of <see cref="GradCheckSuite.Cases"/>, gradchecked in
/// float64 over random shapes (including size-1 and odd sizes) by <see cref="GradCheckRegistryTests"/>; here are what a
/// gradcheck cannot see: the convention at a kink, two ops agreeing, and float32 against float64.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Tensors) })]
public class OpGradientTests
{
    /// <summary>
    /// The registry's gradchecks keep inputs 0.1 away from the kink, but exact zeros are common (padding, masked inputs,
    /// ReLU after ReLU). The convention at 0 is PyTorch's and the doc comment's: ∂relu/∂x = 0 and ∂|x|/∂x = 0 there
    /// (this fails if relu's backward tests x ≥ 0 instead of x &gt; 0, a mutant the properties let survive).
    /// </summary>
    [Fact]
    public void Relu_and_abs_have_zero_gradient_at_exactly_zero()
    {
        var x = Tensor.FromArray([-1.0, 0.0, -0.0, 2.0]);
        Assert.Equal([0.0, 0.0, 0.0, 1.0], Autodiff.Grad((Tensor<double> v) => Sum(Relu(v)))(x).ToArray());
        Assert.Equal([-1.0, 0.0, 0.0, 1.0], Autodiff.Grad((Tensor<double> v) => Sum(Abs(v)))(x).ToArray());
        var xf = Tensor.FromArray([0.0f, -0.0f, -2.0f, 3.0f]);
        Assert.Equal([0.0f, 0.0f, 0.0f, 1.0f], Autodiff.Grad((Tensor<float> v) => Sum(Relu(v)))(xf).ToArray());
        Assert.Equal([0.0f, 0.0f, -1.0f, 1.0f], Autodiff.Grad((Tensor<float> v) => Sum(Abs(v)))(xf).ToArray());
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
    public void Float32_ops_match_float64(TensorCase c)
    {
        var x64 = c.Values();
        var x32 = Tensor.Convert<double, float>(x64);
        var y64 = Sum(Sigmoid(x64) * Tanh(x64) + Exp(x64 * 0.1) + Softmax(x64));
        var y32 = Sum(Sigmoid(x32) * Tanh(x32) + Exp(x32 * 0.1f) + Softmax(x32));
        Assert.Equal(y64.ToScalar(), y32.ToScalar(), 1e-4 * Math.Max(1, Math.Abs(y64.ToScalar())));
    }
}
