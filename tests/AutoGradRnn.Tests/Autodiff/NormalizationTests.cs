using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>What <see cref="Ops.LayerNorm{T}"/> and <see cref="Ops.MaskedSoftmax{T}"/> compute, beyond their gradients.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.TensorsUpTo6) })]
public class NormalizationTests
{
    [Property]
    public void Layer_norm_rows_have_mean_zero_and_variance_one_before_gain_and_bias(TensorCase c)
    {
        int n = c.Shape.Last;
        if (n < 2) return;   // one feature: x − μ = 0, nothing to scale
        var x = c.Values() * 3.0 + 1.5;
        // The variance comes out as var/(var + ε): ε must be far below the smallest row variance drawn (two close
        // values make it tiny; ε = 1e-12 once gave 1 − 4e-8).
        var y = LayerNorm(x, Tensor.Ones<double>(n), Tensor.Zeros<double>(n), epsilon: 1e-24);
        var rows = y.ToArray().Chunk(n).ToArray();
        foreach (var row in rows)
        {
            double mean = row.Average(), variance = row.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 1e-12);
            Assert.Equal(1, variance, 1e-8);
        }
        // gain and bias act afterwards, per feature: y' = gain ⊙ y + bias
        var gain = Tensor.RandomNormal<double>(new Shape(n), c.Seed + 1);
        var bias = Tensor.RandomNormal<double>(new Shape(n), c.Seed + 2);
        TensorAssert.Close(y * gain + bias, LayerNorm(x, gain, bias, epsilon: 1e-24));
    }

    [Fact]
    public void Layer_norm_matches_the_textbook_formula_with_epsilon()
    {
        var x = Tensor.FromRows([1.0, 2.0, 4.0], [-3.0, 0.0, 3.0]);
        var y = LayerNorm(x, Tensor.FromArray([1.0, 2.0, 0.5]), Tensor.FromArray([0.0, 1.0, -1.0]), epsilon: 0.1);
        double m = 7.0 / 3, v = ((1 - m) * (1 - m) + (2 - m) * (2 - m) + (4 - m) * (4 - m)) / 3, s = Math.Sqrt(v + 0.1), s2 = Math.Sqrt(6 + 0.1);
        TensorAssert.Close(Tensor.FromRows([(1 - m) / s, 2 * (2 - m) / s + 1, 0.5 * (4 - m) / s - 1], [-3 / s2, 1.0, 0.5 * 3 / s2 - 1]), y, 1e-14, 1e-14);
    }

    [Fact]
    public void Layer_norm_rejects_bad_shapes_and_epsilon()
    {
        var x = Tensor.Zeros<double>(2, 3);
        Assert.Contains("gain and bias must be [3]", Assert.Throws<ShapeMismatchException>(() => LayerNorm(x, Tensor.Ones<double>(4), Tensor.Zeros<double>(3))).Message);
        Assert.Contains("layer_norm: [2,3] x [3] x [3,1]: gain and bias must be [3]", Assert.Throws<ShapeMismatchException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3, 1))).Message);
        Assert.Contains("non-empty last axis", Assert.Throws<ShapeMismatchException>(() => LayerNorm(Tensor.Scalar(1.0), Tensor.Ones<double>(1), Tensor.Zeros<double>(1))).Message);
        Assert.Contains("epsilon 0 must be", Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3), 0)).Message);
        Assert.Contains("epsilon NaN", Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3), double.NaN)).Message);
    }

    [Property]
    public void Masked_softmax_puts_no_weight_and_no_gradient_on_masked_entries(TensorCase c)
    {
        var mask = GradCheckSuite.RowMask(c.Shape, c.Seed);   // the registry's own masks
        var x = c.Values() * 5.0;
        var y = MaskedSoftmax(x, mask);
        int n = c.Shape.Last;
        for (int o = 0; o < y.Count; o += n)
        {
            Assert.Equal(1, Enumerable.Range(o, n).Sum(j => y.AsSpan()[j]), 1e-12);
            for (int j = o; j < o + n; j++) if (mask.AsSpan()[j] == 0) Assert.Equal(0.0, y.AsSpan()[j]);
        }
        // Equal to the plain softmax of the unmasked entries alone: masked scores may be anything.
        var scrambled = x + (1.0 - mask) * Tensor.RandomNormal<double>(c.Shape, c.Seed + 9, std: 100);
        TensorAssert.Close(y, MaskedSoftmax(scrambled, mask));
        var grad = Autodiff.Grad((Tensor<double> s) => Sum(MaskedSoftmax(s, mask) * Tensor.RandomNormal<double>(c.Shape, c.Seed + 4)))(x);
        for (int j = 0; j < grad.Count; j++) if (mask.AsSpan()[j] == 0) Assert.Equal(0.0, grad.AsSpan()[j]);
        // With every entry unmasked it is the softmax.
        TensorAssert.Close(Softmax(x), MaskedSoftmax(x, Tensor.Ones<double>(c.Shape)), 1e-12, 1e-15);
    }

    [Fact]
    public void Masked_softmax_rejects_bad_masks()
    {
        var x = Tensor.Zeros<double>(2, 3);
        Assert.Contains("masked_softmax: [2,3] x [2,2]: the mask must have the scores' shape", Assert.Throws<ShapeMismatchException>(() => MaskedSoftmax(x, Tensor.Ones<double>(2, 2))).Message);
        Assert.Contains("mask value 0.5 at flat index 4", Assert.Throws<ArgumentOutOfRangeException>(() => MaskedSoftmax(x, Tensor.FromRows([1.0, 1, 1], [1.0, 0.5, 1]))).Message);
        Assert.Contains("row 1 of [2,3] has no unmasked entry", Assert.Throws<ArgumentOutOfRangeException>(() => MaskedSoftmax(x, Tensor.FromRows([1.0, 0, 1], [0.0, 0, 0]))).Message);
    }
}
