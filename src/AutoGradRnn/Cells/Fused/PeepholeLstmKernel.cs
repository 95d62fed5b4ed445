using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static System.Numerics.Tensors.TensorPrimitives;

namespace AutoGradRnn;

/// <summary>
/// The diagonal peephole LSTM (P vectors <c>[H]</c>) as one fused kernel. Gate blocks in the projections: f, i, C̃, o.
/// Forward, per row: a = h_{t-1}·U + x_t·Wx + b; f = σ(a_f + p_f ⊙ C_{t-1}); i = σ(a_i + p_i ⊙ C_{t-1});
/// C̃ = tanh(a_C̃); C_t = f·C_{t-1} + i·C̃; o = σ(a_o + p_o ⊙ C_t); h_t = o·tanh(C_t).
/// Backward (dh, dC given): dA_o = dh·tanh C_t·o(1 − o); dC += dh·o·(1 − tanh²C_t) + dA_o·p_o;
/// dA_f = dC·C_{t-1}·f(1 − f); dA_i = dC·C̃·i(1 − i); dA_C̃ = dC·i·(1 − C̃²);
/// dC_{t-1} = dC·f + dA_f·p_f + dA_i·p_i. The peephole gradients are sums over real steps:
/// dp_f = Σ dA_f ⊙ C_{t-1}, dp_i = Σ dA_i ⊙ C_{t-1}, dp_o = Σ dA_o ⊙ C_t (the kernel's <see cref="FusedCellKernel{T}.Sums"/>).
/// </summary>
internal sealed class PeepholeLstmKernel<T> : FusedCellKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int F = 0, I = 1, G = 2, O = 3;
    private readonly PeepholeLstm<T> cell;
    private readonly T[] bias;
    private readonly bool vectorized;

    public PeepholeLstmKernel(PeepholeLstm<T> cell)
        : base("peephole lstm (fused)", cell.OutputSize, cell.InputSize, 4, 4, 4 * cell.OutputSize, hasC: true, sums: 3 * cell.OutputSize)
    {
        this.cell = cell;
        bias = [.. cell.Bf.Data, .. cell.Bi.Data, .. cell.Bc.Data, .. cell.Bo.Data];
        vectorized = FastActivations.Vectorized<T>(H);
    }

    public override Tensor<T>[] Parameters => [cell.Wf, cell.Pf, cell.Bf, cell.Wi, cell.Pi, cell.Bi, cell.Wc, cell.Bc, cell.Wo, cell.Po, cell.Bo];

    public override void BuildWx(T[] wx)
    {
        Place(cell.Wf, false, wx, F, 4);
        Place(cell.Wi, false, wx, I, 4);
        Place(cell.Wc, false, wx, G, 4);
        Place(cell.Wo, false, wx, O, 4);
    }

    public override void BuildU(T[] u)
    {
        Place(cell.Wf, true, u, F, 4);
        Place(cell.Wi, true, u, I, 4);
        Place(cell.Wc, true, u, G, 4);
        Place(cell.Wo, true, u, O, 4);
    }

    /// <summary>The one-pass backward reads f, i, C̃, o of a vector before writing their gradients in the same slots.</summary>
    public override bool GradientsOverSaved => vectorized;

    public override bool HasDirectH => false;

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        if (vectorized) { ForwardVector(hp, xp, cPrev, save, h, c); return; }
        Add(hp, xp, save);
        Add(save, bias, save);
        FusedMultiplyAdd(cell.Pf.Data, cPrev, B(save, F), B(save, F));   // + p_f ⊙ C_{t-1}
        FusedMultiplyAdd(cell.Pi.Data, cPrev, B(save, I), B(save, I));   // + p_i ⊙ C_{t-1}
        FastActivations.Sigmoid(save[..(2 * H)], save[..(2 * H)]);
        FastActivations.Tanh(B(save, G), B(save, G));
        Multiply(B(save, F), cPrev, c);
        FusedMultiplyAdd(B(save, I), B(save, G), c, c);                  // C_t = f·C_{t-1} + i·C̃
        FusedMultiplyAdd(cell.Po.Data, c, B(save, O), B(save, O));       // o sees the new C_t
        FastActivations.Sigmoid(B(save, O), B(save, O));
        FastActivations.Tanh(c, h);
        Multiply(h, B(save, O), h);
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        if (vectorized) { BackwardVector(save, cPrev, c, dh, dc, dAx, sums); return; }
        var tc = scratch[..H];
        var s = scratch.Slice(H, H);
        ReadOnlySpan<T> f = B(save, F), i = B(save, I), g = B(save, G), o = B(save, O);
        Span<T> dF = B(dAx, F), dI = B(dAx, I), dG = B(dAx, G), dO = B(dAx, O);
        FastActivations.Tanh(c, tc);
        Multiply(dh, tc, dO);                          // dO = dh·tanh C
        SigmoidGrad(o, dO, s);
        Multiply(tc, tc, s);
        Subtract(T.One, s, s);
        Multiply(s, o, s);
        FusedMultiplyAdd(dh, s, dc, dc);               // dC += dh·o·(1 − tanh²C)
        FusedMultiplyAdd(dO, cell.Po.Data, dc, dc);    // … + dA_o·p_o
        Multiply(dc, cPrev, dF);                       // dF = dC·C_{t-1}
        SigmoidGrad(f, dF, s);
        Multiply(dc, g, dI);                           // dI = dC·C̃
        SigmoidGrad(i, dI, s);
        Multiply(dc, i, dG);                           // dC̃ = dC·i
        TanhGrad(g, dG, s);
        Multiply(dc, f, dc);
        FusedMultiplyAdd(dF, cell.Pf.Data, dc, dc);
        FusedMultiplyAdd(dI, cell.Pi.Data, dc, dc);    // dC_{t-1} = dC·f + dA_f·p_f + dA_i·p_i
        FusedMultiplyAdd(dF, cPrev, B(sums, 0), B(sums, 0));
        FusedMultiplyAdd(dI, cPrev, B(sums, 1), B(sums, 1));
        FusedMultiplyAdd(dO, c, B(sums, 2), B(sums, 2));
    }

    /// <summary>The same forward step, one vector of every gate at a time (one pass over the row).</summary>
    private void ForwardVector(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), bR = ref bias[0];
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev);
        ref T hR = ref MemoryMarshal.GetReference(h), cR = ref MemoryMarshal.GetReference(c);
        ref T pf = ref cell.Pf.Data[0], pi = ref cell.Pi.Data[0], po = ref cell.Po.Data[0];
        nuint h1 = (nuint)H, io = h1, go = 2 * h1, oo = 3 * h1;
        for (nuint j = 0; j < h1; j += (nuint)Vector512<T>.Count)
        {
            var cp = Vector512.LoadUnsafe(ref cpR, j);
            var f = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, j) + Vector512.LoadUnsafe(ref pf, j) * cp);
            var i = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, io + j) + Vector512.LoadUnsafe(ref pi, j) * cp);
            var g = FastActivations.Tanh(Pre(ref hpR, ref xpR, ref bR, go + j));
            var ct = f * cp + i * g;
            var o = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, oo + j) + Vector512.LoadUnsafe(ref po, j) * ct);
            f.StoreUnsafe(ref sR, j);
            i.StoreUnsafe(ref sR, io + j);
            g.StoreUnsafe(ref sR, go + j);
            o.StoreUnsafe(ref sR, oo + j);
            ct.StoreUnsafe(ref cR, j);
            (o * FastActivations.Tanh(ct)).StoreUnsafe(ref hR, j);
        }
    }

    /// <summary>The same backward step, one vector at a time.</summary>
    private void BackwardVector(ReadOnlySpan<T> save, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> sums)
    {
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev), cR = ref MemoryMarshal.GetReference(c);
        ref T dhR = ref MemoryMarshal.GetReference(dh), dcR = ref MemoryMarshal.GetReference(dc), dR = ref MemoryMarshal.GetReference(dAx);
        ref T pf = ref cell.Pf.Data[0], pi = ref cell.Pi.Data[0], po = ref cell.Po.Data[0], sumR = ref MemoryMarshal.GetReference(sums);
        nuint h1 = (nuint)H, io = h1, go = 2 * h1, oo = 3 * h1;
        var one = Vector512<T>.One;
        for (nuint j = 0; j < h1; j += (nuint)Vector512<T>.Count)
        {
            var f = Vector512.LoadUnsafe(ref sR, j);
            var i = Vector512.LoadUnsafe(ref sR, io + j);
            var g = Vector512.LoadUnsafe(ref sR, go + j);
            var o = Vector512.LoadUnsafe(ref sR, oo + j);
            var cp = Vector512.LoadUnsafe(ref cpR, j);
            var cv = Vector512.LoadUnsafe(ref cR, j);
            var dhv = Vector512.LoadUnsafe(ref dhR, j);
            var tc = FastActivations.Tanh(cv);
            var dO = dhv * tc * (o * (one - o));
            var dcv = Vector512.LoadUnsafe(ref dcR, j) + dhv * o * (one - tc * tc) + dO * Vector512.LoadUnsafe(ref po, j);
            var dF = (dcv * cp) * (f * (one - f));                                      // dF = dC·C_{t-1}
            var dI = (dcv * g) * (i * (one - i));                                       // dI = dC·C̃
            dF.StoreUnsafe(ref dR, j);
            dI.StoreUnsafe(ref dR, io + j);
            ((dcv * i) * (one - g * g)).StoreUnsafe(ref dR, go + j);                    // dC̃ = dC·i
            dO.StoreUnsafe(ref dR, oo + j);
            (dcv * f + dF * Vector512.LoadUnsafe(ref pf, j) + dI * Vector512.LoadUnsafe(ref pi, j)).StoreUnsafe(ref dcR, j);
            (Vector512.LoadUnsafe(ref sumR, j) + dF * cp).StoreUnsafe(ref sumR, j);
            (Vector512.LoadUnsafe(ref sumR, io + j) + dI * cp).StoreUnsafe(ref sumR, io + j);
            (Vector512.LoadUnsafe(ref sumR, go + j) + dO * cv).StoreUnsafe(ref sumR, go + j);
        }
    }

    /// <summary>In the cell's order; the peephole vectors' gradients are the sums' three blocks.</summary>
    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums) =>
    [
        Gate(dU, F, 4, dWx, F), Bias(sums, 0), Bias(dbx, F),
        Gate(dU, I, 4, dWx, I), Bias(sums, 1), Bias(dbx, I),
        Gate(dU, G, 4, dWx, G), Bias(dbx, G),
        Gate(dU, O, 4, dWx, O), Bias(sums, 2), Bias(dbx, O),
    ];
}
