using System.Collections;

namespace AutoGradRnn;

/// <summary>
/// The dimensions of a tensor, outermost first (row-major). Immutable; compares by value.
/// A rank-0 shape <c>[]</c> is a scalar.
/// </summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be ≥ 0.</summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(dims), $"shape [{string.Join(",", dims)}]: dimension {d} is negative");
            count *= d;
            if (count > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(dims), $"shape [{string.Join(",", dims)}] has more than {Array.MaxLength} elements");
        }
        this.dims = (int[])dims.Clone();
        Count = (int)count;
    }

    /// <summary>The scalar shape <c>[]</c>.</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;

    /// <summary>Total number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public int Count { get; }

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => dims[NormalizeAxis(axis, "shape")];

    /// <summary>The dimensions as a fresh array.</summary>
    public int[] ToArray() => (int[])dims.Clone();

    internal ReadOnlySpan<int> Dims => dims;

    /// <summary>The size of the last dimension (1 for a scalar).</summary>
    public int Last => dims.Length == 0 ? 1 : dims[^1];

    /// <summary>Turns a possibly negative axis into 0..Rank-1, or throws naming the shape.</summary>
    public int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + dims.Length : axis;
        if (a < 0 || a >= dims.Length)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {this} (rank {Rank})");
        return a;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>.</summary>
    internal int Outer(int axis)
    {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= dims[i];
        return n;
    }

    /// <summary>Product of the dimensions after <paramref name="axis"/>.</summary>
    internal int Inner(int axis)
    {
        int n = 1;
        for (int i = axis + 1; i < dims.Length; i++) n *= dims[i];
        return n;
    }

    /// <summary>This shape with dimension <paramref name="axis"/> replaced by <paramref name="size"/>.</summary>
    internal Shape With(int axis, int size)
    {
        var d = ToArray();
        d[axis] = size;
        return new Shape(d);
    }

    /// <summary>This shape without dimension <paramref name="axis"/>.</summary>
    internal Shape Without(int axis)
    {
        var d = new int[dims.Length - 1];
        for (int i = 0, j = 0; i < dims.Length; i++) if (i != axis) d[j++] = dims[i];
        return new Shape(d);
    }

    /// <summary>This shape with a new dimension of <paramref name="size"/> inserted at <paramref name="axis"/>.</summary>
    internal Shape Insert(int axis, int size)
    {
        var d = new List<int>(dims);
        d.Insert(axis, size);
        return new Shape([.. d]);
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>The shape as <c>[d0,d1,…]</c>, the form every error message uses.</summary>
    public override string ToString() => "[" + string.Join(",", dims) + "]";

    int IReadOnlyCollection<int>.Count => dims.Length;

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => dims.GetEnumerator();
}
