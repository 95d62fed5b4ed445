using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

/// <summary>
/// Dense matrix multiply C = op(A)·op(B) on row-major buffers, with op = identity or transpose, without
/// materialising transposes where a row-oriented loop exists. Each inner loop is a SIMD
/// <see cref="TensorPrimitives"/> call over a contiguous row.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// C[m,n] = op(A)·op(B): A is [m,k] (or [k,m] when <paramref name="transA"/>), B is [k,n] (or [n,k]
    /// when <paramref name="transB"/>). C is overwritten.
    /// </summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        c.Clear();
        if (transA && transB)
        {
            // Aᵀ·Bᵀ = (B·A)ᵀ is rare (only in the gradient of Aᵀ·Bᵀ): transpose A once and reuse the A·Bᵀ loop.
            var at = new T[m * k];
            Transpose(a, at, k, m);
            a = at;
            transA = false;
        }
        if (!transB)
        {
            // c[i,:] += a(i,p) · b[p,:]
            for (int i = 0; i < m; i++)
            {
                var crow = c.Slice(i * n, n);
                for (int p = 0; p < k; p++)
                {
                    T aip = transA ? a[p * m + i] : a[i * k + p];
                    if (aip == T.Zero) continue;
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, crow, crow);
                }
            }
        }
        else
        {
            // c[i,j] = a[i,:] · b[j,:]
            for (int i = 0; i < m; i++)
            {
                var arow = a.Slice(i * k, k);
                for (int j = 0; j < n; j++)
                    c[i * n + j] = TensorPrimitives.Dot(arow, b.Slice(j * k, k));
            }
        }
    }

    /// <summary>dst[c,r] = src[r,c] for a [rows, cols] source.</summary>
    public static void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
    }
}
