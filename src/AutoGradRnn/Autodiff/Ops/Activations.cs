using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)), elementwise. ∂/∂x = g·σ(x)(1 − σ(x)).</summary>
    public static Tensor<T> Sigmoid<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = K.Map(x, TensorPrimitives.Sigmoid);
        return Record("sigmoid", y, [x], c => [K.Map(y, (yv, d) =>
        {
            TensorPrimitives.Subtract(T.One, yv, d);   // 1 − y
            TensorPrimitives.Multiply(d, yv, d);        // y(1 − y)
            TensorPrimitives.Multiply(d, c.Gradient.Data, d);
        })]);
    }

    /// <summary>tanh(x), elementwise. ∂/∂x = g·(1 − tanh²(x)).</summary>
    public static Tensor<T> Tanh<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = K.Map(x, TensorPrimitives.Tanh);
        return Record("tanh", y, [x], c => [K.Map(y, (yv, d) =>
        {
            TensorPrimitives.Multiply(yv, yv, d);       // y²
            TensorPrimitives.Subtract(T.One, d, d);     // 1 − y²
            TensorPrimitives.Multiply(d, c.Gradient.Data, d);
        })]);
    }

    /// <summary>eˣ, elementwise. ∂/∂x = g·eˣ.</summary>
    public static Tensor<T> Exp<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = K.Map(x, TensorPrimitives.Exp);
        return Record("exp", y, [x], c => [K.Mul(c.Gradient, y)]);
    }

    /// <summary>ln x, elementwise. ∂/∂x = g / x.</summary>
    public static Tensor<T> Log<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("log", K.Map(x, TensorPrimitives.Log), [x], c => [K.Div(c.Gradient, x)]);
    }

    /// <summary>max(x, 0), elementwise. ∂/∂x = g where x &gt; 0, else 0.</summary>
    public static Tensor<T> Relu<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("relu", K.Map(x, (s, d) => TensorPrimitives.Max(s, T.Zero, d)), [x], c =>
        {
            var g = c.Gradient;
            var d = new T[g.Count];
            for (int i = 0; i < d.Length; i++) d[i] = x.Data[i] > T.Zero ? g.Data[i] : T.Zero;
            return [new Tensor<T>(d, g.Shape)];
        });
    }

    /// <summary>
    /// softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x) along <paramref name="axis"/> (default: last).
    /// ∂/∂x = y ⊙ (g − Σ g⊙y).
    /// </summary>
    public static Tensor<T> Softmax<T>(Tensor<T> x, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        if (x.Rank == 0) throw new ShapeMismatchException("softmax", "needs at least one axis", x.Shape);
        int ax = x.Shape.NormalizeAxis(axis, "softmax");
        if (ax != x.Rank - 1) return Transpose(Softmax(Transpose(x, ax, -1)), ax, -1);
        int n = x.Shape.Last;
        var y = K.Map(x, (s, d) => { for (int o = 0; o < s.Length; o += n) SoftmaxRow(s.Slice(o, n), d.Slice(o, n)); });
        return Record("softmax", y, [x], c => [SoftmaxBackward(y, c.Gradient, n)]);
    }

    /// <summary>y ⊙ (g − Σ g⊙y) per row of n: the adjoint of a (masked) softmax y.</summary>
    private static Tensor<T> SoftmaxBackward<T>(Tensor<T> y, Tensor<T> g, int n) where T : unmanaged, IFloatingPointIeee754<T> =>
        K.Map(y, (yv, d) =>
        {
            for (int o = 0; o < yv.Length; o += n)
            {
                var yr = yv.Slice(o, n);
                T dot = TensorPrimitives.Dot(g.Data.AsSpan(o, n), yr);
                TensorPrimitives.Subtract(g.Data.AsSpan(o, n), dot, d.Slice(o, n));
                TensorPrimitives.Multiply(d.Slice(o, n), yr, d.Slice(o, n));   // masked entries: y = 0, so 0
            }
        });

    /// <summary>
    /// Softmax over the last axis restricted to the entries where <paramref name="mask"/> is 1 (e.g. attention over the
    /// real, unpadded encoder steps): yᵢ = mᵢ·e^(xᵢ − max) / Σⱼ mⱼ·e^(xⱼ − max), the max taken over unmasked entries.
    /// Masked entries get exactly 0 and no gradient, whatever their score. The mask has x's shape, holds only 0 and 1, and
    /// is a constant (it receives no gradient). ∂/∂x = y ⊙ (g − Σ g⊙y), as for <see cref="Softmax{T}"/>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">x is a scalar, or the mask's shape differs from x's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A mask value is neither 0 nor 1, or a row has no unmasked entry (its softmax is undefined).</exception>
    public static Tensor<T> MaskedSoftmax<T>(Tensor<T> x, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        Check(mask, nameof(mask));
        if (x.Rank == 0) throw new ShapeMismatchException("masked_softmax", "needs at least one axis", x.Shape);
        if (mask.Shape != x.Shape) throw new ShapeMismatchException("masked_softmax", "the mask must have the scores' shape", x.Shape, mask.Shape);
        int n = x.Shape.Last;
        var y = new T[x.Count];
        for (int o = 0; o < y.Length; o += n)
        {
            T max = T.NegativeInfinity;
            for (int j = o; j < o + n; j++)
            {
                if (mask.Data[j] != T.Zero && mask.Data[j] != T.One)
                    throw new ArgumentOutOfRangeException(nameof(mask), $"masked_softmax: mask value {mask.Data[j]} at flat index {j} of {mask.Shape} is neither 0 nor 1");
                if (mask.Data[j] == T.One) max = T.Max(max, x.Data[j]);
            }
            if (T.IsNegativeInfinity(max))
                throw new ArgumentOutOfRangeException(nameof(mask), $"masked_softmax: row {o / n} of {x.Shape} has no unmasked entry");
            T sum = T.Zero;
            for (int j = o; j < o + n; j++) sum += y[j] = mask.Data[j] == T.One ? T.Exp(x.Data[j] - max) : T.Zero;
            TensorPrimitives.Divide(y.AsSpan(o, n), sum, y.AsSpan(o, n));
        }
        var yt = new Tensor<T>(y, x.Shape);
        return Record("masked_softmax", yt, [x], c => [SoftmaxBackward(yt, c.Gradient, n)], OpAttributes.OfData(mask));
    }

    /// <summary>
    /// log softmax(x)ᵢ = xᵢ − max x − ln Σⱼ e^(xⱼ − max x) along <paramref name="axis"/> (default: last),
    /// stable for any finite input. ∂/∂x = g − softmax(x)·Σ g.
    /// </summary>
    public static Tensor<T> LogSoftmax<T>(Tensor<T> x, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        if (x.Rank == 0) throw new ShapeMismatchException("log_softmax", "needs at least one axis", x.Shape);
        int ax = x.Shape.NormalizeAxis(axis, "log_softmax");
        if (ax != x.Rank - 1) return Transpose(LogSoftmax(Transpose(x, ax, -1)), ax, -1);
        int n = x.Shape.Last;
        var y = K.Map(x, (s, d) => { for (int o = 0; o < s.Length; o += n) LogSoftmaxRow(s.Slice(o, n), d.Slice(o, n)); });
        return Record("log_softmax", y, [x], c => [K.Map(y, (yv, d) =>
        {
            var g = c.Gradient;
            for (int o = 0; o < yv.Length; o += n)
            {
                T sum = TensorPrimitives.Sum<T>(g.Data.AsSpan(o, n));
                TensorPrimitives.Exp(yv.Slice(o, n), d.Slice(o, n));               // softmax
                TensorPrimitives.Multiply(d.Slice(o, n), -sum, d.Slice(o, n));
                TensorPrimitives.Add(d.Slice(o, n), g.Data.AsSpan(o, n), d.Slice(o, n));
            }
        })]);
    }

    internal static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, d);
        TensorPrimitives.Exp(d, d);
        T sum = TensorPrimitives.Sum<T>(d);
        TensorPrimitives.Divide(d, sum, d);
    }

    internal static void LogSoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, d);
        T sumExp = T.Zero;
        foreach (var v in d) sumExp += T.Exp(v);
        TensorPrimitives.Subtract(d, T.Log(sumExp), d);
    }
}
