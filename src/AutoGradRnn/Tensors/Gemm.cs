using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGradRnn;

/// <summary>The SIMD width a GEMM micro-kernel uses (the widest the hardware accelerates, unless a test asks for another).</summary>
internal enum GemmWidth
{
    /// <summary>Plain loops (no vector hardware, or an element type other than float/double).</summary>
    Scalar,
    /// <summary><see cref="Vector128{T}"/>: 4×(2 vectors) tiles.</summary>
    V128,
    /// <summary><see cref="Vector256{T}"/>: 6×(2 vectors) tiles.</summary>
    V256,
    /// <summary><see cref="Vector512{T}"/>: 8×(2 vectors) tiles, 16 accumulators.</summary>
    V512,
}

/// <summary>
/// op(B) packed once into column panels of the micro-kernel's width (zero-padded), ready to multiply many
/// left operands — the recurrent weights U of a fused cell are packed once per sequence, not once per step.
/// Rents its buffer from the array pool: dispose it to return the buffer.
/// </summary>
internal sealed class PackedB<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal T[] Data;
    internal readonly int K, N, NR, Panels;
    internal readonly GemmWidth Width;

    /// <summary>
    /// Direct mode (a non-transposed B): the full panels are read in place from <see cref="Source"/> with
    /// row stride <see cref="Ldb"/> (each panel row is NR contiguous values already); only the last, partial
    /// panel is copied into <see cref="Data"/>, so that no read runs past the source.
    /// </summary>
    internal readonly T[]? Source;
    internal readonly int SourceOffset, Ldb, FirstPacked;

    internal PackedB(T[] data, int k, int n, int nr, GemmWidth width, T[]? source = null, int sourceOffset = 0, int ldb = 0)
    {
        (Data, K, N, NR, Width) = (data, k, n, nr, width);
        Panels = (n + nr - 1) / nr;
        (Source, SourceOffset, Ldb) = (source, sourceOffset, ldb);
        FirstPacked = source is null ? 0 : n / nr;
    }

    /// <summary>Where rows p0.. of panel <paramref name="jp"/> start, and the distance between consecutive rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref T Panel(int jp, int p0, out int stride)
    {
        if (jp < FirstPacked)
        {
            stride = Ldb;
            return ref Source![SourceOffset + p0 * Ldb + jp * NR];
        }
        stride = NR;
        return ref Data[((jp - FirstPacked) * K + p0) * NR];
    }

    public void Dispose()
    {
        var d = Data;
        Data = [];
        if (d.Length > 0) ArrayPool<T>.Shared.Return(d);
    }
}

/// <summary>
/// Dense matrix multiply C = op(A)·op(B) (+ C when accumulating) on row-major buffers with leading
/// dimensions, op = identity or transpose, never materialising a transpose.
/// </summary>
/// <remarks>
/// The classic Goto/BLIS structure: op(B) is packed into panels of NR columns (contiguous along k),
/// op(A) into panels of MR rows per KC×MC cache block, and a register-blocked micro-kernel keeps an MR×NR
/// tile of C in 2·MR vector accumulators while streaming both panels: per k it loads two vectors of B,
/// broadcasts MR values of A and issues 2·MR fused multiply-adds. The transpose flags only change how
/// the packing routines read their source. Large products split their columns (or rows) over two
/// threads; the caller runs one half and waits for the other with a blocking wait.
/// </remarks>
internal static class Gemm
{
    private const int KC = 256;

    /// <summary>The depth (k) of one cache block: a caller that feeds a long product slab by slab uses the same blocks.</summary>
    public const int DepthBlock = KC;

    /// <summary>The widest micro-kernel this CPU accelerates for <typeparamref name="T"/>.</summary>
    public static GemmWidth Best<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) return GemmWidth.Scalar;
        if (Vector512.IsHardwareAccelerated) return GemmWidth.V512;
        if (Vector256.IsHardwareAccelerated) return GemmWidth.V256;
        if (Vector128.IsHardwareAccelerated) return GemmWidth.V128;
        return GemmWidth.Scalar;
    }

    /// <summary>Floating-point operations (2·m·k·n) above which a product is split over two threads (measured: see docs/performance.md).</summary>
    public const double ParallelThresholdFlops = 3e6;

    /// <summary>Tile rows (MR) and columns (NR) of the micro-kernel of a width.</summary>
    public static (int MR, int NR) Tile<T>(GemmWidth w) => w switch
    {
        GemmWidth.V512 => (8, 2 * Vector512<T>.Count),
        GemmWidth.V256 => (6, 2 * Vector256<T>.Count),
        GemmWidth.V128 => (4, 2 * Vector128<T>.Count),
        _ => (1, 1),
    };

    /// <summary>
    /// C[m,n] = op(A)·op(B) on dense buffers: A is [m,k] (or [k,m] when <paramref name="transA"/>), B is [k,n]
    /// (or [n,k] when <paramref name="transB"/>). C is overwritten.
    /// </summary>
    public static void Multiply<T>(T[] a, bool transA, T[] b, bool transB, T[] c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Multiply(a, 0, transA ? m : k, transA, b, 0, transB ? k : n, transB, c, 0, n, m, k, n, accumulate: false);

    /// <summary>
    /// The BLAS-style product C = op(A)·op(B) (or C += … when <paramref name="accumulate"/>): element (i,p) of
    /// op(A) is <c>a[aOff + i·lda + p]</c> (transposed: <c>a[aOff + p·lda + i]</c>), likewise for B, and C[i,j]
    /// is <c>c[cOff + i·ldc + j]</c>. <paramref name="threads"/> = 0 picks 1 or 2 by size.
    /// </summary>
    public static void Multiply<T>(T[] a, int aOff, int lda, bool transA, T[] b, int bOff, int ldb, bool transB,
        T[] c, int cOff, int ldc, int m, int k, int n, bool accumulate, GemmWidth? width = null, int threads = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        var w = width ?? Best<T>();
        if (k == 0 || w == GemmWidth.Scalar)
        {
            Naive(a, aOff, lda, transA, b, bOff, ldb, transB, c, cOff, ldc, m, k, n, accumulate);
            return;
        }
        // A short A reuses each packed B element only a few times, so a non-transposed B is read in place.
        using var packed = Prepare(m, b, bOff, ldb, transB, k, n, w, threads == 0 ? ThreadsFor(m, k, n) : threads);
        Multiply(a, aOff, lda, transA, packed, c, cOff, ldc, m, accumulate, threads);
    }

    /// <summary>C = op(A)·B (or +=) with B already packed by <see cref="PackB{T}"/>.</summary>
    public static void Multiply<T>(T[] a, int aOff, int lda, bool transA, PackedB<T> b, T[] c, int cOff, int ldc, int m, bool accumulate, int threads = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = b.K, n = b.N;
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(cOff + i * ldc, n).Clear();
            return;
        }
        if (threads == 0) threads = ThreadsFor(m, k, n);
        var (mr, _) = Tile<T>(b.Width);
        int mPanels = (m + mr - 1) / mr;
        if (threads < 2 || (b.Panels < 2 && mPanels < 2))
        {
            Run(a, aOff, lda, transA, b, c, cOff, ldc, 0, m, 0, b.Panels, accumulate);
            return;
        }
        // Chunks of whichever dimension has more micro-tiles, claimed dynamically by the caller and one helper.
        bool byColumns = b.Panels >= mPanels;
        int tiles = byColumns ? b.Panels : mPanels;
        int chunks = Math.Min(tiles, 8), per = (tiles + chunks - 1) / chunks;
        chunks = (tiles + per - 1) / per;
        void Chunk(int i)
        {
            int t0 = i * per, t1 = Math.Min(tiles, t0 + per);
            if (byColumns) Run(a, aOff, lda, transA, b, c, cOff, ldc, 0, m, t0, t1, accumulate);
            else Run(a, aOff, lda, transA, b, c, cOff, ldc, t0 * mr, Math.Min(m, t1 * mr), 0, b.Panels, accumulate);
        }
        WorkSharing.Run(chunks, threads - 1, Chunk);
    }

    // Each output tile is computed by exactly one thread in the same order whatever the thread count, so the
    // result is bit-identical with 1 or 2 threads; the split only decides who computes which tiles.
    private static int ThreadsFor(int m, int k, int n) =>
        2.0 * m * k * n >= ParallelThresholdFlops && Parallelism.MaxThreads > 1 ? 2 : 1;

    /// <summary>
    /// Packs op(B) ([k,n]) into NR-column panels: panel j holds rows 0..k-1 of columns j·NR.., NR values per
    /// row, zero-padded past n. Element (p, c) of panel j sits at <c>(j·k + p)·NR + c</c>.
    /// </summary>
    public static PackedB<T> PackB<T>(T[] b, int bOff, int ldb, bool transB, int k, int n, GemmWidth? width = null, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = width ?? Best<T>();
        var (_, nr) = Tile<T>(w);
        int panels = (n + nr - 1) / nr;
        var data = panels * k * nr == 0 ? [] : ArrayPool<T>.Shared.Rent(panels * k * nr);
        var packed = new PackedB<T>(data, k, n, nr, w);
        if (threads > 1 && panels > 1 && (long)k * n > 64 * 1024)
        {
            int half = panels / 2;
            var task = Task.Run(() => PackPanels(b, bOff, ldb, transB, k, n, nr, data, half, panels, 0));
            PackPanels(b, bOff, ldb, transB, k, n, nr, data, 0, half, 0);
            task.Wait();
        }
        else PackPanels(b, bOff, ldb, transB, k, n, nr, data, 0, panels, 0);
        return packed;
    }

    /// <summary>
    /// op(B) made ready to multiply <paramref name="m"/> rows of op(A): a short A reuses each packed element only a few
    /// times, so a non-transposed B is then read in place (unless its row stride is a multiple of 4 KB, which would
    /// alias in L1); otherwise it is packed.
    /// </summary>
    public static PackedB<T> Prepare<T>(int m, T[] b, int bOff, int ldb, bool transB, int k, int n, GemmWidth? width = null, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        !transB && m <= DirectBMaxRows && (ldb * Unsafe.SizeOf<T>()) % 4096 != 0
            ? PackBDirect(b, bOff, ldb, k, n, width)
            : PackB(b, bOff, ldb, transB, k, n, width, threads);

    /// <summary>Rows of op(A) up to which a non-transposed B is read in place instead of packed.</summary>
    private const int DirectBMaxRows = 64;

    /// <summary>A non-transposed B read in place: only the last partial panel is packed.</summary>
    public static PackedB<T> PackBDirect<T>(T[] b, int bOff, int ldb, int k, int n, GemmWidth? width = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = width ?? Best<T>();
        var (_, nr) = Tile<T>(w);
        int full = n / nr;
        bool partial = full * nr < n;
        var data = partial ? ArrayPool<T>.Shared.Rent(k * nr) : [];
        if (partial) PackPanels(b, bOff, ldb, false, k, n, nr, data, full, full + 1, full);
        return new PackedB<T>(data, k, n, nr, w, b, bOff, ldb);
    }

    /// <summary>Packs panels [from, to) of op(B); panel jp lands at slot jp − <paramref name="firstSlot"/> of <paramref name="dst"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanels<T>(T[] b, int bOff, int ldb, bool transB, int k, int n, int nr, T[] dst, int from, int to, int firstSlot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int jp = from; jp < to; jp++)
        {
            int j0 = jp * nr, cols = Math.Min(nr, n - j0);
            var panel = dst.AsSpan((jp - firstSlot) * k * nr, k * nr);
            if (cols < nr) panel.Clear();
            if (!transB)
            {
                if (cols == nr && nr % Vector256<T>.Count == 0 && Vector256.IsHardwareAccelerated)
                    for (int p = 0; p < k; p++)
                    {
                        ref T src = ref b[bOff + p * ldb + j0];
                        ref T to0 = ref panel[p * nr];
                        for (int q = 0; q < nr; q += Vector256<T>.Count)
                            Vector256.LoadUnsafe(ref src, (nuint)q).StoreUnsafe(ref to0, (nuint)q);
                    }
                else
                    for (int p = 0; p < k; p++)
                        b.AsSpan(bOff + p * ldb + j0, cols).CopyTo(panel.Slice(p * nr, cols));
            }
            else
                for (int cc = 0; cc < cols; cc++)
                {
                    var src = b.AsSpan(bOff + (j0 + cc) * ldb, k);
                    for (int p = 0; p < src.Length; p++) panel[p * nr + cc] = src[p];
                }
        }
    }

    /// <summary>Packs rows i0..i0+mc, columns p0..p0+kc of op(A) into MR-row panels (zero-padded): element (r, p) of panel i at <c>(i·kc + p)·MR + r</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<T>(T[] a, int aOff, int lda, bool transA, int i0, int mc, int p0, int kc, int mr, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panels = (mc + mr - 1) / mr;
        for (int ip = 0; ip < panels; ip++)
        {
            int r0 = ip * mr, rows = Math.Min(mr, mc - r0);
            var panel = dst.Slice(ip * kc * mr, kc * mr);
            if (rows < mr) panel.Clear();
            if (!transA)
            {
                int p = 0;
                if (typeof(T) == typeof(float) && mr == 8 && rows == 8 && Avx.IsSupported)
                    for (; p + 8 <= kc; p += 8)
                        Transpose8x8(ref Unsafe.As<T, float>(ref a[aOff + (i0 + r0) * lda + p0 + p]), lda, ref Unsafe.As<T, float>(ref panel[p * 8]));
                for (int r = 0; r < rows; r++)
                {
                    var src = a.AsSpan(aOff + (i0 + r0 + r) * lda + p0, kc);
                    for (int q = p; q < src.Length; q++) panel[q * mr + r] = src[q];
                }
            }
            else if (rows == mr && mr * Unsafe.SizeOf<T>() == 32 && Vector256.IsHardwareAccelerated)
            {
                // One vector per k instead of a Memmove call per 8 values (this path packs dAᵀ for the weight gradients).
                ref T src = ref a[aOff + p0 * lda + i0 + r0];
                ref T to = ref panel[0];
                for (int p = 0; p < kc; p++)
                    Vector256.LoadUnsafe(ref src, (nuint)p * (nuint)lda).StoreUnsafe(ref to, (nuint)(p * mr));
            }
            else if (rows == mr && mr * Unsafe.SizeOf<T>() == 64 && Vector512.IsHardwareAccelerated)
            {
                ref T src = ref a[aOff + p0 * lda + i0 + r0];
                ref T to = ref panel[0];
                for (int p = 0; p < kc; p++)
                    Vector512.LoadUnsafe(ref src, (nuint)p * (nuint)lda).StoreUnsafe(ref to, (nuint)(p * mr));
            }
            else
                for (int p = 0; p < kc; p++)
                {
                    int s = aOff + (p0 + p) * lda + i0 + r0;
                    for (int r = 0; r < rows; r++) panel[p * mr + r] = a[s + r];
                }
        }
    }

    /// <summary>An 8×8 block of floats (rows <paramref name="lda"/> apart) written column by column: 8 rows of 8 in, 8 columns of 8 out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float src, int lda, ref float dst)
    {
        var r0 = Vector256.LoadUnsafe(ref src);
        var r1 = Vector256.LoadUnsafe(ref src, (nuint)lda);
        var r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * lda));
        var r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * lda));
        var r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * lda));
        var r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * lda));
        var r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * lda));
        var r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * lda));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref dst, 8);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref dst, 16);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref dst, 24);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref dst, 32);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref dst, 40);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref dst, 48);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref dst, 56);
    }

    /// <summary>Rows [m0, m1) × panels [j0, j1) of C, single-threaded: KC blocks of k, MC blocks of rows, then micro-tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T>(T[] a, int aOff, int lda, bool transA, PackedB<T> b, T[] c, int cOff, int ldc,
        int m0, int m1, int j0, int j1, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (mr, nr) = Tile<T>(b.Width);
        int mc = mr * 16, k = b.K, n = b.N;
        // NC: the micro-kernels of one row block of A sweep a KC×NC block of packed B (≈ 512 KB, L2) at a time.
        int ncPanels = Math.Max(1, 512 * 1024 / (KC * nr * Unsafe.SizeOf<T>()));
        var aPack = ArrayPool<T>.Shared.Rent(mc * Math.Min(KC, k));
        Span<T> tile = stackalloc T[mr * nr];
        try
        {
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0);
                bool acc = accumulate || p0 > 0;
                for (int i0 = m0; i0 < m1; i0 += mc)
                {
                    int rows = Math.Min(mc, m1 - i0);
                    PackA(a, aOff, lda, transA, i0, rows, p0, kc, mr, aPack);
                    for (int jb = j0; jb < j1; jb += ncPanels)
                    {
                        int jbEnd = Math.Min(j1, jb + ncPanels);
                        // A micro-panel (MR×KC) stays in L1 while the kernel walks right along a row block of C,
                        // so C is touched in long sequential runs the prefetcher follows.
                        for (int ip = 0; ip * mr < rows; ip++)
                        {
                            int row = i0 + ip * mr, rr = Math.Min(mr, m1 - row);
                            ref T ap = ref aPack[ip * kc * mr];
                            for (int jp = jb; jp < jbEnd; jp++)
                            {
                                int col = jp * nr, cols = Math.Min(nr, n - col);
                                ref T bp = ref b.Panel(jp, p0, out int bStride);
                                if (rr == mr && cols == nr)
                                    Kernel(b.Width, kc, ref ap, ref bp, bStride, ref c[cOff + row * ldc + col], ldc, acc);
                                else
                                {
                                    Kernel(b.Width, kc, ref ap, ref bp, bStride, ref tile[0], nr, false);
                                    for (int r = 0; r < rr; r++)
                                    {
                                        var src = tile.Slice(r * nr, cols);
                                        var dst = c.AsSpan(cOff + (row + r) * ldc + col, cols);
                                        if (acc) for (int q = 0; q < cols; q++) dst[q] += src[q];
                                        else src.CopyTo(dst);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally { ArrayPool<T>.Shared.Return(aPack); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(GemmWidth w, int kc, ref T a, ref T b, int bStride, ref T c, int ldc, bool acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // One non-generic kernel per (width, type), so every FMA is an intrinsic the JIT emits inline.
        if (typeof(T) == typeof(float))
        {
            ref float af = ref Unsafe.As<T, float>(ref a), bf = ref Unsafe.As<T, float>(ref b), cf = ref Unsafe.As<T, float>(ref c);
            if (w == GemmWidth.V512) Kernel512F(kc, ref af, ref bf, bStride, ref cf, ldc, acc);
            else if (w == GemmWidth.V256) Kernel256F(kc, ref af, ref bf, bStride, ref cf, ldc, acc);
            else Kernel128F(kc, ref af, ref bf, bStride, ref cf, ldc, acc);
        }
        else
        {
            ref double ad = ref Unsafe.As<T, double>(ref a), bd = ref Unsafe.As<T, double>(ref b), cd = ref Unsafe.As<T, double>(ref c);
            if (w == GemmWidth.V512) Kernel512D(kc, ref ad, ref bd, bStride, ref cd, ldc, acc);
            else if (w == GemmWidth.V256) Kernel256D(kc, ref ad, ref bd, bStride, ref cd, ldc, acc);
            else Kernel128D(kc, ref ad, ref bd, bStride, ref cd, ldc, acc);
        }
    }

    /// <summary>8 rows × 2 Vector512&lt;float&gt; columns: 16 accumulators; per k: 2 loads, 8 broadcasts, 16 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512F(int kc, ref float a, ref float b, int bStride, ref float c, int ldc, bool acc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 16);
            var x = Vector512.Create(a); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1)); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2)); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3)); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a, 4)); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a, 5)); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a, 6)); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a, 7)); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, 8);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector512.LoadUnsafe(ref c); c01 += Vector512.LoadUnsafe(ref c, 16); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector512.LoadUnsafe(ref c); c11 += Vector512.LoadUnsafe(ref c, 16); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector512.LoadUnsafe(ref c); c21 += Vector512.LoadUnsafe(ref c, 16); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector512.LoadUnsafe(ref c); c31 += Vector512.LoadUnsafe(ref c, 16); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c40 += Vector512.LoadUnsafe(ref c); c41 += Vector512.LoadUnsafe(ref c, 16); }
        c40.StoreUnsafe(ref c); c41.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c50 += Vector512.LoadUnsafe(ref c); c51 += Vector512.LoadUnsafe(ref c, 16); }
        c50.StoreUnsafe(ref c); c51.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c60 += Vector512.LoadUnsafe(ref c); c61 += Vector512.LoadUnsafe(ref c, 16); }
        c60.StoreUnsafe(ref c); c61.StoreUnsafe(ref c, 16);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c70 += Vector512.LoadUnsafe(ref c); c71 += Vector512.LoadUnsafe(ref c, 16); }
        c70.StoreUnsafe(ref c); c71.StoreUnsafe(ref c, 16);
    }

    /// <summary>8 rows × 2 Vector512&lt;double&gt; columns: 16 accumulators; per k: 2 loads, 8 broadcasts, 16 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512D(int kc, ref double a, ref double b, int bStride, ref double c, int ldc, bool acc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 8);
            var x = Vector512.Create(a); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1)); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2)); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3)); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a, 4)); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a, 5)); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a, 6)); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a, 7)); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, 8);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector512.LoadUnsafe(ref c); c01 += Vector512.LoadUnsafe(ref c, 8); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector512.LoadUnsafe(ref c); c11 += Vector512.LoadUnsafe(ref c, 8); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector512.LoadUnsafe(ref c); c21 += Vector512.LoadUnsafe(ref c, 8); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector512.LoadUnsafe(ref c); c31 += Vector512.LoadUnsafe(ref c, 8); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c40 += Vector512.LoadUnsafe(ref c); c41 += Vector512.LoadUnsafe(ref c, 8); }
        c40.StoreUnsafe(ref c); c41.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c50 += Vector512.LoadUnsafe(ref c); c51 += Vector512.LoadUnsafe(ref c, 8); }
        c50.StoreUnsafe(ref c); c51.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c60 += Vector512.LoadUnsafe(ref c); c61 += Vector512.LoadUnsafe(ref c, 8); }
        c60.StoreUnsafe(ref c); c61.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c70 += Vector512.LoadUnsafe(ref c); c71 += Vector512.LoadUnsafe(ref c, 8); }
        c70.StoreUnsafe(ref c); c71.StoreUnsafe(ref c, 8);
    }

    /// <summary>6 rows × 2 Vector256&lt;float&gt; columns: 12 accumulators; per k: 2 loads, 6 broadcasts, 12 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256F(int kc, ref float a, ref float b, int bStride, ref float c, int ldc, bool acc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            var x = Vector256.Create(a); c00 = Vector256.MultiplyAddEstimate(x, b0, c00); c01 = Vector256.MultiplyAddEstimate(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1)); c10 = Vector256.MultiplyAddEstimate(x, b0, c10); c11 = Vector256.MultiplyAddEstimate(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2)); c20 = Vector256.MultiplyAddEstimate(x, b0, c20); c21 = Vector256.MultiplyAddEstimate(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3)); c30 = Vector256.MultiplyAddEstimate(x, b0, c30); c31 = Vector256.MultiplyAddEstimate(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4)); c40 = Vector256.MultiplyAddEstimate(x, b0, c40); c41 = Vector256.MultiplyAddEstimate(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5)); c50 = Vector256.MultiplyAddEstimate(x, b0, c50); c51 = Vector256.MultiplyAddEstimate(x, b1, c51);
            a = ref Unsafe.Add(ref a, 6);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector256.LoadUnsafe(ref c); c01 += Vector256.LoadUnsafe(ref c, 8); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector256.LoadUnsafe(ref c); c11 += Vector256.LoadUnsafe(ref c, 8); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector256.LoadUnsafe(ref c); c21 += Vector256.LoadUnsafe(ref c, 8); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector256.LoadUnsafe(ref c); c31 += Vector256.LoadUnsafe(ref c, 8); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c40 += Vector256.LoadUnsafe(ref c); c41 += Vector256.LoadUnsafe(ref c, 8); }
        c40.StoreUnsafe(ref c); c41.StoreUnsafe(ref c, 8);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c50 += Vector256.LoadUnsafe(ref c); c51 += Vector256.LoadUnsafe(ref c, 8); }
        c50.StoreUnsafe(ref c); c51.StoreUnsafe(ref c, 8);
    }

    /// <summary>6 rows × 2 Vector256&lt;double&gt; columns: 12 accumulators; per k: 2 loads, 6 broadcasts, 12 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256D(int kc, ref double a, ref double b, int bStride, ref double c, int ldc, bool acc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 4);
            var x = Vector256.Create(a); c00 = Vector256.MultiplyAddEstimate(x, b0, c00); c01 = Vector256.MultiplyAddEstimate(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1)); c10 = Vector256.MultiplyAddEstimate(x, b0, c10); c11 = Vector256.MultiplyAddEstimate(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2)); c20 = Vector256.MultiplyAddEstimate(x, b0, c20); c21 = Vector256.MultiplyAddEstimate(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3)); c30 = Vector256.MultiplyAddEstimate(x, b0, c30); c31 = Vector256.MultiplyAddEstimate(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4)); c40 = Vector256.MultiplyAddEstimate(x, b0, c40); c41 = Vector256.MultiplyAddEstimate(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5)); c50 = Vector256.MultiplyAddEstimate(x, b0, c50); c51 = Vector256.MultiplyAddEstimate(x, b1, c51);
            a = ref Unsafe.Add(ref a, 6);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector256.LoadUnsafe(ref c); c01 += Vector256.LoadUnsafe(ref c, 4); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector256.LoadUnsafe(ref c); c11 += Vector256.LoadUnsafe(ref c, 4); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector256.LoadUnsafe(ref c); c21 += Vector256.LoadUnsafe(ref c, 4); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector256.LoadUnsafe(ref c); c31 += Vector256.LoadUnsafe(ref c, 4); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c40 += Vector256.LoadUnsafe(ref c); c41 += Vector256.LoadUnsafe(ref c, 4); }
        c40.StoreUnsafe(ref c); c41.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c50 += Vector256.LoadUnsafe(ref c); c51 += Vector256.LoadUnsafe(ref c, 4); }
        c50.StoreUnsafe(ref c); c51.StoreUnsafe(ref c, 4);
    }

    /// <summary>4 rows × 2 Vector128&lt;float&gt; columns: 8 accumulators; per k: 2 loads, 4 broadcasts, 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel128F(int kc, ref float a, ref float b, int bStride, ref float c, int ldc, bool acc)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, 4);
            var x = Vector128.Create(a); c00 = Vector128.MultiplyAddEstimate(x, b0, c00); c01 = Vector128.MultiplyAddEstimate(x, b1, c01);
            x = Vector128.Create(Unsafe.Add(ref a, 1)); c10 = Vector128.MultiplyAddEstimate(x, b0, c10); c11 = Vector128.MultiplyAddEstimate(x, b1, c11);
            x = Vector128.Create(Unsafe.Add(ref a, 2)); c20 = Vector128.MultiplyAddEstimate(x, b0, c20); c21 = Vector128.MultiplyAddEstimate(x, b1, c21);
            x = Vector128.Create(Unsafe.Add(ref a, 3)); c30 = Vector128.MultiplyAddEstimate(x, b0, c30); c31 = Vector128.MultiplyAddEstimate(x, b1, c31);
            a = ref Unsafe.Add(ref a, 4);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector128.LoadUnsafe(ref c); c01 += Vector128.LoadUnsafe(ref c, 4); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector128.LoadUnsafe(ref c); c11 += Vector128.LoadUnsafe(ref c, 4); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector128.LoadUnsafe(ref c); c21 += Vector128.LoadUnsafe(ref c, 4); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 4);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector128.LoadUnsafe(ref c); c31 += Vector128.LoadUnsafe(ref c, 4); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 4);
    }

    /// <summary>4 rows × 2 Vector128&lt;double&gt; columns: 8 accumulators; per k: 2 loads, 4 broadcasts, 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel128D(int kc, ref double a, ref double b, int bStride, ref double c, int ldc, bool acc)
    {
        Vector128<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, 2);
            var x = Vector128.Create(a); c00 = Vector128.MultiplyAddEstimate(x, b0, c00); c01 = Vector128.MultiplyAddEstimate(x, b1, c01);
            x = Vector128.Create(Unsafe.Add(ref a, 1)); c10 = Vector128.MultiplyAddEstimate(x, b0, c10); c11 = Vector128.MultiplyAddEstimate(x, b1, c11);
            x = Vector128.Create(Unsafe.Add(ref a, 2)); c20 = Vector128.MultiplyAddEstimate(x, b0, c20); c21 = Vector128.MultiplyAddEstimate(x, b1, c21);
            x = Vector128.Create(Unsafe.Add(ref a, 3)); c30 = Vector128.MultiplyAddEstimate(x, b0, c30); c31 = Vector128.MultiplyAddEstimate(x, b1, c31);
            a = ref Unsafe.Add(ref a, 4);
            b = ref Unsafe.Add(ref b, bStride);
        }
        if (acc) { c00 += Vector128.LoadUnsafe(ref c); c01 += Vector128.LoadUnsafe(ref c, 2); }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, 2);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c10 += Vector128.LoadUnsafe(ref c); c11 += Vector128.LoadUnsafe(ref c, 2); }
        c10.StoreUnsafe(ref c); c11.StoreUnsafe(ref c, 2);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c20 += Vector128.LoadUnsafe(ref c); c21 += Vector128.LoadUnsafe(ref c, 2); }
        c20.StoreUnsafe(ref c); c21.StoreUnsafe(ref c, 2);
        c = ref Unsafe.Add(ref c, ldc);
        if (acc) { c30 += Vector128.LoadUnsafe(ref c); c31 += Vector128.LoadUnsafe(ref c, 2); }
        c30.StoreUnsafe(ref c); c31.StoreUnsafe(ref c, 2);
    }

    /// <summary>The reference triple loop (also the path for element types without a vector kernel).</summary>
    internal static void Naive<T>(T[] a, int aOff, int lda, bool transA, T[] b, int bOff, int ldb, bool transB,
        T[] c, int cOff, int ldc, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]) * (transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                ref T dst = ref c[cOff + i * ldc + j];
                dst = accumulate ? dst + s : s;
            }
    }
}
