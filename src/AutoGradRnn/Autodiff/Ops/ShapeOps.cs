using System.Numerics;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// The same values under a new shape (one dimension may be −1, inferred). Shares the immutable
    /// buffer, so it costs no copy. ∂/∂x = g reshaped back.
    /// </summary>
    public static Tensor<T> Reshape<T>(Tensor<T> x, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        ArgumentNullException.ThrowIfNull(shape);
        var dims = (int[])shape.Clone();
        int infer = Array.IndexOf(dims, -1);
        if (infer >= 0)
        {
            if (Array.IndexOf(dims, -1, infer + 1) >= 0)
                throw new ArgumentException($"reshape {x.Shape} to [{string.Join(",", shape)}]: only one dimension may be -1");
            int known = 1;
            for (int i = 0; i < dims.Length; i++) if (i != infer) known *= dims[i];
            if (known == 0 || x.Count % known != 0)
                throw new ShapeMismatchException("reshape", $"cannot infer the -1 in [{string.Join(",", shape)}] from {x.Count} elements", x.Shape);
            dims[infer] = x.Count / known;
        }
        var s = new Shape(dims);
        if (s.Count != x.Count)
            throw new ShapeMismatchException("reshape", $"{x.Count} elements cannot take a shape of {s.Count}", x.Shape, s);
        return Record("reshape", new Tensor<T>(x.Data, s), [x], c => [new Tensor<T>(c.Gradient.Data, x.Shape)]);
    }

    /// <summary>Swaps axes <paramref name="axis0"/> and <paramref name="axis1"/> (e.g. batch-major ↔ time-major). ∂/∂x = the same swap of g.</summary>
    public static Tensor<T> Transpose<T>(Tensor<T> x, int axis0 = -2, int axis1 = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        int a0 = x.Shape.NormalizeAxis(axis0, "transpose"), a1 = x.Shape.NormalizeAxis(axis1, "transpose");
        if (a0 == a1) return x;
        return Record("transpose", SwapAxes(x, a0, a1), [x], c => [SwapAxes(c.Gradient, a0, a1)], OpAttributes.OfAxes(a0, a1));
    }

    private static Tensor<T> SwapAxes<T>(Tensor<T> x, int a0, int a1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dims = x.Shape.ToArray();
        (dims[a0], dims[a1]) = (dims[a1], dims[a0]);
        var outShape = new Shape(dims);
        // Strides of the source, permuted into the output's axis order.
        var srcStrides = new int[x.Rank];
        for (int i = x.Rank - 1, s = 1; i >= 0; i--) { srcStrides[i] = s; s *= x.Shape.Dims[i]; }
        (srcStrides[a0], srcStrides[a1]) = (srcStrides[a1], srcStrides[a0]);
        var d = new T[x.Count];
        var idx = new int[x.Rank];
        int src = 0;
        for (int o = 0; o < d.Length; o++)
        {
            d[o] = x.Data[src];
            for (int ax = x.Rank - 1; ax >= 0; ax--)
            {
                src += srcStrides[ax];
                if (++idx[ax] < dims[ax]) break;
                src -= srcStrides[ax] * idx[ax];
                idx[ax] = 0;
            }
        }
        return new Tensor<T>(d, outShape);
    }

    /// <summary>
    /// Joins tensors along <paramref name="axis"/> (default: last, the feature axis) — the essay's
    /// <c>[h_{t-1}, x_t]</c>. All other dimensions must match. ∂/∂xᵢ = the slice of g that xᵢ filled.
    /// </summary>
    public static Tensor<T> Concat<T>(Tensor<T>[] xs, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Length == 0) throw new ArgumentException("concat: no tensors given", nameof(xs));
        foreach (var x in xs) Check(x, nameof(xs));
        var first = xs[0].Shape;
        if (first.Rank == 0) throw new ShapeMismatchException("concat", "scalars have no axis to join along", [.. xs.Select(x => x.Shape)]);
        int ax = first.NormalizeAxis(axis, "concat");
        int total = 0;
        foreach (var x in xs)
        {
            if (x.Rank != first.Rank || !Enumerable.Range(0, first.Rank).All(d => d == ax || x.Shape.Dims[d] == first.Dims[d]))
                throw new ShapeMismatchException("concat", $"shapes must agree on every axis except {axis}", [.. xs.Select(t => t.Shape)]);
            total += x.Shape.Dims[ax];
        }
        var shape = first.With(ax, total);
        int outer = first.Outer(ax), inner = first.Inner(ax);
        var d = new T[shape.Count];
        var starts = new int[xs.Length];
        for (int i = 0, start = 0; i < xs.Length; start += xs[i].Shape.Dims[ax], i++)
        {
            starts[i] = start;
            int w = xs[i].Shape.Dims[ax] * inner;
            for (int o = 0; o < outer; o++) xs[i].Data.AsSpan(o * w, w).CopyTo(d.AsSpan((o * total + start) * inner, w));
        }
        return Record("concat", new Tensor<T>(d, shape), xs, c =>
        {
            var g = c.Gradient;
            var grads = new Tensor<T>?[xs.Length];
            for (int i = 0; i < xs.Length; i++)
            {
                if (!c.NeedsGradient(i)) continue;
                int w = xs[i].Shape.Dims[ax] * inner;
                var gi = new T[xs[i].Count];
                for (int o = 0; o < outer; o++) g.Data.AsSpan((o * total + starts[i]) * inner, w).CopyTo(gi.AsSpan(o * w, w));
                grads[i] = new Tensor<T>(gi, xs[i].Shape);
            }
            return grads;
        }, OpAttributes.OfAxis(ax));
    }

    /// <summary>Concat of two tensors along the feature axis: <c>[a, b]</c>.</summary>
    public static Tensor<T> Concat<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Concat([a, b]);
    }

    /// <summary>
    /// Elements [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>) of <paramref name="axis"/>
    /// (default: last). ∂/∂x = g placed back in that range, zeros elsewhere.
    /// </summary>
    public static Tensor<T> Slice<T>(Tensor<T> x, int start, int length, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        if (x.Rank == 0) throw new ShapeMismatchException("slice", "a scalar has no axis to slice", x.Shape);
        int ax = x.Shape.NormalizeAxis(axis, "slice");
        int n = x.Shape.Dims[ax];
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice: range [{start}, {start + length}) is outside axis {axis} of size {n} in shape {x.Shape}");
        int outer = x.Shape.Outer(ax), inner = x.Shape.Inner(ax);
        var shape = x.Shape.With(ax, length);
        var d = new T[shape.Count];
        for (int o = 0; o < outer; o++)
            x.Data.AsSpan((o * n + start) * inner, length * inner).CopyTo(d.AsSpan(o * length * inner, length * inner));
        return Record("slice", new Tensor<T>(d, shape), [x], c =>
        {
            var g = c.Gradient;
            var gx = new T[x.Count];
            for (int o = 0; o < outer; o++)
                g.Data.AsSpan(o * length * inner, length * inner).CopyTo(gx.AsSpan((o * n + start) * inner, length * inner));
            return [new Tensor<T>(gx, x.Shape)];
        }, OpAttributes.OfRange(ax, start, length));
    }

    /// <summary>
    /// Cuts <paramref name="axis"/> (default: last) into consecutive pieces of the given sizes, e.g. the four
    /// gate pre-activations out of a <c>[B, 4H]</c> product. The sizes must add up to the axis length.
    /// </summary>
    public static Tensor<T>[] Split<T>(Tensor<T> x, int[] sizes, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        ArgumentNullException.ThrowIfNull(sizes);
        int n = x.Shape[axis];
        if (sizes.Sum() != n || sizes.Any(s => s < 0))
            throw new ShapeMismatchException("split", $"sizes [{string.Join(",", sizes)}] do not add up to axis {axis} of size {n}", x.Shape);
        var parts = new Tensor<T>[sizes.Length];
        for (int i = 0, start = 0; i < sizes.Length; start += sizes[i], i++) parts[i] = Slice(x, start, sizes[i], axis);
        return parts;
    }

    /// <summary>Cuts <paramref name="axis"/> (default: last) into <paramref name="count"/> equal pieces.</summary>
    public static Tensor<T>[] Split<T>(Tensor<T> x, int count, int axis = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"split: count {count} must be positive");
        int n = x.Shape[axis];
        if (n % count != 0) throw new ShapeMismatchException("split", $"axis {axis} of size {n} does not split into {count} equal parts", x.Shape);
        return Split(x, Enumerable.Repeat(n / count, count).ToArray(), axis);
    }

    /// <summary>
    /// Index <paramref name="index"/> of <paramref name="axis"/>, with that axis removed (e.g. step t of a
    /// <c>[B,T,D]</c> sequence: <c>Select(x, 1, t)</c> is <c>[B,D]</c>).
    /// </summary>
    public static Tensor<T> Select<T>(Tensor<T> x, int axis, int index) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        int ax = x.Shape.NormalizeAxis(axis, "select");
        return Reshape(Slice(x, index, 1, ax), x.Shape.Without(ax).ToArray());
    }

    /// <summary>
    /// Stacks equally shaped tensors along a new axis <paramref name="axis"/> (e.g. T steps of <c>[B,H]</c> into
    /// <c>[B,T,H]</c> with axis 1). ∂/∂xᵢ = slice i of g.
    /// </summary>
    public static Tensor<T> Stack<T>(Tensor<T>[] xs, int axis = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Length == 0) throw new ArgumentException("stack: no tensors given", nameof(xs));
        foreach (var x in xs)
        {
            Check(x, nameof(xs));
            if (x.Shape != xs[0].Shape)
                throw new ShapeMismatchException("stack", "all tensors must have the same shape", [.. xs.Select(t => t.Shape).Distinct()]);
        }
        int ax = axis < 0 ? axis + xs[0].Rank + 1 : axis;
        if (ax < 0 || ax > xs[0].Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"stack: axis {axis} is out of range for tensors of shape {xs[0].Shape}");
        var expanded = xs.Select(x => Reshape(x, x.Shape.Insert(ax, 1).ToArray())).ToArray();
        return Concat(expanded, ax);
    }

    /// <summary>The slices of <paramref name="axis"/> as separate tensors, that axis removed (the inverse of <see cref="Stack{T}"/>).</summary>
    public static Tensor<T>[] Unstack<T>(Tensor<T> x, int axis = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        int ax = x.Shape.NormalizeAxis(axis, "unstack");
        return Enumerable.Range(0, x.Shape.Dims[ax]).Select(i => Select(x, ax, i)).ToArray();
    }
}
