using System.Numerics;
using System.Runtime.CompilerServices;
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
/// derivative; dC_{t-1} = dC·f. Each step is written once, one vector of every gate at a time (<see cref="FusedCellKernel{T}.Width"/>).
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
        (fB, iB, gB, oB) = coupled ? (0, -1, 1, 2) : (0, 1, 2, 3);
        bias = b.SelectMany(x => x.Data).ToArray();
    }

    /// <summary>Where each gate's block starts in a row (i: 0 for the coupled LSTM, which has none and never reads it).</summary>
    private readonly record struct GateOffsets(nuint F, nuint I, nuint G, nuint O);

    private GateOffsets Offsets => new((nuint)(fB * H), (nuint)(Math.Max(iB, 0) * H), (nuint)(gB * H), (nuint)(oB * H));

    public override Tensor<T>[] Parameters => [.. weights.Zip(biases).SelectMany(p => new[] { p.First, p.Second })];

    public override void BuildWx(T[] wx) { for (int g = 0; g < Gx; g++) Place(weights[g], false, wx, g, Gx); }
    public override void BuildU(T[] u) { for (int g = 0; g < Gu; g++) Place(weights[g], true, u, g, Gu); }

    /// <summary>The backward step reads f, i, C̃, o of a vector before writing their gradients in the same slots.</summary>
    public override bool GradientsOverSaved => true;

    public override bool HasDirectH => false;

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        switch (Width)
        {
            case 512: Forward<V512<T>>(hp, xp, cPrev, save, h, c); break;
            case 256: Forward<V256<T>>(hp, xp, cPrev, save, h, c); break;
            default: Forward<V128<T>>(hp, xp, cPrev, save, h, c); break;
        }
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        switch (Width)
        {
            case 512: Backward<V512<T>>(save, cPrev, c, dh, dc, dAx); break;
            case 256: Backward<V256<T>>(save, cPrev, c, dh, dc, dAx); break;
            default: Backward<V128<T>>(save, cPrev, c, dh, dc, dAx); break;
        }
    }

    private void Forward<V>(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
        where V : struct, ISimdVector<V, T>
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), bR = ref bias[0];
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev);
        ref T hR = ref MemoryMarshal.GetReference(h), cR = ref MemoryMarshal.GetReference(c);
        var at = Offsets;
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) ForwardAt<V, Whole<V, T>>(default, at, ref hpR, ref xpR, ref bR, ref sR, ref cpR, ref hR, ref cR, j);
        if (j < n) ForwardTail<V>((int)(n - j), at, ref hpR, ref xpR, ref bR, ref sR, ref cpR, ref hR, ref cR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ForwardTail<V>(int count, GateOffsets at, ref T hp, ref T xp, ref T b, ref T s, ref T cpR, ref T hR, ref T cR, nuint j) where V : struct, ISimdVector<V, T> =>
        ForwardAt<V, Part<V, T>>(new(count), at, ref hp, ref xp, ref b, ref s, ref cpR, ref hR, ref cR, j);

    /// <summary>The forward step at one vector <paramref name="j"/> of every gate (the row's last vector padded by <see cref="Part{V, T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardAt<V, A>(A a, GateOffsets at, ref T hp, ref T xp, ref T b, ref T s, ref T cpR, ref T hR, ref T cR, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint fo = at.F + j, go = at.G + j, oo = at.O + j, io = at.I + j;
        var f = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hp, ref xp, ref b, fo));
        var g = FastActivations.Tanh<V, T>(Pre<V, A>(a, ref hp, ref xp, ref b, go));
        var o = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hp, ref xp, ref b, oo));
        var cp = a.Load(ref cpR, j);
        V cell;
        if (coupled) cell = g + f * (cp - g);
        else
        {
            var i = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hp, ref xp, ref b, io));
            a.Store(i, ref s, io);
            cell = f * cp + i * g;
        }
        a.Store(f, ref s, fo);
        a.Store(g, ref s, go);
        a.Store(o, ref s, oo);
        a.Store(cell, ref cR, j);
        a.Store(o * FastActivations.Tanh<V, T>(cell), ref hR, j);
    }

    private void Backward<V>(ReadOnlySpan<T> save, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx)
        where V : struct, ISimdVector<V, T>
    {
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev), cR = ref MemoryMarshal.GetReference(c);
        ref T dhR = ref MemoryMarshal.GetReference(dh), dcR = ref MemoryMarshal.GetReference(dc), dR = ref MemoryMarshal.GetReference(dAx);
        var at = Offsets;
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) BackwardAt<V, Whole<V, T>>(default, at, ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, j);
        if (j < n) BackwardTail<V>((int)(n - j), at, ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void BackwardTail<V>(int count, GateOffsets at, ref T sR, ref T cpR, ref T cR, ref T dhR, ref T dcR, ref T dR, nuint j) where V : struct, ISimdVector<V, T> =>
        BackwardAt<V, Part<V, T>>(new(count), at, ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, j);

    /// <summary>The backward step at one vector <paramref name="j"/> (every saved value is read before its gradient's slot is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BackwardAt<V, A>(A a, GateOffsets at, ref T sR, ref T cpR, ref T cR, ref T dhR, ref T dcR, ref T dR, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint fo = at.F + j, go = at.G + j, oo = at.O + j, io = at.I + j;
        var one = V.One;
        var f = a.Load(ref sR, fo);
        var g = a.Load(ref sR, go);
        var o = a.Load(ref sR, oo);
        var cp = a.Load(ref cpR, j);
        var dhv = a.Load(ref dhR, j);
        var tc = FastActivations.Tanh<V, T>(a.Load(ref cR, j));
        a.Store(dhv * tc * (o * (one - o)), ref dR, oo);                    // dO·o(1 − o)
        var dcv = a.Load(ref dcR, j) + dhv * o * (one - tc * tc);           // dC += dh·o·(1 − tanh²C)
        var dg = one - g * g;
        if (coupled)
        {
            a.Store((dcv * (cp - g)) * (f * (one - f)), ref dR, fo);        // dF = dC·(C_{t-1} − C̃)
            a.Store((dcv * (one - f)) * dg, ref dR, go);                    // dC̃ = dC·(1 − f)
        }
        else
        {
            var i = a.Load(ref sR, io);
            a.Store((dcv * cp) * (f * (one - f)), ref dR, fo);              // dF = dC·C_{t-1}
            a.Store((dcv * g) * (i * (one - i)), ref dR, io);               // dI = dC·C̃
            a.Store((dcv * i) * dg, ref dR, go);                            // dC̃ = dC·i
        }
        a.Store(dcv * f, ref dcR, j);                                       // dC_{t-1} = dC·f
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

    public override void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
    {
        switch (Width)
        {
            case 512: Forward<V512<T>>(hp, xp, h); break;
            case 256: Forward<V256<T>>(hp, xp, h); break;
            default: Forward<V128<T>>(hp, xp, h); break;
        }
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        switch (Width)
        {
            case 512: Backward<V512<T>>(h, dh, dAx); break;
            case 256: Backward<V256<T>>(h, dh, dAx); break;
            default: Backward<V128<T>>(h, dh, dAx); break;
        }
    }

    private void Forward<V>(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, Span<T> h) where V : struct, ISimdVector<V, T>
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), bR = ref cell.B.Data[0], hR = ref MemoryMarshal.GetReference(h);
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) ForwardAt<V, Whole<V, T>>(default, ref hpR, ref xpR, ref bR, ref hR, j);
        if (j < n) ForwardTail<V>((int)(n - j), ref hpR, ref xpR, ref bR, ref hR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardTail<V>(int count, ref T hp, ref T xp, ref T b, ref T hR, nuint j) where V : struct, ISimdVector<V, T> =>
        ForwardAt<V, Part<V, T>>(new(count), ref hp, ref xp, ref b, ref hR, j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt<V, A>(A a, ref T hp, ref T xp, ref T b, ref T hR, nuint j) where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T> =>
        a.Store(FastActivations.Tanh<V, T>(Pre<V, A>(a, ref hp, ref xp, ref b, j)), ref hR, j);

    private void Backward<V>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dAx) where V : struct, ISimdVector<V, T>
    {
        ref T dhR = ref MemoryMarshal.GetReference(dh), hR = ref MemoryMarshal.GetReference(h), dR = ref MemoryMarshal.GetReference(dAx);
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) BackwardAt<V, Whole<V, T>>(default, ref hR, ref dhR, ref dR, j);
        if (j < n) BackwardTail<V>((int)(n - j), ref hR, ref dhR, ref dR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BackwardTail<V>(int count, ref T hR, ref T dhR, ref T dR, nuint j) where V : struct, ISimdVector<V, T> =>
        BackwardAt<V, Part<V, T>>(new(count), ref hR, ref dhR, ref dR, j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt<V, A>(A a, ref T hR, ref T dhR, ref T dR, nuint j) where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        var hv = a.Load(ref hR, j);
        a.Store(a.Load(ref dhR, j) * (V.One - hv * hv), ref dR, j);      // dh·(1 − h²)
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
/// 0, 1 and 3 are dA for Wx (<see cref="XTailOffset"/>), so the backward step writes it over the saved row.
/// </summary>
internal sealed class GruResetAfterKernel<T>(GruResetAfter<T> cell)
    : FusedCellKernel<T>(new KernelLayout("gru reset-after (fused)", cell.OutputSize, cell.InputSize)
        { InputBlocks = 3, RecurrentBlocks = 3, SavedPerRow = 4 * cell.OutputSize })
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override int XTailOffset => 3 * H;

    /// <summary>The backward step reads r, z, n, hn of a vector before writing their gradients in the same slots.</summary>
    public override bool GradientsOverSaved => true;

    private readonly T[] biasRz = [.. cell.Br.Data, .. cell.Bz.Data];

    public override Tensor<T>[] Parameters => [cell.Wr, cell.Br, cell.Wz, cell.Bz, cell.Wnx, cell.Bnx, cell.Wnh, cell.Bnh];

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
        switch (Width)
        {
            case 512: Forward<V512<T>>(hp, xp, hPrev, save, h); break;
            case 256: Forward<V256<T>>(hp, xp, hPrev, save, h); break;
            default: Forward<V128<T>>(hp, xp, hPrev, save, h); break;
        }
    }

    public override void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums)
    {
        // dAx is the whole row [dA_r, dA_z, dA_n·r, dA_n]; dAh, its first 3·H values, needs no writes of its own.
        switch (Width)
        {
            case 512: Backward<V512<T>>(save, hPrev, dh, dAx, dhDirect); break;
            case 256: Backward<V256<T>>(save, hPrev, dh, dAx, dhDirect); break;
            default: Backward<V128<T>>(save, hPrev, dh, dAx, dhDirect); break;
        }
    }

    private void Forward<V>(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, Span<T> save, Span<T> h) where V : struct, ISimdVector<V, T>
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp), hpvR = ref MemoryMarshal.GetReference(hPrev);
        ref T sR = ref MemoryMarshal.GetReference(save), hR = ref MemoryMarshal.GetReference(h);
        ref T brz = ref biasRz[0], bnx = ref cell.Bnx.Data[0], bnh = ref cell.Bnh.Data[0];
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) ForwardAt<V, Whole<V, T>>(default, ref hpR, ref xpR, ref hpvR, ref brz, ref bnx, ref bnh, ref sR, ref hR, j);
        if (j < n) ForwardTail<V>((int)(n - j), ref hpR, ref xpR, ref hpvR, ref brz, ref bnx, ref bnh, ref sR, ref hR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ForwardTail<V>(int count, ref T hpR, ref T xpR, ref T hpvR, ref T brz, ref T bnx, ref T bnh, ref T sR, ref T hR, nuint j) where V : struct, ISimdVector<V, T> =>
        ForwardAt<V, Part<V, T>>(new(count), ref hpR, ref xpR, ref hpvR, ref brz, ref bnx, ref bnh, ref sR, ref hR, j);

    /// <summary>The forward step at one vector <paramref name="j"/> of each block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardAt<V, A>(A a, ref T hpR, ref T xpR, ref T hpvR, ref T brz, ref T bnx, ref T bnh, ref T sR, ref T hR, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint h1 = (nuint)H, h2 = 2 * h1, h3 = 3 * h1;
        var r = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref brz, j));
        var z = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref brz, h1 + j));
        var hn = a.Load(ref hpR, h2 + j) + a.Load(ref bnh, j);
        var n = FastActivations.Tanh<V, T>(a.Load(ref xpR, h2 + j) + a.Load(ref bnx, j) + r * hn);
        a.Store(r, ref sR, j);
        a.Store(z, ref sR, h1 + j);
        a.Store(n, ref sR, h2 + j);
        a.Store(hn, ref sR, h3 + j);
        a.Store(n + z * (a.Load(ref hpvR, j) - n), ref hR, j);
    }

    private void Backward<V>(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dA, Span<T> dhDirect) where V : struct, ISimdVector<V, T>
    {
        ref T sR = ref MemoryMarshal.GetReference(save), hpvR = ref MemoryMarshal.GetReference(hPrev), dhR = ref MemoryMarshal.GetReference(dh);
        ref T dR = ref MemoryMarshal.GetReference(dA), ddR = ref MemoryMarshal.GetReference(dhDirect);
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) BackwardAt<V, Whole<V, T>>(default, ref sR, ref hpvR, ref dhR, ref dR, ref ddR, j);
        if (j < n) BackwardTail<V>((int)(n - j), ref sR, ref hpvR, ref dhR, ref dR, ref ddR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void BackwardTail<V>(int count, ref T sR, ref T hpvR, ref T dhR, ref T dR, ref T ddR, nuint j) where V : struct, ISimdVector<V, T> =>
        BackwardAt<V, Part<V, T>>(new(count), ref sR, ref hpvR, ref dhR, ref dR, ref ddR, j);

    /// <summary>The backward step at one vector <paramref name="j"/> (every value is read before its gradient is written: dA may be the saved row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BackwardAt<V, A>(A a, ref T sR, ref T hpvR, ref T dhR, ref T dR, ref T ddR, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint h1 = (nuint)H, h2 = 2 * h1, h3 = 3 * h1;
        var one = V.One;
        var r = a.Load(ref sR, j);
        var z = a.Load(ref sR, h1 + j);
        var n = a.Load(ref sR, h2 + j);
        var hn = a.Load(ref sR, h3 + j);
        var d = a.Load(ref dhR, j);
        var dAn = d * (one - z) * (one - n * n);
        var dAr = dAn * hn * (r * (one - r));
        var dAz = d * (a.Load(ref hpvR, j) - n) * (z * (one - z));
        a.Store(dAr, ref dR, j);
        a.Store(dAz, ref dR, h1 + j);
        a.Store(dAn * r, ref dR, h2 + j);
        a.Store(dAn, ref dR, h3 + j);
        a.Store(d * z, ref ddR, j);
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
        FastActivations.Sigmoid(zr, zr, Width);
        Multiply(B(save, 1), hPrev, B(save, 3));       // rh = r·h_{t-1}
    }

    public override void Forward2(ReadOnlySpan<T> hp2, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, Span<T> save, Span<T> h)
    {
        var hc = B(save, 2);
        Add(hp2, B(xp, 2), hc);
        Add(hc, cell.B.Data, hc);
        FastActivations.Tanh(hc, hc, Width);
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
