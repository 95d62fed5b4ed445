using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AutoGradRnn;

/// <summary>
/// The diagonal peephole LSTM (P vectors <c>[H]</c>) as one fused kernel. Gate blocks in the projections: f, i, C̃, o.
/// Forward, per row: a = h_{t-1}·U + x_t·Wx + b; f = σ(a_f + p_f ⊙ C_{t-1}); i = σ(a_i + p_i ⊙ C_{t-1});
/// C̃ = tanh(a_C̃); C_t = f·C_{t-1} + i·C̃; o = σ(a_o + p_o ⊙ C_t); h_t = o·tanh(C_t).
/// Backward (dh, dC given): dA_o = dh·tanh C_t·o(1 − o); dC += dh·o·(1 − tanh²C_t) + dA_o·p_o;
/// dA_f = dC·C_{t-1}·f(1 − f); dA_i = dC·C̃·i(1 − i); dA_C̃ = dC·i·(1 − C̃²);
/// dC_{t-1} = dC·f + dA_f·p_f + dA_i·p_i. The peephole gradients are sums over real steps:
/// dp_f = Σ dA_f ⊙ C_{t-1}, dp_i = Σ dA_i ⊙ C_{t-1}, dp_o = Σ dA_o ⊙ C_t (the kernel's <see cref="FusedCellKernel{T}.Sums"/>).
/// Each step is written once, one vector of every gate at a time (<see cref="FusedCellKernel{T}.Width"/>).
/// </summary>
internal sealed class PeepholeLstmKernel<T> : FusedCellKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int F = 0, I = 1, G = 2, O = 3;
    private readonly PeepholeLstm<T> cell;
    private readonly T[] bias;

    public PeepholeLstmKernel(PeepholeLstm<T> cell)
        : base(new KernelLayout("peephole lstm (fused)", cell.OutputSize, cell.InputSize)
            { InputBlocks = 4, RecurrentBlocks = 4, SavedPerRow = 4 * cell.OutputSize, HasC = true, Sums = 3 * cell.OutputSize })
    {
        this.cell = cell;
        bias = [.. cell.Bf.Data, .. cell.Bi.Data, .. cell.Bc.Data, .. cell.Bo.Data];
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
            case 512: Backward<V512<T>>(save, cPrev, c, dh, dc, dAx, sums); break;
            case 256: Backward<V256<T>>(save, cPrev, c, dh, dc, dAx, sums); break;
            default: Backward<V128<T>>(save, cPrev, c, dh, dc, dAx, sums); break;
        }
    }

    private void Forward<V>(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c)
        where V : struct, ISimdVector<V, T>
    {
        ref T hpR = ref MemoryMarshal.GetReference(hp), xpR = ref MemoryMarshal.GetReference(xp);
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev);
        ref T hR = ref MemoryMarshal.GetReference(h), cR = ref MemoryMarshal.GetReference(c);
        ref T bR = ref bias[0], pf = ref cell.Pf.Data[0], pi = ref cell.Pi.Data[0], po = ref cell.Po.Data[0];
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) ForwardAt<V, Whole<V, T>>(default, ref hpR, ref xpR, ref bR, ref pf, ref pi, ref po, ref sR, ref cpR, ref hR, ref cR, j);
        if (j < n) ForwardTail<V>((int)(n - j), ref hpR, ref xpR, ref bR, ref pf, ref pi, ref po, ref sR, ref cpR, ref hR, ref cR, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ForwardTail<V>(int count, ref T hpR, ref T xpR, ref T bR, ref T pf, ref T pi, ref T po, ref T sR, ref T cpR, ref T hR, ref T cR, nuint j) where V : struct, ISimdVector<V, T> =>
        ForwardAt<V, Part<V, T>>(new(count), ref hpR, ref xpR, ref bR, ref pf, ref pi, ref po, ref sR, ref cpR, ref hR, ref cR, j);

    /// <summary>The forward step at one vector <paramref name="j"/> of every gate (the row's last vector padded by <see cref="Part{V, T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardAt<V, A>(A a, ref T hpR, ref T xpR, ref T bR, ref T pf, ref T pi, ref T po, ref T sR, ref T cpR, ref T hR, ref T cR, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint h1 = (nuint)H, io = h1 + j, go = 2 * h1 + j, oo = 3 * h1 + j;
        var cp = a.Load(ref cpR, j);
        var f = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref bR, j) + a.Load(ref pf, j) * cp);
        var i = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref bR, io) + a.Load(ref pi, j) * cp);
        var g = FastActivations.Tanh<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref bR, go));
        var ct = f * cp + i * g;
        var o = FastActivations.Sigmoid<V, T>(Pre<V, A>(a, ref hpR, ref xpR, ref bR, oo) + a.Load(ref po, j) * ct);
        a.Store(f, ref sR, j);
        a.Store(i, ref sR, io);
        a.Store(g, ref sR, go);
        a.Store(o, ref sR, oo);
        a.Store(ct, ref cR, j);
        a.Store(o * FastActivations.Tanh<V, T>(ct), ref hR, j);
    }

    private void Backward<V>(ReadOnlySpan<T> save, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> sums)
        where V : struct, ISimdVector<V, T>
    {
        ref T sR = ref MemoryMarshal.GetReference(save), cpR = ref MemoryMarshal.GetReference(cPrev), cR = ref MemoryMarshal.GetReference(c);
        ref T dhR = ref MemoryMarshal.GetReference(dh), dcR = ref MemoryMarshal.GetReference(dc), dR = ref MemoryMarshal.GetReference(dAx);
        ref T sumR = ref MemoryMarshal.GetReference(sums), pf = ref cell.Pf.Data[0], pi = ref cell.Pi.Data[0], po = ref cell.Po.Data[0];
        nuint n = (nuint)H, w = (nuint)V.Count, j = 0;
        for (; j + w <= n; j += w) BackwardAt<V, Whole<V, T>>(default, ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, ref sumR, ref pf, ref pi, ref po, j);
        if (j < n) BackwardTail<V>((int)(n - j), ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, ref sumR, ref pf, ref pi, ref po, j);
    }

    /// <summary>The row's last, partial vector, in a method of its own so the whole-vector loop keeps the inlining budget (and a small frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void BackwardTail<V>(int count, ref T sR, ref T cpR, ref T cR, ref T dhR, ref T dcR, ref T dR, ref T sumR, ref T pf, ref T pi, ref T po, nuint j) where V : struct, ISimdVector<V, T> =>
        BackwardAt<V, Part<V, T>>(new(count), ref sR, ref cpR, ref cR, ref dhR, ref dcR, ref dR, ref sumR, ref pf, ref pi, ref po, j);

    /// <summary>The backward step at one vector <paramref name="j"/> (every saved value is read before its gradient's slot is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BackwardAt<V, A>(A a, ref T sR, ref T cpR, ref T cR, ref T dhR, ref T dcR, ref T dR, ref T sumR, ref T pf, ref T pi, ref T po, nuint j)
        where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T>
    {
        nuint h1 = (nuint)H, io = h1 + j, go = 2 * h1 + j, oo = 3 * h1 + j;
        var one = V.One;
        var f = a.Load(ref sR, j);
        var i = a.Load(ref sR, io);
        var g = a.Load(ref sR, go);
        var o = a.Load(ref sR, oo);
        var cp = a.Load(ref cpR, j);
        var cv = a.Load(ref cR, j);
        var dhv = a.Load(ref dhR, j);
        var tc = FastActivations.Tanh<V, T>(cv);
        var dO = dhv * tc * (o * (one - o));
        var dcv = a.Load(ref dcR, j) + dhv * o * (one - tc * tc) + dO * a.Load(ref po, j);
        var dF = (dcv * cp) * (f * (one - f));                                      // dF = dC·C_{t-1}
        var dI = (dcv * g) * (i * (one - i));                                       // dI = dC·C̃
        a.Store(dF, ref dR, j);
        a.Store(dI, ref dR, io);
        a.Store((dcv * i) * (one - g * g), ref dR, go);                             // dC̃ = dC·i
        a.Store(dO, ref dR, oo);
        a.Store(dcv * f + dF * a.Load(ref pf, j) + dI * a.Load(ref pi, j), ref dcR, j);
        a.Store(a.Load(ref sumR, j) + dF * cp, ref sumR, j);
        a.Store(a.Load(ref sumR, io) + dI * cp, ref sumR, io);
        a.Store(a.Load(ref sumR, go) + dO * cv, ref sumR, go);
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
