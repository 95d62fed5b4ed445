using System.Numerics;

namespace AutoGradRnn;

/// <summary>Ways to create tensors: from arrays, filled, or seeded random.</summary>
public static class Tensor
{
    /// <summary>A tensor of the given shape over a copy of <paramref name="values"/> (row-major). With no shape: a vector.</summary>
    public static Tensor<T> FromArray<T>(T[] values, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var s = shape.Length == 0 ? new Shape(values.Length) : new Shape(shape);
        if (s.Count != values.Length)
            throw new ShapeMismatchException("FromArray", $"{values.Length} values cannot fill shape {s} ({s.Count} elements)", s);
        return new Tensor<T>((T[])values.Clone(), s);
    }

    /// <summary>A tensor of the given shape over a copy of <paramref name="values"/>.</summary>
    public static Tensor<T> FromArray<T>(T[] values, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != values.Length)
            throw new ShapeMismatchException("FromArray", $"{values.Length} values cannot fill shape {shape} ({shape.Count} elements)", shape);
        return new Tensor<T>((T[])values.Clone(), shape);
    }

    /// <summary>A matrix from a rectangular array.</summary>
    public static Tensor<T> FromArray<T>(T[,] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.GetLength(0), c = values.GetLength(1);
        var data = new T[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) data[i * c + j] = values[i, j];
        return new Tensor<T>(data, new Shape(r, c));
    }

    /// <summary>A matrix from rows of equal length.</summary>
    public static Tensor<T> FromRows<T>(params T[][] rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0) throw new ArgumentException("FromRows: no rows given; a matrix needs at least one row", nameof(rows));
        int c = rows[0].Length;
        var data = new T[rows.Length * c];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != c)
                throw new ShapeMismatchException("FromRows", $"row {i} has {rows[i].Length} values, row 0 has {c}", new Shape(rows[i].Length), new Shape(c));
            rows[i].CopyTo(data, i * c);
        }
        return new Tensor<T>(data, new Shape(rows.Length, c));
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor<T> Scalar<T>(T value) where T : unmanaged, IFloatingPointIeee754<T> => new([value], Shape.Scalar);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros<T>(params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Zeros<T>(new Shape(shape));
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros<T>(Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new(new T[shape.Count], shape);
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones<T>(params int[] shape) where T : unmanaged, IFloatingPointIeee754<T> => Fill(T.One, shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones<T>(Shape shape) where T : unmanaged, IFloatingPointIeee754<T> => Fill(T.One, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Fill<T>(T value, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Fill(value, new Shape(shape));
    }

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Fill<T>(T value, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        var data = new T[shape.Count];
        Array.Fill(data, value);
        return new Tensor<T>(data, shape);
    }

    /// <summary>Normal N(<paramref name="mean"/>, <paramref name="std"/>²) values from a seed (from a stream: <see cref="Rng.Normal{T}"/>).</summary>
    public static Tensor<T> RandomNormal<T>(Shape shape, long seed, double mean = 0, double std = 1) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Rng(seed).Normal<T>(shape, mean, std);

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>) from a seed (from a stream: <see cref="Rng.Uniform{T}"/>).</summary>
    public static Tensor<T> RandomUniform<T>(Shape shape, long seed, double low = 0, double high = 1) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Rng(seed).Uniform<T>(shape, low, high);

    /// <summary>Rows of the identity matrix picked by <paramref name="indices"/>: shape [n, <paramref name="depth"/>]. A constant (no gradient flows to integer indices).</summary>
    public static Tensor<T> OneHot<T>(int[] indices, int depth) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (depth <= 0) throw new ArgumentOutOfRangeException(nameof(depth), $"OneHot: depth {depth} must be positive");
        var data = new T[indices.Length * depth];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)depth)
                throw new ArgumentOutOfRangeException(nameof(indices), $"OneHot: index {indices[i]} at position {i} is outside [0, {depth})");
            data[i * depth + indices[i]] = T.One;
        }
        return new Tensor<T>(data, new Shape(indices.Length, depth));
    }

    /// <summary>Converts element type (e.g. float64 → float32), keeping the shape. The result is untracked.</summary>
    public static Tensor<TOut> Convert<TIn, TOut>(Tensor<TIn> x)
        where TIn : unmanaged, IFloatingPointIeee754<TIn> where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        ArgumentNullException.ThrowIfNull(x);
        var data = new TOut[x.Count];
        for (int i = 0; i < data.Length; i++) data[i] = TOut.CreateTruncating(x.Data[i]);
        return new Tensor<TOut>(data, x.Shape);
    }
}
