using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGradRnn;

/// <summary>
/// The shape of a fused kernel's step, by name (the values <see cref="FusedCellKernel{T}"/> exposes as Gx, Gu, Save, …).
/// </summary>
/// <param name="Name">The op's name on the tape, e.g. <c>lstm (fused)</c>.</param>
/// <param name="H">Hidden size.</param>
/// <param name="D">Input size.</param>
internal sealed record KernelLayout(string Name, int H, int D)
{
    /// <summary>Blocks of H columns in the hoisted input projection x_t·Wx (one per gate that reads x_t).</summary>
    public required int InputBlocks { get; init; }
    /// <summary>Blocks of H columns in the per-step recurrent product h_{t-1}·U.</summary>
    public required int RecurrentBlocks { get; init; }
    /// <summary>Values saved per (row, step) for the backward pass.</summary>
    public required int SavedPerRow { get; init; }
    /// <summary>True when the state carries a cell state C besides h.</summary>
    public bool HasC { get; init; }
    /// <summary>True when the gradient reaching U has a buffer of its own, apart from the one reaching Wx.</summary>
    public bool SeparateDAh { get; init; }
    /// <summary>Offset, in the saved row, of the vector that multiplies a second recurrent matrix U2 (-1: no U2).</summary>
    public int U2SaveOffset { get; init; } = -1;
    /// <summary>Per-row sums the backward pass accumulates for parameter gradients that are no GEMM product.</summary>
    public int Sums { get; init; }
}

/// <summary>
/// The per-cell part of a fused sequence op: how to lay the cell's weights out as one input projection
/// <c>Wx [D, Gx·H]</c> and one recurrent matrix <c>U [H, Gu·H]</c> (plus, for the essay's GRU, a second
/// recurrent matrix U2 applied to a vector formed mid-step), and the hand-derived elementwise forward and
/// backward of one batch row at one time step. <see cref="FusedRecurrence"/> runs the GEMMs and the loop.
/// </summary>
internal abstract class FusedCellKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected FusedCellKernel(KernelLayout layout)
    {
        (Name, H, D, Gx, Gu, Save, HasC, SeparateDAh, U2SaveOffset, Sums) = (layout.Name, layout.H, layout.D, layout.InputBlocks, layout.RecurrentBlocks,
            layout.SavedPerRow, layout.HasC, layout.SeparateDAh, layout.U2SaveOffset, layout.Sums);
    }

    /// <summary>
    /// The vector width in bits the elementwise steps run at (<see cref="FusedWidth.Current"/> when the kernel was made:
    /// the widest accelerated one unless a test forces another), read once per step call to pick the specialised step.
    /// </summary>
    public int Width { get; } = FusedWidth.Current;

    /// <summary>The op's name on the tape.</summary>
    public string Name { get; }
    public int H { get; }
    public int D { get; }
    /// <summary>Blocks of H columns in the hoisted input projection (one per gate that reads x_t).</summary>
    public int Gx { get; }
    /// <summary>Blocks of H columns in the per-step recurrent product h_{t-1}·U.</summary>
    public int Gu { get; }
    /// <summary>Values saved per (row, step) for the backward pass.</summary>
    public int Save { get; }
    /// <summary>True when the state carries a cell state C besides h.</summary>
    public bool HasC { get; }
    /// <summary>True when the gradient reaching U is written to a buffer of its own, apart from the one reaching Wx (the layer-norm LSTM).</summary>
    public bool SeparateDAh { get; }
    /// <summary>Offset, in the saved row, of the vector that multiplies U2 (-1: no U2). Its gradient is the last Wx block of dA.</summary>
    public int U2SaveOffset { get; }
    public bool HasU2 => U2SaveOffset >= 0;

    /// <summary>
    /// Length of the sums <see cref="Backward1"/> adds to per batch row for parameter gradients that are not GEMM
    /// products (peephole vectors: Σ dA ⊙ C; layer-norm gains and biases: Σ dy ⊙ x̂, Σ dy). 0: none.
    /// </summary>
    public int Sums { get; }

    /// <summary>
    /// True when <see cref="Backward1"/> may write dA over the row it reads its saved values from (every value is
    /// read before its slot is written, and the saved row has the layout of a dA row), so a single-use backward pass
    /// needs no separate dA buffer for the whole sequence.
    /// </summary>
    public virtual bool GradientsOverSaved => false;

    /// <summary>
    /// Where, in a dA row, the gradient of the last Wx block sits. By default dA rows are <c>Gx·H</c> wide and the
    /// Wx blocks are contiguous. A kernel whose recurrent product sees a different gradient in one block only (the
    /// reset-after GRU's candidate) may instead write one wider row: its first <c>Gu·H</c> values are dA for U, and
    /// dA for Wx is the first <c>(Gx − 1)·H</c> values followed by the H values at this offset.
    /// </summary>
    public virtual int XTailOffset => (Gx - 1) * H;

    /// <summary>Width of a dA row (see <see cref="XTailOffset"/>).</summary>
    public int DAWidth => Math.Max(Gx * H, XTailOffset + H);

    /// <summary>
    /// False when h_{t-1} reaches h_t only through U (LSTM, RNN): <see cref="Backward1"/> then leaves dhDirect alone
    /// and the product dA·Uᵀ writes the gradient for h_{t-1} instead of adding to it.
    /// </summary>
    public virtual bool HasDirectH => true;

    /// <summary>The parameter tensors, in the order the op records them as inputs (after x, h0 and c0).</summary>
    public abstract Tensor<T>[] Parameters { get; }

    public abstract void BuildWx(T[] wx);
    public abstract void BuildU(T[] u);
    public virtual void BuildU2(T[] u2) { }

    /// <summary>Step forward of one row: from hp = (h_{t-1}·U) and xp = (x_t·Wx) to the saved values, h_t and C_t (h_t may wait for <see cref="Forward2"/>).</summary>
    public abstract void Forward1(ReadOnlySpan<T> hp, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, Span<T> save, Span<T> h, Span<T> c);

    /// <summary>Second half of a step for cells with U2: hp2 = (saved vector)·U2.</summary>
    public virtual void Forward2(ReadOnlySpan<T> hp2, ReadOnlySpan<T> xp, ReadOnlySpan<T> hPrev, Span<T> save, Span<T> h) { }

    /// <summary>
    /// Step backward of one row. <paramref name="dh"/> is the whole gradient reaching h_t; <paramref name="dc"/>
    /// holds the gradient reaching C_t and leaves holding the one for C_{t-1}. Writes the pre-activation
    /// gradients (dAx, the whole <see cref="DAWidth"/> row, for Wx; dAh for U: the first Gu·H values of dAx unless
    /// <see cref="SeparateDAh"/>) and, when
    /// <see cref="HasDirectH"/>, the direct part of the gradient for h_{t-1} (the part not through U). Adds this
    /// step's terms to <paramref name="sums"/>, the batch row's <see cref="Sums"/> values (empty when there are none).
    /// </summary>
    public abstract void Backward1(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> h,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dAx, Span<T> dAh, Span<T> dhDirect, Span<T> scratch, Span<T> sums);

    /// <summary>For cells with U2: d2 = (gradient of the U2 product)·U2ᵀ, finishing dA and dhDirect.</summary>
    public virtual void Backward2(ReadOnlySpan<T> save, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> d2, Span<T> dAx, Span<T> dhDirect, Span<T> scratch) { }

    /// <summary>
    /// Gradients of <see cref="Parameters"/> from dWx [D,Gx·H], dU [H,Gu·H], dU2 [H,H], the column sums of dAx and dAh,
    /// and the <see cref="Sums"/> of <see cref="Backward1"/> over the whole batch.
    /// </summary>
    public abstract Tensor<T>[] ParameterGradients(T[] dWx, T[] dU, T[]? dU2, T[] dbx, T[] dbh, T[] sums);

    /// <summary>
    /// True for a one-block cell (Gx = Gu = 1, one dA for both) whose only weight is U on top of Wx, <c>[H + D, H]</c>:
    /// its gradient is then formed in place by the product [h_{t-1}, x_t]ᵀ·dA, with no dU and dWx to copy from.
    /// </summary>
    public virtual bool StackedWeight => false;

    /// <summary>For <see cref="StackedWeight"/> cells: the parameter gradients from the stacked weight's gradient <c>[H + D, H]</c> and dbx.</summary>
    public virtual Tensor<T>[] StackedParameterGradients(T[] dW, T[] db) => throw new NotSupportedException();

    // ---- helpers for the cells ----

    /// <summary>Copies the h-rows (first H) or the x-rows (last D) of a gate weight <c>[H + D, H]</c> into column block <paramref name="block"/> of a row-major matrix with <paramref name="blocks"/>·H columns.</summary>
    protected void Place(Tensor<T> w, bool hRows, T[] dst, int block, int blocks)
    {
        int rows = hRows ? H : D, first = hRows ? 0 : H, ld = blocks * H;
        for (int r = 0; r < rows; r++) w.Data.AsSpan((first + r) * H, H).CopyTo(dst.AsSpan(r * ld + block * H, H));
    }

    /// <summary>Copies a whole <c>[rows, H]</c> matrix into column block <paramref name="block"/>.</summary>
    protected void PlaceAll(Tensor<T> w, T[] dst, int block, int blocks)
    {
        int rows = w.Shape[0], ld = blocks * H;
        for (int r = 0; r < rows; r++) w.Data.AsSpan(r * H, H).CopyTo(dst.AsSpan(r * ld + block * H, H));
    }

    /// <summary>The gradient of a gate weight <c>[H + D, H]</c>: block <paramref name="uBlock"/> of dU on top of block <paramref name="xBlock"/> of dWx.</summary>
    protected Tensor<T> Gate(T[] dU, int uBlock, int uBlocks, T[] dWx, int xBlock)
    {
        var g = new T[(H + D) * H];
        for (int r = 0; r < H; r++) dU.AsSpan(r * uBlocks * H + uBlock * H, H).CopyTo(g.AsSpan(r * H, H));
        for (int r = 0; r < D; r++) dWx.AsSpan(r * Gx * H + xBlock * H, H).CopyTo(g.AsSpan((H + r) * H, H));
        return new Tensor<T>(g, new Shape(H + D, H));
    }

    /// <summary>Column block <paramref name="block"/> of a row-major <c>[rows, blocks·H]</c> matrix, as a <c>[rows, H]</c> tensor.</summary>
    protected Tensor<T> Block(T[] m, int rows, int block, int blocks)
    {
        var g = new T[rows * H];
        for (int r = 0; r < rows; r++) m.AsSpan(r * blocks * H + block * H, H).CopyTo(g.AsSpan(r * H, H));
        return new Tensor<T>(g, new Shape(rows, H));
    }

    protected Tensor<T> Bias(T[] db, int block) => new(db.AsSpan(block * H, H).ToArray(), new Shape(H));

    /// <summary>One vector of a gate's pre-activation at <paramref name="k"/>: (h_{t-1}·U) + (x_t·Wx) + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static V Pre<V, A>(A a, ref T hp, ref T xp, ref T b, nuint k) where V : struct, ISimdVector<V, T> where A : struct, IRowAccess<V, T> =>
        a.Load(ref hp, k) + a.Load(ref xp, k) + a.Load(ref b, k);

    protected Span<T> B(Span<T> row, int block) => row.Slice(block * H, H);
    protected ReadOnlySpan<T> B(ReadOnlySpan<T> row, int block) => row.Slice(block * H, H);

    /// <summary>d ⊙= y(1 − y): the sigmoid's derivative, from its output.</summary>
    protected static void SigmoidGrad(ReadOnlySpan<T> y, Span<T> d, Span<T> scratch)
    {
        TensorPrimitives.Subtract(T.One, y, scratch);
        TensorPrimitives.Multiply(scratch, y, scratch);
        TensorPrimitives.Multiply(d, scratch, d);
    }

    /// <summary>d ⊙= 1 − y²: tanh's derivative, from its output.</summary>
    protected static void TanhGrad(ReadOnlySpan<T> y, Span<T> d, Span<T> scratch)
    {
        TensorPrimitives.Multiply(y, y, scratch);
        TensorPrimitives.Subtract(T.One, scratch, scratch);
        TensorPrimitives.Multiply(d, scratch, d);
    }
}

/// <summary>
/// Runs a <see cref="FusedCellKernel{T}"/> over a whole sequence as ONE op on the tape: the input projection is
/// hoisted out of the step loop (one GEMM per block of 16 steps); each step is h_{t-1}·U (U packed once per
/// sequence) plus one elementwise pass; the backward pass walks time in reverse with one GEMM per step (dA·Uᵀ)
/// and forms every weight gradient with one product over all steps at the end (the few that are no such product,
/// e.g. peephole vectors and layer-norm gains, from the kernel's per-row <see cref="FusedCellKernel{T}.Sums"/>). Rows are batch-major
/// (row b·T + t), like the inputs; batch chunks run on their own threads.
/// </summary>
internal static class FusedRecurrence
{
    /// <summary>The fused sequence: outputs <c>[B,T,H]</c> (zero on masked steps), final h and final C (null without C).</summary>
    public static (Tensor<T> Outputs, Tensor<T> H, Tensor<T>? C) Run<T>(FusedCellKernel<T> k, Tensor<T> x, Tensor<T> h0, Tensor<T>? c0, T[]? mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int B = x.Shape[0], TT = x.Shape[1], H = k.H, BT = B * TT;
        // Saved for backward: per-row saves and every C_t (and h_t when masked), in pooled buffers. When nothing is
        // tracked they go back to the pool right after the forward pass; otherwise the tape's Release returns them
        // (gradient transforms call it when done), or a finalizer once the tape is gone.
        bool tracked = x.IsTracked || h0.IsTracked || (c0?.IsTracked ?? false) || k.Parameters.Any(p => p.IsTracked);
        var buffers = new SavedBuffers<T>(BT * k.Save, k.HasC ? BT * H : 0, mask is null ? 0 : BT * H);
        if (mask is not null) buffers.Saved.AsSpan(0, BT * k.Save).Clear();   // padded rows are never written but are read (times 0) by the U2 gradient
        // Unmasked, every output row is written, so the array need not be zeroed first; masked, padded rows stay 0.
        var y = mask is null ? GC.AllocateUninitializedArray<T>(BT * H) : new T[BT * H];
        var rows = new Rows<T>(k, x, h0, c0, mask, buffers.Saved, mask is null ? y : buffers.H, buffers.C);   // unmasked: the states are the outputs
        Forward(rows);
        if (mask is not null)
            for (int row = 0; row < BT; row++)
                if (!rows.Padded(row)) rows.HAt(row).CopyTo(y.AsSpan(row * H, H));
        var hLast = GC.AllocateUninitializedArray<T>(B * H);
        var cLast = k.HasC ? GC.AllocateUninitializedArray<T>(B * H) : [];
        for (int b = 0; b < B; b++)
        {
            rows.HAt(rows.Row(b, TT - 1)).CopyTo(hLast.AsSpan(b * H, H));
            if (k.HasC) rows.CAt(rows.Row(b, TT - 1)).CopyTo(cLast.AsSpan(b * H, H));
        }
        var outputs = new Tensor<T>(y, new Shape(B, TT, H));
        var hFinal = new Tensor<T>(hLast, new Shape(B, H));
        var cFinal = k.HasC ? new Tensor<T>(cLast, new Shape(B, H)) : null;
        if (!tracked)
        {
            buffers.Release();
            return (outputs, hFinal, cFinal);
        }
        var inputs = new List<Tensor<T>> { x, h0 };
        if (k.HasC) inputs.Add(c0!);
        inputs.AddRange(k.Parameters);
        // dA may overwrite the saved row only when one dA row serves both Wx and U and has the saved row's layout.
        bool overwritable = k.GradientsOverSaved && !k.SeparateDAh && !k.HasU2 && k.Save == k.DAWidth;
        // The buffers are read when the backward pass runs (so one released by then throws ObjectDisposedException).
        var recorded = Ops.Record(k.Name, k.HasC ? [outputs, hFinal, cFinal!] : [outputs, hFinal], [.. inputs], c =>
            Backward(new Rows<T>(k, x, h0, c0, mask, buffers.Saved, mask is null ? y : buffers.H, buffers.C),
                c.OutputGradients[0]?.Data, c.OutputGradients[1]?.Data, k.HasC ? c.OutputGradients[2]?.Data : null, inputs.Select(t => t.IsTracked).ToArray(),
                consumeSaved: overwritable && c.Tape.SingleBackward));
        recorded[0].Tape?.OnRelease(buffers.Release);
        return (recorded[0], recorded[1], k.HasC ? recorded[2] : null);
    }

    /// <summary>
    /// A fused sequence's rows: its inputs and per-row buffers, and where batch row b at step t lives in them (row b·T + t
    /// of x, of the saved values, of every h_t and of every C_t; the state before step 0 is h0 and c0).
    /// </summary>
    private readonly struct Rows<T>(FusedCellKernel<T> k, Tensor<T> x, Tensor<T> h0, Tensor<T>? c0, T[]? mask, T[] saved, T[] hs, T[] cs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public readonly FusedCellKernel<T> K = k;
        public readonly Tensor<T> X = x, H0 = h0;
        public readonly Tensor<T>? C0 = c0;
        /// <summary>[B·T] 0/1 (null: unmasked).</summary>
        public readonly T[]? Mask = mask;
        /// <summary><see cref="FusedCellKernel{T}.Save"/> values per row; h_t per row; C_t per row (empty without C).</summary>
        public readonly T[] Saved = saved, Hs = hs, Cs = cs;
        public readonly int B = x.Shape[0], Steps = x.Shape[1], H = k.H, S = k.Save;

        public int Row(int b, int t) => b * Steps + t;
        /// <summary>A padded step: the state is carried and no gradient reaches the step.</summary>
        public bool Padded(int row) => Mask is not null && Mask[row] == T.Zero;
        public Span<T> HPrev(int b, int t) => t == 0 ? H0.Data.AsSpan(b * H, H) : Hs.AsSpan((b * Steps + t - 1) * H, H);
        public Span<T> CPrev(int b, int t) => !K.HasC ? default : t == 0 ? C0!.Data.AsSpan(b * H, H) : Cs.AsSpan((b * Steps + t - 1) * H, H);
        public Span<T> HAt(int row) => Hs.AsSpan(row * H, H);
        public Span<T> CAt(int row) => K.HasC ? Cs.AsSpan(row * H, H) : default;
        public Span<T> SavedAt(int row) => Saved.AsSpan(row * S, S);
        /// <summary>The work of the per-step products, which decides whether the batch is split over threads.</summary>
        public double StepWork => (double)B * Steps * H * (K.Gu * H + (K.HasU2 ? H : 0));
    }

    /// <summary>
    /// The forward recurrence over every row. Each batch row's recurrence is independent of the others, so batch chunks
    /// run the whole sequence on their own threads with no per-step synchronisation. Every row's arithmetic is the same
    /// whichever chunk computes it, so the result is bit-identical for any thread count.
    /// </summary>
    private static void Forward<T>(Rows<T> r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = r.K;
        int GxH = k.Gx * r.H, GuH = k.Gu * r.H;
        using var rental = new Rental<T>();
        var wx = rental.Rent(k.D * GxH);
        var u = rental.Rent(r.H * GuH);
        var u2 = k.HasU2 ? rental.Rent(r.H * r.H) : [];
        var hp = rental.Rent(r.B * GuH);
        var hp2 = k.HasU2 ? rental.Rent(r.B * r.H) : [];
        k.BuildWx(wx);
        k.BuildU(u);
        if (k.HasU2) k.BuildU2(u2);
        using var packedWx = Gemm.PackB(wx, 0, GxH, false, k.D, GxH);
        using var packedU = Gemm.PackB(u, 0, GuH, false, r.H, GuH);
        using var packedU2 = k.HasU2 ? Gemm.PackB(u2, 0, r.H, false, r.H, r.H) : null;
        var chunks = BatchChunks(r.B, r.StepWork, Gemm.Tile<T>(packedU.Width).MR);
        int threads = chunks.Count > 1 ? 1 : 0;
        WorkSharing.Run(chunks.Count, chunks.Count - 1, chunk => ForwardChunk(r, packedWx, packedU, packedU2, hp, hp2, chunks.Bounds(chunk), threads));
    }

    /// <summary>
    /// Batch rows <paramref name="rows"/> over the whole sequence. The input projection is hoisted out of the step loop
    /// over blocks of steps, [m·Tc, D]·[D, Gx·H] at a time: one large product per block, and memory for Tc steps
    /// instead of the whole sequence. <paramref name="hp"/> (and <paramref name="hp2"/>) hold each row's recurrent product.
    /// </summary>
    private static void ForwardChunk<T>(in Rows<T> r, PackedB<T> packedWx, PackedB<T> packedU, PackedB<T>? packedU2, T[] hp, T[] hp2,
        (int From, int To) rows, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = r.K;
        var (b0, b1) = rows;
        int m = b1 - b0, TT = r.Steps, H = r.H, D = k.D, GxH = k.Gx * H, GuH = k.Gu * H;
        int tc = Math.Min(TT, ProjectionSteps), t0 = 0, tn = 0;
        using var rental = new Rental<T>();
        var xg = rental.Rent(m * tc * D);
        var xp = rental.Rent(m * tc * GxH);
        for (int t = 0; t < TT; t++)
        {
            if (t == t0 + tn)
            {
                (t0, tn) = (t, Math.Min(tc, TT - t));
                for (int b = b0; b < b1; b++) r.X.Data.AsSpan((b * TT + t0) * D, tn * D).CopyTo(xg.AsSpan((b - b0) * tn * D));
                Gemm.Multiply(xg, 0, D, false, packedWx, xp, 0, GxH, m * tn, false, threads);
            }
            int XpRow(int b) => ((b - b0) * tn + t - t0) * GxH;
            if (t == 0) Gemm.Multiply(r.H0.Data, b0 * H, H, false, packedU, hp, b0 * GuH, GuH, m, false, threads);
            else Gemm.Multiply(r.Hs, (b0 * TT + t - 1) * H, TT * H, false, packedU, hp, b0 * GuH, GuH, m, false, threads);
            for (int b = b0; b < b1; b++)
            {
                int row = r.Row(b, t);
                Span<T> hPrev = r.HPrev(b, t), cPrev = r.CPrev(b, t);
                if (r.Padded(row))
                {
                    hPrev.CopyTo(r.HAt(row));       // the state is carried unchanged (outputs stay zero)
                    if (k.HasC) cPrev.CopyTo(r.CAt(row));
                    continue;
                }
                k.Forward1(hp.AsSpan(b * GuH, GuH), xp.AsSpan(XpRow(b), GxH), hPrev, cPrev, r.SavedAt(row), r.HAt(row), r.CAt(row));
            }
            if (k.HasU2)
            {
                Gemm.Multiply(r.Saved, (b0 * TT + t) * r.S + k.U2SaveOffset, TT * r.S, false, packedU2!, hp2, b0 * H, H, m, false, threads);
                for (int b = b0; b < b1; b++)
                {
                    int row = r.Row(b, t);
                    if (!r.Padded(row)) k.Forward2(hp2.AsSpan(b * H, H), xp.AsSpan(XpRow(b), GxH), r.HPrev(b, t), r.SavedAt(row), r.HAt(row));
                }
            }
        }
    }

    /// <summary>
    /// The pre-activation gradients dA of every row, and their layout: <see cref="X"/> holds the rows of
    /// <see cref="FusedCellKernel{T}.DAWidth"/> values (dA for Wx, and for U unless the kernel keeps a separate
    /// <see cref="H"/>); dA for Wx is two column ranges when <see cref="SplitX"/>: [0, Gx·H − H) and [XTail, XTail + H).
    /// </summary>
    private readonly record struct PreActivationGradients<T>(T[] X, T[] H, int Ld, int LdH, int XTail, bool SplitX);

    private static Tensor<T>?[] Backward<T>(Rows<T> r, T[]? gOutputs, T[]? gH, T[]? gC, bool[] tracked, bool consumeSaved)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = r.K;
        int B = r.B, H = r.H, BT = B * r.Steps, GxH = k.Gx * H, GuH = k.Gu * H;
        using var rental = new Rental<T>();
        // dA overwrites the saved gates row by row when this is the only backward pass (rows are consumed in reverse
        // time order and each is read before it is written), which saves a buffer the size of the activations.
        var dAx = consumeSaved ? r.Saved : rental.Rent(BT * k.DAWidth);
        var dA = new PreActivationGradients<T>(dAx, k.SeparateDAh ? rental.Rent(BT * GuH) : dAx, k.DAWidth, k.SeparateDAh ? GuH : k.DAWidth,
            k.XTailOffset, SplitX: k.XTailOffset != GxH - H);
        var dh = gH is null ? new T[B * H] : (T[])gH.Clone();                         // gradient reaching final h
        var dc = !k.HasC ? [] : gC is null ? new T[B * H] : (T[])gC.Clone();         // … and final C
        // Non-GEMM parameter gradients are summed per batch row (over its steps, in reverse time, by the one thread
        // that owns the row) and then over rows in row order: the same bits however the batch is split over threads.
        var rowSums = new T[B * k.Sums];
        {
            var u = rental.Rent(H * GuH);
            var u2 = k.HasU2 ? rental.Rent(H * H) : [];
            var d2 = k.HasU2 ? rental.Rent(B * H) : [];
            var dhNext = rental.Rent(B * H);
            k.BuildU(u);
            if (k.HasU2) k.BuildU2(u2);
            using var packedUT = Gemm.PackB(u, 0, GuH, true, GuH, H);                  // Uᵀ
            using var packedU2T = k.HasU2 ? Gemm.PackB(u2, 0, H, true, H, H) : null;  // U2ᵀ
            var chunks = BatchChunks(B, r.StepWork, Gemm.Tile<T>(packedUT.Width).MR);
            int threads = chunks.Count > 1 ? 1 : 0;
            // Batch chunks walk time backwards on their own threads, as in the forward pass (bit-identical for any thread count).
            WorkSharing.Run(chunks.Count, chunks.Count - 1, chunk =>
                BackwardChunk(r, dA, gOutputs, dh, dc, dhNext, d2, rowSums, packedUT, packedU2T, chunks.Bounds(chunk), threads));
        }

        var result = new Tensor<T>?[tracked.Length];
        if (tracked[0])
        {
            var wx = rental.Rent(k.D * GxH);
            k.BuildWx(wx);
            var dx = new T[BT * k.D];
            if (!dA.SplitX) Gemm.Multiply(dAx, 0, dA.Ld, false, wx, 0, GxH, true, dx, 0, k.D, BT, GxH, k.D, false);             // dA_x·Wxᵀ
            else
            {
                Gemm.Multiply(dAx, 0, dA.Ld, false, wx, 0, GxH, true, dx, 0, k.D, BT, GxH - H, k.D, false);
                Gemm.Multiply(dAx, dA.XTail, dA.Ld, false, wx, GxH - H, GxH, true, dx, 0, k.D, BT, H, k.D, true);
            }
            result[0] = new Tensor<T>(dx, r.X.Shape);
        }
        result[1] = new Tensor<T>(dh, r.H0.Shape);
        if (k.HasC) result[2] = new Tensor<T>(dc, r.C0!.Shape);
        var pg = ParameterGradients(r, dA, rowSums, rental);
        Array.Copy(pg, 0, result, k.HasC ? 3 : 2, pg.Length);
        return result;
    }

    /// <summary>
    /// Batch rows <paramref name="rows"/> backwards through time: each step's dA rows from the kernel, then the gradient
    /// for h_{t-1} (the kernel's direct part plus dA_h·Uᵀ) in <paramref name="dhNext"/>, carried in <paramref name="dh"/>.
    /// </summary>
    private static void BackwardChunk<T>(in Rows<T> r, PreActivationGradients<T> dA, T[]? gOutputs, T[] dh, T[] dc, T[] dhNext, T[] d2, T[] rowSums,
        PackedB<T> packedUT, PackedB<T>? packedU2T, (int From, int To) rows, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = r.K;
        var (b0, b1) = rows;
        int m = b1 - b0, TT = r.Steps, H = r.H, GuH = k.Gu * H, ldA = dA.Ld;
        using var rental = new Rental<T>();
        var dhb = rental.Rent(H).AsSpan(0, H);
        var scratch = rental.Rent(4 * H).AsSpan(0, 4 * H);
        for (int t = TT - 1; t >= 0; t--)
        {
            for (int b = b0; b < b1; b++)
            {
                int row = r.Row(b, t);
                var carry = dh.AsSpan(b * H, H);
                var next = dhNext.AsSpan(b * H, H);
                if (r.Padded(row))
                {
                    // Padding: the gradient passes straight through to the previous state; nothing reaches the step.
                    dA.X.AsSpan(row * ldA, ldA).Clear();
                    if (k.SeparateDAh) dA.H.AsSpan(row * GuH, GuH).Clear();
                    carry.CopyTo(next);
                    continue;
                }
                if (gOutputs is null) carry.CopyTo(dhb);
                else Simd.Add<T>(carry, gOutputs.AsSpan(row * H, H), dhb);
                if (!k.HasDirectH && r.Mask is not null) next.Clear();   // the product below adds to it (padded rows carry theirs)
                k.Backward1(r.SavedAt(row), r.HPrev(b, t), r.CPrev(b, t), r.CAt(row), r.HAt(row),
                    dhb, k.HasC ? dc.AsSpan(b * H, H) : default, dA.X.AsSpan(row * ldA, ldA),
                    k.SeparateDAh ? dA.H.AsSpan(row * GuH, GuH) : dA.X.AsSpan(row * ldA, GuH), next, scratch,
                    rowSums.AsSpan(b * k.Sums, k.Sums));
            }
            if (k.HasU2)
            {
                // gradient of the U2 product's left operand: dA(last Wx block)·U2ᵀ
                Gemm.Multiply(dA.X, (b0 * TT + t) * ldA + dA.XTail, TT * ldA, false, packedU2T!, d2, b0 * H, H, m, false, threads);
                for (int b = b0; b < b1; b++)
                {
                    int row = r.Row(b, t);
                    if (!r.Padded(row)) k.Backward2(r.SavedAt(row), r.HPrev(b, t), d2.AsSpan(b * H, H), dA.X.AsSpan(row * ldA, ldA), dhNext.AsSpan(b * H, H), scratch);
                }
            }
            // dh_{t-1} = direct part + dA_h·Uᵀ
            Gemm.Multiply(dA.H, (b0 * TT + t) * dA.LdH, TT * dA.LdH, false, packedUT, dhNext, b0 * H, H, m, accumulate: k.HasDirectH || r.Mask is not null, threads);
            dhNext.AsSpan(b0 * H, m * H).CopyTo(dh.AsSpan(b0 * H, m * H));
        }
    }

    /// <summary>
    /// The parameters' gradients. Weights: one GEMM over all B·T rows. When U and Wx see the same dA, [h_{t-1}, x_t]ᵀ·dA
    /// gives both at once (the essay's concatenated layout); otherwise h_{t-1}ᵀ·dA_h and x_tᵀ·dA_x separately. The
    /// [h_{t-1}, x_t] rows are copied one depth slab at a time, right before the slab's product, so they take a slab's
    /// memory instead of the whole sequence's. Biases: column sums of dA; the rest: the kernel's row sums.
    /// </summary>
    private static Tensor<T>[] ParameterGradients<T>(Rows<T> r, PreActivationGradients<T> dA, T[] rowSums, Rental<T> rental)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = r.K;
        int H = r.H, D = k.D, BT = r.B * r.Steps, GxH = k.Gx * H, GuH = k.Gu * H, ldA = dA.Ld;
        bool splitX = dA.SplitX;
        bool joint = !k.SeparateDAh && k.Gu == k.Gx && !splitX;
        int w = joint ? H + D : H;
        void HxRows(int p0, int count, T[] buf)
        {
            for (int i = 0; i < count; i++)
            {
                int row = p0 + i, b = row / r.Steps;
                r.HPrev(b, row - b * r.Steps).CopyTo(buf.AsSpan(i * w, H));
                if (joint) r.X.Data.AsSpan(row * D, D).CopyTo(buf.AsSpan(i * w + H, D));
            }
        }
        int ldT = (GxH * Unsafe.SizeOf<T>()) % 2048 == 0 ? GxH + 16 : GxH;
        bool stacked = joint && k.StackedWeight && k.Gx == 1 && ldT == GxH;
        var dU = stacked ? [] : new T[H * GuH];
        var dWx = stacked ? [] : new T[D * GxH];
        var dW = stacked ? new T[w * GxH] : [];
        if (stacked) SlabProducts(HxRows, w, dA.X, 0, ldA, GxH, BT, (0, w, dW, GxH, 0));   // [h_{t-1}, x_t]ᵀ·dA, the weight's own layout
        else if (joint)
        {
            // [h_{t-1}, x_t]ᵀ·dA: the H + D features are the rows of the product, so at most one partial micro-tile
            // of rows is wasted (dAᵀ·[h, x] wasted most of a column panel when H + D is just past a multiple of its
            // width: 36 → 64, 65 → 96). dA is packed one slab of rows (time steps) at a time, the GEMM's own depth
            // block, so memory stays bounded, both products share each slab, and each element of [h, x] is packed
            // once; adding slab after slab is the same arithmetic as one product over all rows. A row stride of a
            // multiple of 2 KB would make the 8 rows of a C tile share L1 sets, so such products go through a padded buffer.
            if (ldT == GxH) SlabProducts(HxRows, w, dA.X, 0, ldA, GxH, BT, (0, H, dU, GuH, 0), (H, D, dWx, GxH, 0));   // h_{t-1}ᵀ·dA, x_tᵀ·dA
            else
            {
                var both = rental.Rent(w * ldT);
                SlabProducts(HxRows, w, dA.X, 0, ldA, GxH, BT, (0, w, both, ldT, 0));
                for (int i = 0; i < H; i++) both.AsSpan(i * ldT, GxH).CopyTo(dU.AsSpan(i * GuH, GuH));
                for (int i = 0; i < D; i++) both.AsSpan((H + i) * ldT, GxH).CopyTo(dWx.AsSpan(i * GxH, GxH));
            }
        }
        else
        {
            SlabProducts(HxRows, H, dA.H, 0, dA.LdH, GuH, BT, (0, H, dU, GuH, 0));                               // h_{t-1}ᵀ·dA_h
            if (!splitX) SlabProducts(r.X.Data, D, dA.X, 0, ldA, GxH, BT, (0, D, dWx, GxH, 0));                // x_tᵀ·dA_x
            else
            {
                SlabProducts(r.X.Data, D, dA.X, 0, ldA, GxH - H, BT, (0, D, dWx, GxH, 0));
                SlabProducts(r.X.Data, D, dA.X, dA.XTail, ldA, H, BT, (0, D, dWx, GxH, GxH - H));
            }
        }
        T[]? dU2 = null;
        if (k.HasU2)
        {
            dU2 = new T[H * H];
            Gemm.Multiply(r.Saved, k.U2SaveOffset, r.S, true, dA.X, dA.XTail, ldA, false, dU2, 0, H, H, BT, H, false);
        }
        var dbx = new T[GxH];
        ColumnSums(dA.X, 0, BT, splitX ? GxH - H : GxH, ldA, dbx);
        if (splitX) ColumnSums(dA.X, dA.XTail, BT, H, ldA, dbx.AsSpan(GxH - H));
        T[] dbh;
        if (k.SeparateDAh) ColumnSums(dA.H, 0, BT, GuH, GuH, dbh = new T[GuH]);
        else if (splitX) ColumnSums(dA.X, 0, BT, GuH, ldA, dbh = new T[GuH]);
        else dbh = dbx;
        var sums = new T[k.Sums];
        ColumnSums(rowSums, 0, r.B, k.Sums, k.Sums, sums);
        return stacked ? k.StackedParameterGradients(dW, dbx) : k.ParameterGradients(dWx, dU, dU2, dbx, dbh, sums);
    }

    /// <summary>
    /// For each target (A column offset, rows, C, ldc, C column offset): C [rows, n] = A(columns offset…)ᵀ·dA(columns
    /// dAOff…), summed over all <paramref name="bt"/> time rows. dA is packed one depth slab at a time (the GEMM's own
    /// k-block: the same arithmetic as one product, with a bounded packed buffer), each slab serving every target.
    /// With 2 threads, each takes half of the columns for the whole sum, so they meet once instead of once per slab.
    /// </summary>
    private static void SlabProducts<T>(T[] a, int lda, T[] dA, int dAOff, int ldA, int n, int bt, params (int AOff, int Rows, T[] C, int Ldc, int COff)[] targets)
        where T : unmanaged, IFloatingPointIeee754<T> => SlabProducts(a, null, lda, dA, dAOff, ldA, n, bt, targets);

    /// <summary>The same, with A's rows written slab by slab by <paramref name="fillA"/> (first row, rows, buffer of ld <paramref name="lda"/>).</summary>
    private static void SlabProducts<T>(Action<int, int, T[]> fillA, int lda, T[] dA, int dAOff, int ldA, int n, int bt, params (int AOff, int Rows, T[] C, int Ldc, int COff)[] targets)
        where T : unmanaged, IFloatingPointIeee754<T> => SlabProducts(null, fillA, lda, dA, dAOff, ldA, n, bt, targets);

    private static void SlabProducts<T>(T[]? a, Action<int, int, T[]>? fillA, int lda, T[] dA, int dAOff, int ldA, int n, int bt, (int AOff, int Rows, T[] C, int Ldc, int COff)[] targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Gemm.Tile<T>(Gemm.Best<T>()).NR, panels = (n + nr - 1) / nr;
        double flops = 2.0 * bt * n * targets.Sum(t => t.Rows);
        int chunks = flops >= Gemm.ParallelThresholdFlops && Parallelism.MaxThreads > 1 ? Math.Min(Parallelism.MaxThreads, panels) : 1;
        int per = (panels + chunks - 1) / chunks * nr;
        chunks = (n + per - 1) / per;
        WorkSharing.Run(chunks, chunks - 1, i =>
        {
            int j0 = i * per, nn = Math.Min(per, n - j0);
            // With a filler, each thread writes its own copy of A's slab (a copy is cheap next to the slab's products).
            var buf = fillA is null ? null : ArrayPool<T>.Shared.Rent(Math.Min(Gemm.DepthBlock, bt) * lda);
            try
            {
                for (int p0 = 0; p0 < bt; p0 += Gemm.DepthBlock)
                {
                    int depth = Math.Min(Gemm.DepthBlock, bt - p0);
                    using var slab = Gemm.PackB(dA, p0 * ldA + dAOff + j0, ldA, false, depth, nn);
                    if (buf is not null) fillA!(p0, depth, buf);
                    foreach (var (aOff, rows, c, ldc, cOff) in targets)
                        Gemm.Multiply(buf ?? a!, buf is null ? p0 * lda + aOff : aOff, lda, true, slab, c, cOff + j0, ldc, rows, accumulate: p0 > 0, threads: 1);
                }
            }
            finally { if (buf is not null) ArrayPool<T>.Shared.Return(buf); }
        });
    }

    /// <summary>Contiguous batch ranges, whole micro-tiles of rows each, one per thread that will run them.</summary>
    private readonly record struct BatchSplit(int Count, int Per, int B)
    {
        public (int From, int To) Bounds(int chunk) => (chunk * Per, Math.Min(B, (chunk + 1) * Per));
    }

    /// <summary>Time steps whose input projection is computed at once (bounds that buffer to B·Tc rows).</summary>
    private const int ProjectionSteps = 16;

    /// <summary>Floating-point work (multiply-adds of the per-step products over the sequence) above which a batch is split over threads.</summary>
    private const double BatchSplitThreshold = 2e6;

    private static BatchSplit BatchChunks(int b, double work, int mr)
    {
        int tiles = (b + mr - 1) / mr;
        int count = work < BatchSplitThreshold ? 1 : Math.Min(Parallelism.MaxThreads, tiles);
        if (count <= 1) return new BatchSplit(1, b, b);
        int per = (tiles + count - 1) / count * mr;
        return new BatchSplit((b + per - 1) / per, per, b);
    }

    /// <summary>s += the sums of the <paramref name="cols"/> columns from <paramref name="off"/> over <paramref name="rows"/> rows.</summary>
    private static void ColumnSums<T>(T[] m, int off, int rows, int cols, int ld, Span<T> s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s = s[..cols];
        for (int r = 0; r < rows; r++) Simd.Add<T>(s, m.AsSpan(off + r * ld, cols), s);
    }
}

/// <summary>
/// The activations a fused sequence saves for its backward pass, in array-pool buffers (so a training loop
/// reuses the same memory step after step instead of faulting in fresh pages). Returned to the pool by
/// <see cref="Release"/> or, when the backward closure that owns them becomes garbage, by the finalizer.
/// </summary>
internal sealed class SavedBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? saved, c, h;

    public SavedBuffers(int saved, int c, int h)
    {
        this.saved = Rent(saved);
        this.c = Rent(c);
        this.h = Rent(h);
    }

    private static T[] Rent(int n) => n == 0 ? [] : ArrayPool<T>.Shared.Rent(n);

    public T[] Saved => saved ?? throw new ObjectDisposedException(nameof(SavedBuffers<T>));
    public T[] C => c ?? throw new ObjectDisposedException(nameof(SavedBuffers<T>));
    public T[] H => h ?? throw new ObjectDisposedException(nameof(SavedBuffers<T>));

    public void Release()
    {
        foreach (var a in new[] { saved, c, h })
            if (a is { Length: > 0 }) ArrayPool<T>.Shared.Return(a);
        saved = c = h = null;
        GC.SuppressFinalize(this);
    }

    ~SavedBuffers() => Release();
}

/// <summary>Array-pool buffers rented for one pass and returned together when it is disposed (<c>using</c>), however the pass ends.</summary>
internal sealed class Rental<T> : IDisposable
{
    private readonly List<T[]> rented = new(6);

    /// <summary>A pooled array of at least <paramref name="length"/> elements (contents undefined; empty for 0).</summary>
    public T[] Rent(int length)
    {
        if (length == 0) return [];
        var a = ArrayPool<T>.Shared.Rent(length);
        rented.Add(a);
        return a;
    }

    public void Dispose()
    {
        foreach (var a in rented) ArrayPool<T>.Shared.Return(a);
        rented.Clear();
    }
}
