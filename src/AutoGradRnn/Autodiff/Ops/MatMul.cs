using System.Numerics;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// Matrix product C = op(A)·op(B), op = transpose when the flag is set. A may have rank &gt; 2 when not
    /// transposed: its leading axes are batch axes (<c>[B,T,D]·[D,H] → [B,T,H]</c>).
    /// Backward (C = A·B): ∂A = G·Bᵀ, ∂B = Aᵀ·G — computed by the same GEMM with transpose flags, never
    /// materialising a transpose.
    /// </summary>
    public static Tensor<T> MatMul<T>(Tensor<T> a, Tensor<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a, nameof(a));
        Check(b, nameof(b));
        var y = K.MatMul(a, b, transposeA, transposeB);
        return Record("matmul", y, [a, b], c =>
        {
            // Work on 2-D views: leading batch axes of A (and G) fold into rows.
            var g = c.Gradient;
            var g2 = new Tensor<T>(g.Data, new Shape(g.Count / g.Shape.Last, g.Shape.Last));
            var a2 = new Tensor<T>(a.Data, new Shape(a.Count / a.Shape.Last, a.Shape.Last));
            var da = !c.NeedsGradient(0) ? null : (transposeA, transposeB) switch
            {
                (false, false) => K.MatMul(g2, b, false, true),   // G·Bᵀ
                (false, true) => K.MatMul(g2, b, false, false),   // G·B
                (true, false) => K.MatMul(b, g2, false, true),    // B·Gᵀ
                (true, true) => K.MatMul(b, g2, true, true),      // Bᵀ·Gᵀ
            };
            var db = !c.NeedsGradient(1) ? null : (transposeA, transposeB) switch
            {
                (false, false) => K.MatMul(a2, g2, true, false),  // Aᵀ·G
                (false, true) => K.MatMul(g2, a2, true, false),   // Gᵀ·A
                (true, false) => K.MatMul(a2, g2, false, false),  // A·G
                (true, true) => K.MatMul(g2, a2, true, true),     // Gᵀ·Aᵀ
            };
            return [da is null ? null : new Tensor<T>(da.Data, a.Shape), db];
        }, OpAttributes.OfAxes(transposeA ? 1 : 0, transposeB ? 1 : 0));
    }

    internal static (int M, int K, int N, Shape Shape) MatMulShape<T>(Tensor<T> a, Tensor<T> b, bool transA, bool transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = "matmul" + (transA ? " (A transposed)" : "") + (transB ? " (B transposed)" : "");
        if (b.Rank != 2) throw new ShapeMismatchException(name, $"B must be a matrix (rank 2), got rank {b.Rank}", a.Shape, b.Shape);
        if (a.Rank < 2 || (transA && a.Rank != 2))
            throw new ShapeMismatchException(name, transA ? $"a transposed A must be a matrix (rank 2), got rank {a.Rank}" : $"A must have rank ≥ 2, got rank {a.Rank}", a.Shape, b.Shape);
        int ka = transA ? a.Shape[0] : a.Shape.Last;
        int m = transA ? a.Shape[1] : a.Count / Math.Max(a.Shape.Last, 1);
        if (!transA && a.Shape.Last == 0) m = a.Shape.Outer(a.Rank - 1);
        int kb = transB ? b.Shape[1] : b.Shape[0];
        int n = transB ? b.Shape[0] : b.Shape[1];
        if (ka != kb) throw new ShapeMismatchException(name, $"inner dimensions {ka} and {kb} differ", a.Shape, b.Shape);
        var shape = transA ? new Shape(m, n) : a.Shape.With(a.Rank - 1, n);
        return (m, ka, n, shape);
    }
}
