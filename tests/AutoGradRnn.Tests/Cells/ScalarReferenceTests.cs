using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Cells PyTorch lacks (peephole in both forms, coupled gates, the essay's GRU, the depth gate, the clockwork RNN) against an independent
/// reference: plain scalar loops over double arrays, written straight from the papers' equations.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class ScalarReferenceTests
{
    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Σ_k v[k]·W[k, j] over v = [h; x] (our row layout: rows for h first).</summary>
    private static double Affine(Tensor<double> w, Tensor<double> b, double[] h, double[] x, int j)
    {
        double s = b[j];
        for (int k = 0; k < h.Length; k++) s += h[k] * w[k, j];
        for (int k = 0; k < x.Length; k++) s += x[k] * w[h.Length + k, j];
        return s;
    }

    private static double[] Row(Tensor<double> x, int b, int t)
    {
        int d = x.Shape[2];
        return Enumerable.Range(0, d).Select(k => x[b, t, k]).ToArray();
    }

    private static double Peep(Tensor<double> p, double[] c, int j) =>
        p.Rank == 1 ? p[j] * c[j] : Enumerable.Range(0, c.Length).Sum(k => c[k] * p[k, j]);

    private static (double[] H, double[] C) PeepholeStep(PeepholeLstm<double> p, double[] h, double[] c, double[] x)
    {
        int n = h.Length;
        var f = new double[n]; var i = new double[n]; var g = new double[n]; var cNew = new double[n]; var hNew = new double[n];
        for (int j = 0; j < n; j++)
        {
            f[j] = Sig(Affine(p.Wf, p.Bf, h, x, j) + Peep(p.Pf, c, j));
            i[j] = Sig(Affine(p.Wi, p.Bi, h, x, j) + Peep(p.Pi, c, j));
            g[j] = Math.Tanh(Affine(p.Wc, p.Bc, h, x, j));
            cNew[j] = f[j] * c[j] + i[j] * g[j];
        }
        for (int j = 0; j < n; j++) hNew[j] = Sig(Affine(p.Wo, p.Bo, h, x, j) + Peep(p.Po, cNew, j)) * Math.Tanh(cNew[j]);
        return (hNew, cNew);
    }

    private static (double[] H, double[] C) CoupledStep(CoupledLstm<double> p, double[] h, double[] c, double[] x)
    {
        int n = h.Length;
        var cNew = new double[n]; var hNew = new double[n];
        for (int j = 0; j < n; j++)
        {
            double f = Sig(Affine(p.Wf, p.Bf, h, x, j));
            cNew[j] = f * c[j] + (1 - f) * Math.Tanh(Affine(p.Wc, p.Bc, h, x, j));
            hNew[j] = Sig(Affine(p.Wo, p.Bo, h, x, j)) * Math.Tanh(cNew[j]);
        }
        return (hNew, cNew);
    }

    private static double[] GruStep(Gru<double> p, double[] h, double[] x)
    {
        int n = h.Length;
        var z = new double[n]; var rh = new double[n]; var hNew = new double[n];
        for (int j = 0; j < n; j++) { z[j] = Sig(Affine(p.Wz, p.Bz, h, x, j)); rh[j] = Sig(Affine(p.Wr, p.Br, h, x, j)) * h[j]; }
        for (int j = 0; j < n; j++) hNew[j] = (1 - z[j]) * h[j] + z[j] * Math.Tanh(Affine(p.W, p.B, rh, x, j));
        return hNew;
    }

    private static void CompareLstmLike<TCell>(CellCase c, TCell cell, Func<TCell, double[], double[], double[], (double[] H, double[] C)> step)
        where TCell : IRecurrentCell<LstmState<double>, double>
    {
        var x = c.Inputs;
        var result = Sequence.Unroll(cell, x);
        for (int b = 0; b < c.B; b++)
        {
            var (h, cs) = (new double[c.H], new double[c.H]);
            for (int t = 0; t < c.T; t++)
            {
                (h, cs) = step(cell, h, cs, Row(x, b, t));
                for (int j = 0; j < c.H; j++) Assert.Equal(h[j], result.Outputs[b, t, j], 1e-12);
            }
            for (int j = 0; j < c.H; j++) Assert.Equal(cs[j], result.Final.C[b, j], 1e-12);
        }
    }

    [Property]
    public void Peephole_full_form(CellCase c) =>
        CompareLstmLike(c, PeepholeLstm<double>.Create(c.D, c.H, c.Seed), PeepholeStep);

    [Property]
    public void Peephole_diagonal_form(CellCase c) =>
        CompareLstmLike(c, PeepholeLstm<double>.Create(c.D, c.H, c.Seed, diagonal: true), PeepholeStep);

    [Property]
    public void Coupled_forget_and_input_gates(CellCase c) =>
        CompareLstmLike(c, CoupledLstm<double>.Create(c.D, c.H, c.Seed), CoupledStep);

    [Property]
    public void Gru_in_the_essay_form(CellCase c)
    {
        var cell = Gru<double>.Create(c.D, c.H, c.Seed);
        var x = c.Inputs;
        var result = Sequence.Unroll(cell, x);
        for (int b = 0; b < c.B; b++)
        {
            var h = new double[c.H];
            for (int t = 0; t < c.T; t++)
            {
                h = GruStep(cell, h, Row(x, b, t));
                for (int j = 0; j < c.H; j++) Assert.Equal(h[j], result.Outputs[b, t, j], 1e-12);
            }
        }
    }

    [Fact]
    public void The_two_gru_forms_are_different_functions()
    {
        // Same gate weights; the essay form resets h before the product, PyTorch's after it (PyTorch #8153).
        const int h = 4;
        var after = GruResetAfter<double>.Create(3, h, 1);
        var essay = new Gru<double>(
            -after.Wz, -after.Bz,                                   // z_essay = 1 − z_pytorch = σ(−a)
            after.Wr, after.Br,
            Concat([after.Wnh, after.Wnx], 0), after.Bnx + after.Bnh);
        var x = Tensor.RandomNormal<double>(new Shape(2, 3, 3), 2);
        var state = new RnnState<double>(Tensor.RandomNormal<double>(new Shape(2, h), 3));
        var a = Sequence.Unroll(after, x, state).Outputs;
        var e = Sequence.Unroll(essay, x, state).Outputs;
        Assert.True(a.MaxAbsDifference(e) > 1e-3, "the forms should differ when h ≠ 0");
        // With h_{t-1} = 0, b_nh = 0 and one step, r multiplies nothing and the forms agree.
        after = after with { Bnh = Tensor.Zeros<double>(h) };
        essay = essay with { B = after.Bnx };
        var zero = new RnnState<double>(Tensor.Zeros<double>(2, h));
        TensorAssert.Close(essay.Step(zero, Select(x, 1, 0)).H, after.Step(zero, Select(x, 1, 0)).H, 1e-12, 1e-14);
    }

    /// <summary>Yao et al. 2015: an LSTM step plus the depth gate d_t = σ(b_d + W_xd·x_t + w_cd⊙C_{t-1} + w_ld⊙C_t^L) on the layer below's memory.</summary>
    private static (double[] H, double[] C, double[] D) DepthGatedStep(DepthGatedLstmLayer<double> p, double[] h, double[] c, double[] x, double[] lower)
    {
        int n = h.Length;
        var cNew = new double[n]; var hNew = new double[n]; var d = new double[n];
        for (int j = 0; j < n; j++)
        {
            double s = p.Bd[j] + p.Wcd[j] * c[j] + p.Wld[j] * lower[j];
            for (int k = 0; k < x.Length; k++) s += x[k] * p.Wxd[k, j];
            d[j] = Sig(s);
            cNew[j] = d[j] * lower[j] + Sig(Affine(p.Wf, p.Bf, h, x, j)) * c[j] + Sig(Affine(p.Wi, p.Bi, h, x, j)) * Math.Tanh(Affine(p.Wc, p.Bc, h, x, j));
            hNew[j] = Sig(Affine(p.Wo, p.Bo, h, x, j)) * Math.Tanh(cNew[j]);
        }
        return (hNew, cNew, d);
    }

    [Property]
    public void Depth_gated_layer_step(CellCase c)
    {
        var cell = DepthGatedLstmLayer<double>.Create(c.D, c.H, c.Seed);
        Tensor<double> Draw(Shape s, long seed) => Tensor.RandomNormal<double>(s, c.Seed + seed);
        var (x, h, cs, lower) = (Draw(new Shape(c.B, c.D), 1), Draw(new Shape(c.B, c.H), 2), Draw(new Shape(c.B, c.H), 3), Draw(new Shape(c.B, c.H), 4));
        var (state, _, depthGate) = cell.StepWithGates(new LstmState<double>(h, cs), x, lower);
        double[] RowOf(Tensor<double> m, int b) => [.. Enumerable.Range(0, m.Shape[1]).Select(k => m[b, k])];
        for (int b = 0; b < c.B; b++)
        {
            var (hRef, cRef, dRef) = DepthGatedStep(cell, RowOf(h, b), RowOf(cs, b), RowOf(x, b), RowOf(lower, b));
            for (int j = 0; j < c.H; j++)
            {
                Assert.Equal(dRef[j], depthGate[b, j], 1e-12);
                Assert.Equal(cRef[j], state.C[b, j], 1e-12);
                Assert.Equal(hRef[j], state.H[b, j], 1e-12);
            }
        }
    }

    /// <summary>
    /// Koutník et al. 2014: at clock t the modules with t mod T_i = 0 update from their own and the slower modules'
    /// previous values, y_i = tanh(W_H,i·[y_i … y_g] + W_I,i·x + b_i); the others keep theirs.
    /// </summary>
    [Theory]
    [InlineData(new[] { 1 }, new[] { 3 })]
    [InlineData(new[] { 1, 2, 4 }, new[] { 2, 1, 3 })]
    [InlineData(new[] { 1, 3 }, new[] { 2, 2 })]
    public void Clockwork_rnn(int[] periods, int[] sizes)
    {
        const int batch = 2, steps = 7, d = 3;
        var cell = ClockworkRnn<double>.Create(d, sizes, periods, 5);
        var x = Tensor.RandomNormal<double>(new Shape(batch, steps, d), 6);
        var result = Sequence.Unroll(cell, x);
        int hidden = sizes.Sum();
        for (int b = 0; b < batch; b++)
        {
            var y = new double[hidden];
            for (int t = 0; t < steps; t++)
            {
                var input = Row(x, b, t);
                var next = (double[])y.Clone();
                for (int i = 0, offset = 0; i < periods.Length; offset += sizes[i], i++)
                {
                    if (t % periods[i] != 0) continue;
                    for (int j = 0; j < sizes[i]; j++)
                    {
                        double s = cell.B[i][j];
                        for (int k = offset; k < hidden; k++) s += y[k] * cell.Wh[i][k - offset, j];
                        for (int k = 0; k < d; k++) s += input[k] * cell.Wi[i][k, j];
                        next[offset + j] = Math.Tanh(s);
                    }
                }
                y = next;
                for (int j = 0; j < hidden; j++) Assert.Equal(y[j], result.Outputs[b, t, j], 1e-12);
            }
        }
    }
}
