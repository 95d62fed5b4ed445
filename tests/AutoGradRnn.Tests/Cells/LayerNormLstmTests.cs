using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>The layer-normalised LSTM: the paper's equations computed by hand, its weight-scale invariance, its errors.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class LayerNormLstmTests
{
    private static double[] Ln(double[] z, double[] gain, double[] bias, double eps)
    {
        double mean = z.Average(), variance = z.Select(v => (v - mean) * (v - mean)).Average();
        return z.Select((v, k) => gain[k] * (v - mean) / Math.Sqrt(variance + eps) + bias[k]).ToArray();
    }

    private static double[] Row(Tensor<double> m, double[] v)   // v·M for a row vector v
    {
        int rows = m.Shape[0], cols = m.Shape[1];
        return Enumerable.Range(0, cols).Select(j => Enumerable.Range(0, rows).Sum(i => v[i] * m[i, j])).ToArray();
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    [Property]
    public void One_step_matches_the_papers_equations_computed_by_hand(CellCase c)
    {
        var cell = LayerNormLstm<double>.Create(c.D, c.H, c.Seed);
        var rng = new Rng(c.Seed + 3);
        Tensor<double> R(int n) => rng.Normal<double>(new Shape(n));
        cell = cell with { B = R(4 * c.H), GainH = R(4 * c.H), BiasH = R(4 * c.H), GainX = R(4 * c.H), BiasX = R(4 * c.H), GainC = R(c.H), BiasC = R(c.H) };
        var state = CellGradientTests.RandomState(cell, c.B, c.Seed);
        var x = Select(c.Inputs, 1, 0);
        var next = cell.Step(state, x);
        int h = c.H;
        for (int b = 0; b < c.B; b++)
        {
            double[] Take(Tensor<double> t) => Enumerable.Range(0, t.Shape[1]).Select(j => t[b, j]).ToArray();
            var rec = Ln(Row(cell.Wh, Take(state.H)), cell.GainH.ToArray(), cell.BiasH.ToArray(), 1e-5);
            var inp = Ln(Row(cell.Wx, Take(x)), cell.GainX.ToArray(), cell.BiasX.ToArray(), 1e-5);
            var pre = rec.Select((v, k) => v + inp[k] + cell.B[k]).ToArray();           // order f, i, o, g
            var cPrev = Take(state.C);
            var cNew = Enumerable.Range(0, h).Select(j => Sigmoid(pre[j]) * cPrev[j] + Sigmoid(pre[h + j]) * Math.Tanh(pre[3 * h + j])).ToArray();
            var lnC = Ln(cNew, cell.GainC.ToArray(), cell.BiasC.ToArray(), 1e-5);
            var hNew = Enumerable.Range(0, h).Select(j => Sigmoid(pre[2 * h + j]) * Math.Tanh(lnC[j])).ToArray();
            for (int j = 0; j < h; j++)
            {
                Assert.Equal(cNew[j], next.C[b, j], 1e-12);
                Assert.Equal(hNew[j], next.H[b, j], 1e-12);
            }
        }
    }

    [Property]
    public void Rescaling_the_weights_does_not_change_the_outputs(CellCase c)
    {
        // The paper's invariance: LN(a·W·h) = LN(W·h) for a > 0 (exactly when ε → 0). The deviation is about ε over the
        // normalised vector's variance, which is tiny when D = 1 and x is small (ε = 1e-14 once gave 1e-8), hence ε = 1e-24.
        var cell = LayerNormLstm<double>.Create(c.D, c.H, c.Seed) with { Epsilon = 1e-24 };
        var scaled = cell with { Wh = cell.Wh * 7.0, Wx = cell.Wx * 0.25 };
        var state = CellGradientTests.RandomState(cell, c.B, c.Seed);
        TensorAssert.Close(Sequence.Unroll(cell, c.Inputs, state).Outputs, Sequence.Unroll(scaled, c.Inputs, state).Outputs, 1e-7, 1e-9);
    }

    [Fact]
    public void Create_starts_with_unit_gains_zero_shifts_and_forget_bias_one()
    {
        var cell = LayerNormLstm<double>.Create(2, 3, 1);
        Assert.All(cell.GainH.ToArray().Concat(cell.GainX.ToArray()).Concat(cell.GainC.ToArray()), v => Assert.Equal(1.0, v));
        Assert.All(cell.BiasH.ToArray().Concat(cell.BiasX.ToArray()).Concat(cell.BiasC.ToArray()), v => Assert.Equal(0.0, v));
        Assert.Equal([1.0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], cell.B.ToArray());
        Assert.Equal((new Shape(3, 12), new Shape(2, 12)), (cell.Wh.Shape, cell.Wx.Shape));
        Assert.All(LayerNormLstm<double>.Create(2, 3, 1, CellInit.PyTorch).B.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Bad_shapes_are_named()
    {
        var cell = LayerNormLstm<double>.Create(3, 4, 1);
        Assert.Contains("layer-norm lstm step: [2,5]: input must be [batch, 3]", Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(2), Tensor.Zeros<double>(2, 5))).Message);
        Assert.Contains("state C must be [2,4] for this input", Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(2) with { C = Tensor.Zeros<double>(2, 3) }, Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("gain and bias must be [16]", Assert.Throws<ShapeMismatchException>(() => (cell with { GainH = Tensor.Ones<double>(4) }).Step(cell.InitialState(2), Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("epsilon -1", Assert.Throws<ArgumentOutOfRangeException>(() => (cell with { Epsilon = -1 }).Step(cell.InitialState(2), Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("hidden size 0", Assert.Throws<ArgumentOutOfRangeException>(() => LayerNormLstm<double>.Create(3, 0, 1)).Message);
    }
}
