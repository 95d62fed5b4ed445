using System.Numerics;
using static System.Numerics.Tensors.TensorPrimitives;

namespace AutoGradRnn;

/// <summary>
/// The layer-normalised LSTM (Ba et al. 2016) as one fused kernel: U = W_h <c>[H, 4H]</c> and Wx = W_x <c>[D, 4H]</c>
/// as they are, gate blocks f, i, o, g. Forward, per row, with LN(z) = x̂(z)·α + β and x̂(z) = (z − μ)/√(σ² + ε):
/// <code>
/// a = x̂(h_{t-1}·W_h)·α₁ + x̂(x_t·W_x)·α₂ + (β₁ + β₂ + b)
/// f, i, o = σ(a_f, a_i, a_o); g = tanh(a_g); C_t = f·C_{t-1} + i·g
/// y = tanh(x̂(C_t)·α₃ + β₃); h_t = o·y
/// </code>
/// Saved per row: f, i, o, g, x̂ of both products, x̂(C_t), y and the three 1/√(σ² + ε). Backward (dh, dC given),
/// with LN'(d, x̂) = (d − mean(d) − x̂·mean(d ⊙ x̂))/√(σ² + ε):
/// <code>
/// dA_o = dh·y·o(1 − o); dy' = dh·o·(1 − y²); dC += LN'(dy'·α₃, x̂(C_t))
/// dA_f = dC·C_{t-1}·f(1 − f); dA_i = dC·g·i(1 − i); dA_g = dC·i·(1 − g²); dC_{t-1} = dC·f
/// dAh = LN'(dA·α₁, x̂_h); dAx = LN'(dA·α₂, x̂_x)   (so the recurrent and input products get different gradients)
/// </code>
/// The gains and biases are sums over real steps (the kernel's <see cref="FusedCellKernel{T}.Sums"/>): dα₁ = Σ dA ⊙ x̂_h,
/// dα₂ = Σ dA ⊙ x̂_x, db = dβ₁ = dβ₂ = Σ dA, dα₃ = Σ dy' ⊙ x̂(C_t), dβ₃ = Σ dy'.
/// </summary>
internal sealed class LayerNormLstmKernel<T> : FusedCellKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerNormLstm<T> cell;
    private readonly T[] bias;     // β₁ + β₂ + b: they only ever appear summed
    private readonly T eps;

    // Offsets in a saved row: activations f, i, o, g; x̂ of the two products; x̂(C_t); y; the three 1/√(σ² + ε).
    private readonly int nh, nx, nc, y, inv;
    // Offsets in the sums: Σ dA ⊙ x̂_h, Σ dA ⊙ x̂_x, Σ dA, Σ dy' ⊙ x̂(C_t), Σ dy'.
    private readonly int sGainH, sGainX, sBias, sGainC, sBiasC;

    public LayerNormLstmKernel(LayerNormLstm<T> cell)
        : base(new KernelLayout("layer-norm lstm (fused)", cell.OutputSize, cell.InputSize)
            { InputBlocks = 4, RecurrentBlocks = 4, SavedPerRow = 14 * cell.OutputSize + 3, HasC = true, SeparateDAh = true, Sums = 14 * cell.OutputSize })
    {
        this.cell = cell;
        eps = T.CreateTruncating(cell.Epsilon);
        bias = new T[4 * H];
        Add(cell.BiasH.Data, cell.BiasX.Data, bias);
        Add(bias, cell.B.Data, bias);
        (nh, nx, nc, y, inv) = (4 * H, 8 * H, 12 * H, 13 * H, 14 * H);
        (sGainH, sGainX, sBias, sGainC, sBiasC) = (0, 4 * H, 8 * H, 12 * H, 13 * H);
    }

    public override Tensor<T>[] Parameters => [cell.Wh, cell.Wx, cell.B, cell.GainH, cell.BiasH, cell.GainX, cell.BiasX, cell.GainC, cell.BiasC];

    public override void BuildWx(T[] wx) => cell.Wx.Data.AsSpan().CopyTo(wx);
    public override void BuildU(T[] u) => cell.Wh.Data.AsSpan().CopyTo(u);

    public override bool HasDirectH => false;

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        var a = save[..(4 * H)];
        Span<T> xh = save.Slice(nh, 4 * H), xx = save.Slice(nx, 4 * H), xc = save.Slice(nc, H), yc = save.Slice(y, H);
        save[inv] = Normalise(hp, xh);
        save[inv + 1] = Normalise(xp, xx);
        FusedMultiplyAdd(xh, cell.GainH.Data, bias, a);
        FusedMultiplyAdd(xx, cell.GainX.Data, a, a);
        FastActivations.Sigmoid(a[..(3 * H)], a[..(3 * H)], Width);   // f, i, o
        FastActivations.Tanh(B(a, 3), B(a, 3), Width);                  // g
        Multiply(B(a, 0), cPrev, c);
        FusedMultiplyAdd(B(a, 1), B(a, 3), c, c);               // C_t = f·C_{t-1} + i·g
        save[inv + 2] = Normalise(c, xc);
        FusedMultiplyAdd(xc, cell.GainC.Data, cell.BiasC.Data, yc);
        FastActivations.Tanh(yc, yc, Width);
        Multiply(B(a, 2), yc, h);                                // h_t = o·tanh(LN(C_t))
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        ReadOnlySpan<T> f = B(save, 0), i = B(save, 1), o = B(save, 2), g = B(save, 3);
        ReadOnlySpan<T> xh = save.Slice(nh, 4 * H), xx = save.Slice(nx, 4 * H), xc = save.Slice(nc, H), yc = save.Slice(y, H);
        var dy = scratch[..H];
        var s = scratch.Slice(H, H);
        Multiply(dh, yc, B(dAx, 2));                   // dO = dh·y
        SigmoidGrad(o, B(dAx, 2), s);
        Multiply(dh, o, dy);
        TanhGrad(yc, dy, s);                           // dy' = dh·o·(1 − y²), the gradient of LN(C_t)
        FusedMultiplyAdd(dy, xc, sums.Slice(sGainC, H), sums.Slice(sGainC, H));
        Add(sums.Slice(sBiasC, H), dy, sums.Slice(sBiasC, H));
        Multiply(dy, cell.GainC.Data, s);
        NormaliseBackward(s, xc, save[inv + 2]);
        Add(dc, s, dc);                                // dC += LN'(dy'·α₃)
        Multiply(dc, cPrev, B(dAx, 0));                // dF = dC·C_{t-1}
        SigmoidGrad(f, B(dAx, 0), s);
        Multiply(dc, g, B(dAx, 1));                    // dI = dC·g
        SigmoidGrad(i, B(dAx, 1), s);
        Multiply(dc, i, B(dAx, 3));                    // dG = dC·i
        TanhGrad(g, B(dAx, 3), s);
        Multiply(dc, f, dc);                           // dC_{t-1} = dC·f
        // dAx holds dA, the gradient of both LNs' outputs: take the gains' and biases' terms before normalising back.
        FusedMultiplyAdd(dAx, xh, sums.Slice(sGainH, 4 * H), sums.Slice(sGainH, 4 * H));
        FusedMultiplyAdd(dAx, xx, sums.Slice(sGainX, 4 * H), sums.Slice(sGainX, 4 * H));
        Add(sums.Slice(sBias, 4 * H), dAx, sums.Slice(sBias, 4 * H));
        Multiply(dAx, cell.GainH.Data, dAh);
        NormaliseBackward(dAh, xh, save[inv]);
        Multiply(dAx, cell.GainX.Data, dAx);
        NormaliseBackward(dAx, xx, save[inv + 1]);
    }

    /// <summary>x̂ = (z − μ)/√(σ² + ε) into <paramref name="xh"/>; returns 1/√(σ² + ε). The arithmetic of <see cref="Ops.LayerNorm{T}"/>.</summary>
    private T Normalise(ReadOnlySpan<T> z, Span<T> xh)
    {
        T n = T.CreateTruncating(z.Length);
        T mean = Sum(z) / n;
        Subtract(z, mean, xh);
        T r = T.One / T.Sqrt(SumOfSquares<T>(xh) / n + eps);
        Multiply(xh, r, xh);
        return r;
    }

    /// <summary>In place, d (the output gradient times the gain) becomes the input gradient (d − mean(d) − x̂·mean(d ⊙ x̂))·r.</summary>
    private static void NormaliseBackward(Span<T> d, ReadOnlySpan<T> xh, T r)
    {
        T n = T.CreateTruncating(d.Length);
        T meanD = Sum<T>(d) / n, meanDx = Dot<T>(d, xh) / n;
        FusedMultiplyAdd(xh, -meanDx, d, d);
        Subtract(d, meanD, d);
        Multiply(d, r, d);
    }

    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums)
    {
        Tensor<T> Part(int offset, int n) => new(sums.AsSpan(offset, n).ToArray(), new Shape(n));
        return
        [
            new Tensor<T>(dU, cell.Wh.Shape), new Tensor<T>(dWx, cell.Wx.Shape), Part(sBias, 4 * H),
            Part(sGainH, 4 * H), Part(sBias, 4 * H), Part(sGainX, 4 * H), Part(sBias, 4 * H),
            Part(sGainC, H), Part(sBiasC, H),
        ];
    }
}
