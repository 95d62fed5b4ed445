using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static System.Numerics.Tensors.TensorPrimitives;

namespace AutoGradRnn;

/// <summary>
/// The LSTM (and the coupled LSTM) as one fused kernel. Gate blocks in the projections: f, i, C̃, o
/// (coupled: f, C̃, o). Forward, per row: a = h_{t-1}·U + x_t·Wx + b; f, i, o = σ(a); C̃ = tanh(a);
/// C_t = f·C_{t-1} + i·C̃ (coupled: C̃ + f·(C_{t-1} − C̃)); h_t = o·tanh(C_t).
/// Backward (dh, dC given): dO = dh·tanh C_t; dC += dh·o·(1 − tanh²C_t); dF = dC·C_{t-1}; dI = dC·C̃;
/// dC̃ = dC·i (coupled: dF = dC·(C_{t-1} − C̃), dC̃ = dC·(1 − f)); each through its activation's
/// derivative; dC_{t-1} = dC·f.
/// </summary>
internal sealed class LstmKernel<T> : FusedCellKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] weights, biases;
    private readonly bool coupled;
    private readonly T[] bias;
    private readonly int fB, iB, gB, oB;

    public LstmKernel(Lstm<T> cell) : this("lstm (fused)", [cell.Wf, cell.Wi, cell.Wc, cell.Wo], [cell.Bf, cell.Bi, cell.Bc, cell.Bo], false) { }
    public LstmKernel(CoupledLstm<T> cell) : this("coupled lstm (fused)", [cell.Wf, cell.Wc, cell.Wo], [cell.Bf, cell.Bc, cell.Bo], true) { }

    private LstmKernel(string name, Tensor<T>[] w, Tensor<T>[] b, bool coupled)
        : base(new KernelLayout(name, H: b[0].Shape[0], D: w[0].Shape[0] - b[0].Shape[0])
            { InputBlocks = w.Length, RecurrentBlocks = w.Length, SavedPerRow = w.Length * b[0].Shape[0], HasC = true })
    {
        (weights, biases, this.coupled) = (w, b, coupled);
        vectorized = FastActivations.Vectorized<T>(H);
        (fB, iB, gB, oB) = coupled ? (0, -1, 1, 2) : (0, 1, 2, 3);
        bias = b.SelectMany(x => x.Data).ToArray();
    }

    public override Tensor<T>[] Parameters => [.. weights.Zip(biases).SelectMany(p => new[] { p.First, p.Second })];

    public override void BuildWx(T[] wx) { for (int g = 0; g < Gx; g++) Place(weights[g], false, wx, g, Gx); }
    public override void BuildU(T[] u) { for (int g = 0; g < Gu; g++) Place(weights[g], true, u, g, Gu); }

    private readonly bool vectorized;

    /// <summary>The one-pass backward reads f, i, C̃, o of a vector before writing their gradients in the same slots.</summary>
    public override bool GradientsOverSaved => vectorized;

    public override bool HasDirectH => false;

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        if (vectorized) { ForwardVector(hp, xp, cPrev, save, h, c); return; }
        Add(hp, xp, save);
        Add(save, bias, save);
        if (coupled) FastActivations.Sigmoid(B(save, fB), B(save, fB));
        else FastActivations.Sigmoid(save[..(2 * H)], save[..(2 * H)]);
        FastActivations.Tanh(B(save, gB), B(save, gB));
        FastActivations.Sigmoid(B(save, oB), B(save, oB));
        var f = B(save, fB);
        var g = B(save, gB);
        if (coupled)
        {
            Subtract(cPrev, g, c);              // C_{t-1} − C̃
            FusedMultiplyAdd(f, c, g, c);        // C̃ + f·(C_{t-1} − C̃)
        }
        else
        {
            Multiply(f, cPrev, c);
            FusedMultiplyAdd(B(save, iB), g, c, c);
        }
        FastActivations.Tanh(c, h);
        Multiply(h, B(save, oB), h);
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        if (vectorized) { BackwardVector(save, cPrev, c, dh, dc, dAx); return; }
        var tc = scratch[..H];
        var s = scratch.Slice(H, H);
        var s2 = scratch.Slice(2 * H, H);
        ReadOnlySpan<T> f = B(save, fB), g = B(save, gB), o = B(save, oB);
        FastActivations.Tanh(c, tc);
        Multiply(dh, tc, B(dAx, oB));                  // dO = dh·tanh C
        SigmoidGrad(o, B(dAx, oB), s);
        Multiply(tc, tc, s);
        Subtract(T.One, s, s);
        Multiply(s, o, s);
        FusedMultiplyAdd(dh, s, dc, dc);               // dC += dh·o·(1 − tanh²C)
        if (coupled)
        {
            Subtract(cPrev, g, B(dAx, fB));
            Multiply(B(dAx, fB), dc, B(dAx, fB));      // dF = dC·(C_{t-1} − C̃)
            Subtract(T.One, f, B(dAx, gB));
            Multiply(B(dAx, gB), dc, B(dAx, gB));      // dC̃ = dC·(1 − f)
        }
        else
        {
            var i = B(save, iB);
            Multiply(dc, cPrev, B(dAx, fB));           // dF = dC·C_{t-1}
            Multiply(dc, g, B(dAx, iB));               // dI = dC·C̃
            SigmoidGrad(i, B(dAx, iB), s2);
            Multiply(dc, i, B(dAx, gB));               // dC̃ = dC·i
        }
        SigmoidGrad(f, B(dAx, fB), s2);
        TanhGrad(g, B(dAx, gB), s2);
        Multiply(dc, f, dc);                           // dC_{t-1} = dC·f
    }

    /// <summary>The same forward step, one vector of every gate at a time (one pass over the row).</summary>
    private void ForwardVector(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), bR = ref bias[0];
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev);
        ref T hR = ref MemoryMarshal.GetReference(h), cR = ref MemoryMarshal.GetReference(c);
        nuint fo = (nuint)(fB * H), go = (nuint)(gB * H), oo = (nuint)(oB * H), io = (nuint)(Math.Max(iB, 0) * H);
        for (nuint j = 0; j < (nuint)H; j += (nuint)Vector512<T>.Count)
        {
            var f = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, fo + j));
            var g = FastActivations.Tanh(Pre(ref hpR, ref xpR, ref bR, go + j));
            var o = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, oo + j));
            var cp = Vector512.LoadUnsafe(ref cpR, j);
            Vector512<T> cell;
            if (coupled) cell = g + f * (cp - g);
            else
            {
                var i = FastActivations.Sigmoid(Pre(ref hpR, ref xpR, ref bR, io + j));
                i.StoreUnsafe(ref sR, io + j);
                cell = f * cp + i * g;
            }
            f.StoreUnsafe(ref sR, fo + j);
            g.StoreUnsafe(ref sR, go + j);
            o.StoreUnsafe(ref sR, oo + j);
            cell.StoreUnsafe(ref cR, j);
            (o * FastActivations.Tanh(cell)).StoreUnsafe(ref hR, j);
        }
    }

    /// <summary>The same backward step, one vector at a time.</summary>
    private void BackwardVector(ReadOnlySpan<T> save, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx)
    {
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev), cR = ref MemoryMarshal.GetReference(c);
        ref T dhR = ref MemoryMarshal.GetReference(dh), dcR = ref MemoryMarshal.GetReference(dc), dR = ref MemoryMarshal.GetReference(dAx);
        nuint fo = (nuint)(fB * H), go = (nuint)(gB * H), oo = (nuint)(oB * H), io = (nuint)(Math.Max(iB, 0) * H);
        var one = Vector512<T>.One;
        for (nuint j = 0; j < (nuint)H; j += (nuint)Vector512<T>.Count)
        {
            var f = Vector512.LoadUnsafe(ref sR, fo + j);
            var g = Vector512.LoadUnsafe(ref sR, go + j);
            var o = Vector512.LoadUnsafe(ref sR, oo + j);
            var cp = Vector512.LoadUnsafe(ref cpR, j);
            var dhv = Vector512.LoadUnsafe(ref dhR, j);
            var tc = FastActivations.Tanh(Vector512.LoadUnsafe(ref cR, j));
            (dhv * tc * (o * (one - o))).StoreUnsafe(ref dR, oo + j);                    // dO·o(1 − o)
            var dcv = Vector512.LoadUnsafe(ref dcR, j) + dhv * o * (one - tc * tc);       // dC += dh·o·(1 − tanh²C)
            var dg = one - g * g;
            if (coupled)
            {
                ((dcv * (cp - g)) * (f * (one - f))).StoreUnsafe(ref dR, fo + j);       // dF = dC·(C_{t-1} − C̃)
                ((dcv * (one - f)) * dg).StoreUnsafe(ref dR, go + j);                    // dC̃ = dC·(1 − f)
            }
            else
            {
                var i = Vector512.LoadUnsafe(ref sR, io + j);
                ((dcv * cp) * (f * (one - f))).StoreUnsafe(ref dR, fo + j);             // dF = dC·C_{t-1}
                ((dcv * g) * (i * (one - i))).StoreUnsafe(ref dR, io + j);              // dI = dC·C̃
                ((dcv * i) * dg).StoreUnsafe(ref dR, go + j);                            // dC̃ = dC·i
            }
            (dcv * f).StoreUnsafe(ref dcR, j);                                            // dC_{t-1} = dC·f
        }
    }

    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums) =>
        [.. Enumerable.Range(0, Gx).SelectMany(g => new[] { Gate(dU, g, Gu, dWx, g), Bias(dbx, g) })];
}

/// <summary>The essay's single tanh layer fused: h_t = tanh(h_{t-1}·U + x_t·Wx + b); dA = dh·(1 − h_t²).</summary>
internal sealed class RnnKernel<T>(Rnn<T> cell)
    : FusedCellKernel<T>(new KernelLayout("rnn (fused)", cell.OutputSize, cell.InputSize) { InputBlocks = 1, RecurrentBlocks = 1, SavedPerRow = 0 })
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override Tensor<T>[] Parameters => [cell.W, cell.B];
    public override bool HasDirectH => false;
    public override void BuildWx(T[] wx) => Place(cell.W, false, wx, 0, 1);
    public override void BuildU(T[] u) => Place(cell.W, true, u, 0, 1);

    private readonly bool vectorized = FastActivations.Vectorized<T>(cell.B.Shape[0]);

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        if (vectorized)
        {
            ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), bR = ref cell.B.Data[0], hR = ref MemoryMarshal.GetReference(h);
            for (nuint j = 0; j < (nuint)H; j += (nuint)Vector512<T>.Count)
                FastActivations.Tanh(Vector512.LoadUnsafe(ref hpR, j) + Vector512.LoadUnsafe(ref xpR, j) + Vector512.LoadUnsafe(ref bR, j)).StoreUnsafe(ref hR, j);
            return;
        }
        Add(hp, xp, h);
        Add(h, cell.B.Data, h);
        FastActivations.Tanh(h, h);
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        if (vectorized)
        {
            ref T dhR = ref MemoryMarshal.GetReference(dh), hR = ref MemoryMarshal.GetReference(h), dR = ref MemoryMarshal.GetReference(dAx);
            for (nuint j = 0; j < (nuint)H; j += (nuint)Vector512<T>.Count)
            {
                var hv = Vector512.LoadUnsafe(ref hR, j);
                (Vector512.LoadUnsafe(ref dhR, j) * (Vector512<T>.One - hv * hv)).StoreUnsafe(ref dR, j);
            }
            return;
        }
        dh.CopyTo(dAx);
        TanhGrad(h, dAx, scratch[..H]);
    }

    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums) => [Gate(dU, 0, 1, dWx, 0), Bias(dbx, 0)];

    public override bool StackedWeight => true;
    public override Tensor<T>[] StackedParameterGradients(T[] dW, T[] db) => [new Tensor<T>(dW, cell.W.Shape), Bias(db, 0)];
}

/// <summary>
/// PyTorch's GRU fused (blocks r, z, n). Forward: r, z = σ(a); hn = h_{t-1}·U_n + b_nh (saved);
/// n = tanh(x_t·W_nx + b_nx + r·hn); h_t = n + z·(h_{t-1} − n). Saved per row: r, z, n, hn.
/// Backward: dn = dh·(1 − z); dA_n = dn·(1 − n²); dA_r = dA_n·hn·r(1 − r); dA_z = dh·(h_{t-1} − n)·z(1 − z);
/// the recurrent product's n block receives dA_n·r (so dAh ≠ dAx there); dh_{t-1} gets dh·z directly.
/// A dA row is [dA_r, dA_z, dA_n·r, dA_n] (4·H, the saved row's size): its first 3·H values are dA for U, and blocks
/// 0, 1 and 3 are dA for Wx (<see cref="XTailOffset"/>), so one-pass backward writes it over the saved row.
/// </summary>
internal sealed class GruResetAfterKernel<T>(GruResetAfter<T> cell)
    : FusedCellKernel<T>(new KernelLayout("gru reset-after (fused)", cell.OutputSize, cell.InputSize)
        { InputBlocks = 3, RecurrentBlocks = 3, SavedPerRow = 4 * cell.OutputSize })
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int XTailOffset => 3 * H;

    /// <summary>The one-pass backward reads r, z, n, hn of a vector before writing their gradients in the same slots.</summary>
    public override bool GradientsOverSaved => vectorized;

    private readonly T[] biasRz = [.. cell.Br.Data, .. cell.Bz.Data];
    private readonly bool vectorized = FastActivations.Vectorized<T>(cell.Bz.Shape[0]);

    public override Tensor<T>[] Parameters => [cell.Wr, cell.Br, cell.Wz, cell.Bz, cell.Wnx, cell.Bnx, cell.Wnh, cell.Bnh];

    /// <summary>The forward step in one pass, one vector of each block at a time.</summary>
    private void ForwardVector(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, Span<T> save, Span<T> h)
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), hpvR = ref MemoryMarshal.GetReference(hPrev);
        ref T sR = ref MemoryMarshal.GetReference(save), hR = ref MemoryMarshal.GetReference(h);
        ref T brz = ref biasRz[0], bnx = ref cell.Bnx.Data[0], bnh = ref cell.Bnh.Data[0];
        nuint h1 = (nuint)H, h2 = 2 * h1, h3 = 3 * h1;
        for (nuint j = 0; j < h1; j += (nuint)Vector512<T>.Count)
        {
            var r = FastActivations.Sigmoid(Vector512.LoadUnsafe(ref hpR, j) + Vector512.LoadUnsafe(ref xpR, j) + Vector512.LoadUnsafe(ref brz, j));
            var z = FastActivations.Sigmoid(Vector512.LoadUnsafe(ref hpR, h1 + j) + Vector512.LoadUnsafe(ref xpR, h1 + j) + Vector512.LoadUnsafe(ref brz, h1 + j));
            var hn = Vector512.LoadUnsafe(ref hpR, h2 + j) + Vector512.LoadUnsafe(ref bnh, j);
            var n = FastActivations.Tanh(Vector512.LoadUnsafe(ref xpR, h2 + j) + Vector512.LoadUnsafe(ref bnx, j) + r * hn);
            r.StoreUnsafe(ref sR, j);
            z.StoreUnsafe(ref sR, h1 + j);
            n.StoreUnsafe(ref sR, h2 + j);
            hn.StoreUnsafe(ref sR, h3 + j);
            (n + z * (Vector512.LoadUnsafe(ref hpvR, j) - n)).StoreUnsafe(ref hR, j);
        }
    }

    /// <summary>The backward step in one pass (every value of a vector is read before its gradient is written: dA may be the saved row).</summary>
    private void BackwardVector(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dA, Span<T> dhDirect)
    {
        ref T sR = ref MemoryMarshal.GetReference(save), hpvR = ref MemoryMarshal.GetReference(hPrev), dhR = ref MemoryMarshal.GetReference(dh);
        ref T dR = ref MemoryMarshal.GetReference(dA), ddR = ref MemoryMarshal.GetReference(dhDirect);
        nuint h1 = (nuint)H, h2 = 2 * h1, h3 = 3 * h1;
        var one = Vector512<T>.One;
        for (nuint j = 0; j < h1; j += (nuint)Vector512<T>.Count)
        {
            var r = Vector512.LoadUnsafe(ref sR, j);
            var z = Vector512.LoadUnsafe(ref sR, h1 + j);
            var n = Vector512.LoadUnsafe(ref sR, h2 + j);
            var hn = Vector512.LoadUnsafe(ref sR, h3 + j);
            var d = Vector512.LoadUnsafe(ref dhR, j);
            var dAn = d * (one - z) * (one - n * n);
            var dAr = dAn * hn * (r * (one - r));
            var dAz = d * (Vector512.LoadUnsafe(ref hpvR, j) - n) * (z * (one - z));
            dAr.StoreUnsafe(ref dR, j);
            dAz.StoreUnsafe(ref dR, h1 + j);
            (dAn * r).StoreUnsafe(ref dR, h2 + j);
            dAn.StoreUnsafe(ref dR, h3 + j);
            (d * z).StoreUnsafe(ref ddR, j);
        }
    }

    public override void BuildWx(T[] wx)
    {
        Place(cell.Wr, false, wx, 0, 3);
        Place(cell.Wz, false, wx, 1, 3);
        PlaceAll(cell.Wnx, wx, 2, 3);
    }

    public override void BuildU(T[] u)
    {
        Place(cell.Wr, true, u, 0, 3);
        Place(cell.Wz, true, u, 1, 3);
        PlaceAll(cell.Wnh, u, 2, 3);
    }

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        if (vectorized) { ForwardVector(hp, xp, hPrev, save, h); return; }
        var rz = save[..(2 * H)];
        Add(hp[..(2 * H)], xp[..(2 * H)], rz);
        Add(rz, biasRz, rz);
        FastActivations.Sigmoid(rz, rz);
        Span<T> r = B(save, 0), z = B(save, 1), n = B(save, 2), hn = B(save, 3);
        Add(B(hp, 2), cell.Bnh.Data, hn);              // hn = h_{t-1}·W_nh + b_nh
        FusedMultiplyAdd(r, hn, B(xp, 2), n);          // x·W_nx + r·hn
        Add(n, cell.Bnx.Data, n);
        FastActivations.Tanh(n, n);
        Subtract(hPrev, n, h);
        FusedMultiplyAdd(z, h, n, h);                  // n + z·(h_{t-1} − n)
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        // dAx is the whole row [dA_r, dA_z, dA_n·r, dA_n]; dAh, its first 3·H values, needs no writes of its own.
        if (vectorized) { BackwardVector(save, hPrev, dh, dAx, dhDirect); return; }
        ReadOnlySpan<T> r = B(save, 0), z = B(save, 1), n = B(save, 2), hn = B(save, 3);
        var s = scratch[..H];
        var dAn = B(dAx, 3);
        Subtract(T.One, z, dAn);
        Multiply(dAn, dh, dAn);                        // dn = dh·(1 − z)
        TanhGrad(n, dAn, s);
        Multiply(dAn, hn, B(dAx, 0));                  // dr = dA_n·hn
        SigmoidGrad(r, B(dAx, 0), s);
        Subtract(hPrev, n, B(dAx, 1));
        Multiply(B(dAx, 1), dh, B(dAx, 1));            // dz = dh·(h_{t-1} − n)
        SigmoidGrad(z, B(dAx, 1), s);
        Multiply(dAn, r, B(dAx, 2));                   // the recurrent product sees r·dA_n
        Multiply(dh, z, dhDirect);                     // h_t = … + z·h_{t-1}
    }

    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums) =>
    [
        Gate(dU, 0, 3, dWx, 0), Bias(dbx, 0),
        Gate(dU, 1, 3, dWx, 1), Bias(dbx, 1),
        Block(dWx, D, 2, 3), Bias(dbx, 2),
        Block(dU, H, 2, 3), Bias(dbh, 2),
    ];
}

/// <summary>
/// The essay's GRU fused (Wx blocks z, r, h̃; U blocks z, r; U2 = the candidate's h-rows, applied to r·h_{t-1}).
/// Forward: z, r = σ(a); rh = r·h_{t-1} (saved); h̃ = tanh(x_t·W_x + rh·U2 + b); h_t = h_{t-1} + z·(h̃ − h_{t-1}).
/// Backward: dA_h̃ = dh·z·(1 − h̃²); dA_z = dh·(h̃ − h_{t-1})·z(1 − z); d(rh) = dA_h̃·U2ᵀ;
/// dA_r = d(rh)·h_{t-1}·r(1 − r); dh_{t-1} gets dh·(1 − z) + d(rh)·r directly.
/// </summary>
internal sealed class GruKernel<T>(Gru<T> cell)
    : FusedCellKernel<T>(new KernelLayout("gru (fused)", cell.OutputSize, cell.InputSize)
        { InputBlocks = 3, RecurrentBlocks = 2, SavedPerRow = 4 * cell.OutputSize, U2SaveOffset = 3 * cell.OutputSize })
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] biasZr = [.. cell.Bz.Data, .. cell.Br.Data];

    public override Tensor<T>[] Parameters => [cell.Wz, cell.Bz, cell.Wr, cell.Br, cell.W, cell.B];

    public override void BuildWx(T[] wx)
    {
        Place(cell.Wz, false, wx, 0, 3);
        Place(cell.Wr, false, wx, 1, 3);
        Place(cell.W, false, wx, 2, 3);
    }

    public override void BuildU(T[] u)
    {
        Place(cell.Wz, true, u, 0, 2);
        Place(cell.Wr, true, u, 1, 2);
    }

    public override void BuildU2(T[] u2) => Place(cell.W, true, u2, 0, 1);

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        var zr = save[..(2 * H)];
        Add(hp, xp[..(2 * H)], zr);
        Add(zr, biasZr, zr);
        FastActivations.Sigmoid(zr, zr);
        Multiply(B(save, 1), hPrev, B(save, 3));       // rh = r·h_{t-1}
    }

    public override void Forward2(ReadOnlySpan<T> hp2, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, Span<T> save, Span<T> h)
    {
        var hc = B(save, 2);
        Add(hp2, B(xp, 2), hc);
        Add(hc, cell.B.Data, hc);
        FastActivations.Tanh(hc, hc);
        Subtract(hc, hPrev, h);
        FusedMultiplyAdd(B(save, 0), h, hPrev, h);    // h_{t-1} + z·(h̃ − h_{t-1})
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        ReadOnlySpan<T> z = B(save, 0), hc = B(save, 2);
        var s = scratch[..H];
        Multiply(dh, z, B(dAx, 2));                    // dh̃ = dh·z
        TanhGrad(hc, B(dAx, 2), s);
        Subtract(hc, hPrev, B(dAx, 0));
        Multiply(B(dAx, 0), dh, B(dAx, 0));            // dz = dh·(h̃ − h_{t-1})
        SigmoidGrad(z, B(dAx, 0), s);
        B(dAx, 1).Clear();                             // dA_r needs d(rh): Backward2
        Subtract(T.One, z, dhDirect);
        Multiply(dhDirect, dh, dhDirect);              // dh·(1 − z)
    }

    public override void Backward2(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> d2, Span<T> dAx, Span<T> dhDirect, Span<T> scratch)
    {
        var r = B(save, 1);
        FusedMultiplyAdd(d2, r, dhDirect, dhDirect);   // + d(rh)·r
        Multiply(d2, hPrev, B(dAx, 1));                // dr = d(rh)·h_{t-1}
        SigmoidGrad(r, B(dAx, 1), scratch[..H]);
    }

    public override Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums) =>
    [
        Gate(dU, 0, 2, dWx, 0), Bias(dbx, 0),
        Gate(dU, 1, 2, dWx, 1), Bias(dbx, 1),
        Gate(dU2!, 0, 1, dWx, 2), Bias(dbx, 2),
    ];
}
