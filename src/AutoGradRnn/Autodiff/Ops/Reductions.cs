using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>Σᵢ xᵢ over all elements, as a scalar. ∂/∂x = g broadcast to x's shape.</summary>
    public static Tensor<T> Sum<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        return Record("sum", Tensor.Scalar(TensorPrimitives.Sum<T>(x.Data)), [x], c => [Tensor.Fill(c.Gradient.Data[0], x.Shape)]);
    }

    /// <summary>(1/n) Σᵢ xᵢ over all elements, as a scalar. ∂/∂x = g/n.</summary>
    public static Tensor<T> Mean<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        if (x.Count == 0) throw new ShapeMismatchException("mean", "the mean of an empty tensor is undefined", x.Shape);
        int count = x.Count;
        T n = T.CreateTruncating(count);
        return Record("mean", Tensor.Scalar(TensorPrimitives.Sum<T>(x.Data) / n), [x], c => [Tensor.Fill(c.Gradient.Data[0] / n, x.Shape)]);
    }

    /// <summary>Σ over <paramref name="axis"/>; the axis is dropped unless <paramref name="keepDims"/>. ∂/∂x = g repeated along the axis.</summary>
    public static Tensor<T> Sum<T>(Tensor<T> x, int axis, bool keepDims = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        int ax = x.Shape.NormalizeAxis(axis, "sum");
        var shape = keepDims ? x.Shape.With(ax, 1) : x.Shape.Without(ax);
        var y = new Tensor<T>(SumAxis(x.Data, x.Shape.Outer(ax), x.Shape.Dims[ax], x.Shape.Inner(ax)), shape);
        return Record("sum_axis", y, [x], c => [RepeatAxis(c.Gradient, x.Shape, ax)], OpAttributes.OfAxis(ax));
    }

    /// <summary>Mean over <paramref name="axis"/>; the axis is dropped unless <paramref name="keepDims"/>. ∂/∂x = g/n repeated along the axis.</summary>
    public static Tensor<T> Mean<T>(Tensor<T> x, int axis, bool keepDims = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        int ax = x.Shape.NormalizeAxis(axis, "mean");
        if (x.Shape.Dims[ax] == 0) throw new ShapeMismatchException("mean", $"axis {axis} is empty", x.Shape);
        return Multiply(Sum(x, axis, keepDims), T.One / T.CreateTruncating(x.Shape.Dims[ax]));
    }

    /// <summary>Sums a [outer, n, inner] buffer over its middle axis.</summary>
    internal static T[] SumAxis<T>(ReadOnlySpan<T> x, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new T[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            var row = d.AsSpan(o * inner, inner);
            if (inner == 1) { row[0] = TensorPrimitives.Sum(x.Slice(o * n, n)); continue; }
            for (int k = 0; k < n; k++) TensorPrimitives.Add(row, x.Slice((o * n + k) * inner, inner), row);
        }
        return d;
    }

    /// <summary>The adjoint of summing over <paramref name="axis"/>: copies g along that axis to fill <paramref name="shape"/>.</summary>
    internal static Tensor<T> RepeatAxis<T>(Tensor<T> g, Shape shape, int axis) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = shape.Outer(axis), n = shape.Dims[axis], inner = shape.Inner(axis);
        var d = new T[shape.Count];
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < n; k++)
                g.Data.AsSpan(o * inner, inner).CopyTo(d.AsSpan((o * n + k) * inner, inner));
        return new Tensor<T>(d, shape);
    }
}
