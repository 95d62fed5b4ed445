using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

/// <summary>
/// Untracked tensor arithmetic for backward rules: the same kernels as the ops, but never recorded,
/// so computing a gradient never grows the tape.
/// </summary>
internal static class K
{
    public static Tensor<T> Add<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Apply<T, AddKernel<T>>("add", a, b);
    public static Tensor<T> Sub<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Apply<T, SubtractKernel<T>>("subtract", a, b);
    public static Tensor<T> Mul<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Apply<T, MultiplyKernel<T>>("multiply", a, b);
    public static Tensor<T> Div<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Apply<T, DivideKernel<T>>("divide", a, b);

    public static Tensor<T> Scale<T>(Tensor<T> a, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new T[a.Count];
        TensorPrimitives.Multiply(a.Data, s, d);
        return new Tensor<T>(d, a.Shape);
    }

    public static Tensor<T> Neg<T>(Tensor<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new T[a.Count];
        TensorPrimitives.Negate(a.Data, d);
        return new Tensor<T>(d, a.Shape);
    }

    /// <summary>Applies a span kernel elementwise: d = f(x).</summary>
    public static Tensor<T> Map<T>(Tensor<T> x, SpanMap<T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new T[x.Count];
        f(x.Data, d);
        return new Tensor<T>(d, x.Shape);
    }

    public static Tensor<T> MatMul<T>(Tensor<T> a, Tensor<T> b, bool transA, bool transB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, k, n, shape) = Ops.MatMulShape(a, b, transA, transB);
        var d = new T[shape.Count];
        Gemm.Multiply<T>(a.Data, transA, b.Data, transB, d, m, k, n);
        return new Tensor<T>(d, shape);
    }
}

internal delegate void SpanMap<T>(ReadOnlySpan<T> x, Span<T> destination);
