using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

/// <summary>
/// NumPy broadcasting for elementwise binary operations, and its adjoint <see cref="SumTo{T}"/>.
/// </summary>
/// <remarks>
/// The rule: align the shapes at their last dimension; each pair of dimensions must be equal or one of
/// them 1 (a missing leading dimension counts as 1); the result takes the larger. So a bias <c>[H]</c> or
/// <c>[1,H]</c> broadcasts over a batch <c>[B,H]</c> or <c>[B,T,H]</c>, a scalar over anything, and a column
/// <c>[B,1]</c> over <c>[B,H]</c>. Anything else is a <see cref="ShapeMismatchException"/>. The gradient
/// of a broadcast input is the output gradient summed back to the input's shape — done once, in the
/// tape's backward walk, for every op.
/// </remarks>
internal static class Broadcast
{
    public static Shape ResultShape(string op, Shape a, Shape b)
    {
        if (a == b) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException(op, $"dimensions {da} and {db} (axis {i - rank}) neither match nor are 1, so the shapes do not broadcast", a, b);
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>True when <paramref name="small"/>, leading 1s removed, equals the trailing dimensions of <paramref name="big"/>.</summary>
    private static bool IsTrailingBlock(Shape small, Shape big)
    {
        var s = small.Dims;
        int lead = 0;
        while (lead < s.Length && s[lead] == 1) lead++;
        s = s[lead..];
        if (s.Length > big.Rank) return false;
        return s.SequenceEqual(big.Dims[(big.Rank - s.Length)..]);
    }

    public static Tensor<T> Apply<T, TOp>(string op, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryKernel<T>
    {
        var shape = ResultShape(op, a.Shape, b.Shape);
        var d = new T[shape.Count];
        if (a.Shape == b.Shape) TOp.Apply(a.Data, b.Data, d);
        else if (b.Count == 1 && shape == a.Shape) TOp.Apply(a.Data, b.Data[0], d);
        else if (a.Count == 1 && shape == b.Shape) TOp.Apply(a.Data[0], b.Data, d);
        else if (shape == a.Shape && IsTrailingBlock(b.Shape, a.Shape))
            for (int o = 0; o < d.Length; o += b.Count)
                TOp.Apply(a.Data.AsSpan(o, b.Count), b.Data, d.AsSpan(o, b.Count));
        else if (shape == b.Shape && IsTrailingBlock(a.Shape, b.Shape))
            for (int o = 0; o < d.Length; o += a.Count)
                TOp.Apply(a.Data, b.Data.AsSpan(o, a.Count), d.AsSpan(o, a.Count));
        else
        {
            var sa = Strides(a.Shape, shape);
            var sb = Strides(b.Shape, shape);
            var idx = new int[shape.Rank];
            int ia = 0, ib = 0;
            for (int o = 0; o < d.Length; o++)
            {
                d[o] = TOp.Apply(a.Data[ia], b.Data[ib]);
                for (int ax = shape.Rank - 1; ax >= 0; ax--)
                {
                    ia += sa[ax]; ib += sb[ax];
                    if (++idx[ax] < shape.Dims[ax]) break;
                    ia -= sa[ax] * idx[ax]; ib -= sb[ax] * idx[ax];
                    idx[ax] = 0;
                }
            }
        }
        return new Tensor<T>(d, shape);
    }

    /// <summary>Strides of <paramref name="s"/> laid against <paramref name="target"/>, 0 on broadcast axes.</summary>
    private static int[] Strides(Shape s, Shape target)
    {
        var strides = new int[target.Rank];
        int stride = 1;
        for (int i = target.Rank - 1, j = s.Rank - 1; i >= 0; i--, j--)
        {
            int dim = j >= 0 ? s.Dims[j] : 1;
            strides[i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return strides;
    }

    /// <summary>
    /// Sums <paramref name="g"/> (of a broadcast result's shape) back down to <paramref name="shape"/>:
    /// the adjoint of broadcasting.
    /// </summary>
    public static Tensor<T> SumTo<T>(Tensor<T> g, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Shape == shape) return g;
        if (ResultShape("sum_to", shape, g.Shape) != g.Shape)
            throw new ShapeMismatchException("sum_to", "the target does not broadcast to the gradient's shape", g.Shape, shape);
        var d = new T[shape.Count];
        if (shape.Count == 1) d[0] = TensorPrimitives.Sum<T>(g.Data);
        else if (IsTrailingBlock(shape, g.Shape))
            for (int o = 0; o < g.Count; o += d.Length)
                TensorPrimitives.Add(d, g.Data.AsSpan(o, d.Length), d);
        else
        {
            var s = Strides(shape, g.Shape);
            var idx = new int[g.Rank];
            int io = 0;
            for (int o = 0; o < g.Count; o++)
            {
                d[io] += g.Data[o];
                for (int ax = g.Rank - 1; ax >= 0; ax--)
                {
                    io += s[ax];
                    if (++idx[ax] < g.Shape.Dims[ax]) break;
                    io -= s[ax] * idx[ax];
                    idx[ax] = 0;
                }
            }
        }
        return new Tensor<T>(d, shape);
    }
}

/// <summary>An elementwise binary kernel in its four forms: scalar, span–span, span–scalar, scalar–span.</summary>
internal interface IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T a, T b);
    static abstract void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d);
    static abstract void Apply(ReadOnlySpan<T> a, T b, Span<T> d);
    static abstract void Apply(T a, ReadOnlySpan<T> b, Span<T> d);
}

internal readonly struct AddKernel<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a + b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(b, a, d);
}

internal readonly struct SubtractKernel<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a - b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
}

internal readonly struct MultiplyKernel<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a * b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(b, a, d);
}

internal readonly struct DivideKernel<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a / b;
    public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public static void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public static void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
}
